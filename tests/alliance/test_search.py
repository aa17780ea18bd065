"""The search page: grouped, filtered, ranked, highlighted, paginated, constant queries; the index
follows the content through signals after commit."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from alliance import search
from alliance.models import Region, SearchDocument, SearchWords
from members.models import Ally
from tests.factories.events import EventFactory, SessionFactory, SpeakerFactory
from tests.factories.initiatives import ProjectFactory
from tests.factories.members import MemberOrganizationFactory

pytestmark = pytest.mark.django_db


def url(language="it", **params):
    from django.utils.http import urlencode

    with translation.override(language):
        return reverse("alliance:search") + ("?" + urlencode(params) if params else "")


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Runs what the signals schedule after commit, as a real commit would."""

    class Indexed:
        def __enter__(self):
            self.capture = django_capture_on_commit_callbacks(execute=True)
            return self.capture.__enter__()

        def __exit__(self, *exc):
            return self.capture.__exit__(*exc)

    return Indexed


def assert_words_follow_documents():
    """SearchWords holds the narrow part of every document: what counts and lists read."""
    fields = ("kind", "is_public", "object_id", "vector", "title_vector", "regions")
    documents = {row[0]: row[1:] for row in SearchDocument.objects.values_list("pk", *fields)}
    assert dict((row[0], row[1:]) for row in SearchWords.objects.values_list("document_id", *fields)) == documents
    assert documents


def titles(response, kind=None):
    results = response.context["results"]
    if results.page_obj is not None:
        return [d.title for d in results.page_obj]
    return {s["kind"].code: [d.title for d in s["documents"]] for s in results.sections}


def test_results_grouped_by_kind_title_matches_first(client, indexed):
    with indexed():
        MemberOrganizationFactory(name="Rete Solidale", slug="rete-solidale", summary="Orti in città")
        MemberOrganizationFactory(name="Orti Urbani", slug="orti-urbani", summary="Una rete di quartiere")
        EventFactory(title="Festa degli orti", slug="festa-orti")
    response = client.get(url(q="orti"))
    assert response.status_code == 200
    assert titles(response) == {"ally": ["Orti Urbani", "Rete Solidale"], "event": ["Festa degli orti"]}
    assert response.context["results"].counts == {"ally": 2, "event": 1}
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_highlight_is_escaped_and_marked(client, indexed):
    with indexed():
        MemberOrganizationFactory(
            name="<script>alert(1)</script> Orti & Co", slug="xss", summary="Gli orti <b>belli</b>"
        )
    response = client.get(url(q="orto"))
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Orti</mark> &amp; Co" in html
    assert "Gli <mark>orti</mark> &lt;b&gt;belli&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html


def test_kind_filter_is_paginated(client, indexed):
    with indexed():
        for n in range(23):
            MemberOrganizationFactory(name=f"Cooperativa {n:02d}", slug=f"coop-{n}")
        EventFactory(title="Cooperative in festa", slug="coop-festa")
    first = client.get(url(q="cooperative", kind="ally"))
    assert len(titles(first)) == 20
    assert first.context["results"].page_obj.paginator.count == 23
    second = client.get(url(q="cooperative", kind="ally", page=2))
    assert len(titles(second)) == 3
    assert set(titles(first)) | set(titles(second)) == {f"Cooperativa {n:02d}" for n in range(23)}


def test_region_filter_and_region_page(client, indexed, taxonomy):
    veneto, lombardia = Region.objects.get(slug="veneto"), Region.objects.get(slug="lombardia")
    with indexed():
        MemberOrganizationFactory(name="Orti del Veneto", slug="ov", regions=[veneto])
        MemberOrganizationFactory(name="Orti di Lombardia", slug="ol", regions=[lombardia])
    response = client.get(url(q="orti", region="veneto"))
    assert titles(response) == {"ally": ["Orti del Veneto"]}
    everything_in_veneto = client.get(url(region="veneto"))
    # The region and its seven provinces are places; five of each kind are shown, by name.
    assert everything_in_veneto.context["results"].counts == {"ally": 1, "place": 8}
    assert titles(everything_in_veneto) == {
        "ally": ["Orti del Veneto"],
        "place": ["Belluno", "Padova", "Rovigo", "Treviso", "Veneto"],
    }
    # An unknown region is ignored, not an error (the newest first when neither title is better).
    assert titles(client.get(url(q="orti", region="atlantide"))) == {"ally": ["Orti di Lombardia", "Orti del Veneto"]}


@pytest.mark.parametrize("count", [1, 3])
def test_constant_queries(client, indexed, django_assert_num_queries, count):
    with indexed():
        for n in range(count):
            MemberOrganizationFactory(name=f"Orti {n}", slug=f"orti-{n}")
            EventFactory(title=f"Festa degli orti {n}", slug=f"festa-{n}")
            ProjectFactory(title=f"Orti condivisi {n}", slug=f"orti-condivisi-{n}")
    # Regions for the filter, counts by kind, the best documents of each kind.
    with django_assert_num_queries(3):
        response = client.get(url(q="orti"))
    assert {kind: len(found) for kind, found in titles(response).items()} == {
        "ally": count,
        "event": count,
        "project": count,
    }
    # Regions, counts, one page of one kind.
    with django_assert_num_queries(3):
        client.get(url(q="orti", kind="event"))


@pytest.mark.parametrize("walk", ["always", "never", "by length"])
def test_one_order_whichever_way_a_run_is_read(indexed, monkeypatch, walk):
    """The order of one kind's results: every word in the title first, then the newest (no date
    last), then by title. The search reads the two runs (title matches, the others) in slices,
    walking the order index for a long run and sorting a short one (`search.walks`): each page and
    each kind's best are slices of that one order however they were read, also where a page
    holds the end of the first run and the start of the second."""
    if walk == "by length":
        monkeypatch.setattr(search, "WALK_FROM", 4)
    else:
        monkeypatch.setattr(search, "walks", lambda length, stop: walk == "always")
    day = timezone.make_aware(datetime(2026, 3, 2, 12))
    with indexed():
        for n, letter in enumerate("GFEDCBA"):  # three dates: the title decides between equals
            MemberOrganizationFactory(name=f"Zucchine {letter}", slug=f"z-{letter}", approved_at=day - timedelta(n % 3))
        for n, letter in enumerate("ABCDEFGH"):
            MemberOrganizationFactory(
                name=f"Orto {letter}",
                slug=f"o-{letter}",
                summary="Coltiviamo zucchine",
                approved_at=None if n in (2, 5) else day - timedelta(n % 4),
            )
        MemberOrganizationFactory(name="Giardino", slug="giardino", summary="Coltiviamo fiori")
    allies = Ally.objects.exclude(slug="giardino")
    expected = [
        ally.name
        for ally in sorted(
            allies,
            key=lambda a: (
                not a.name.startswith("Zucchine"),
                a.approved_at is None,
                -a.approved_at.timestamp() if a.approved_at else 0,
                a.name,
            ),
        )
    ]
    assert expected == [
        *("Zucchine A", "Zucchine D", "Zucchine G", "Zucchine C", "Zucchine F", "Zucchine B", "Zucchine E"),
        *("Orto A", "Orto E", "Orto B", "Orto G", "Orto D", "Orto H", "Orto C", "Orto F"),
    ]
    for per_kind in (3, 7, 9, 20):
        best = search.search("zucchine", per_kind=per_kind).sections[0]["documents"]
        assert [document.title for document in best] == expected[:per_kind]
    for per_page in (4, 5, 20):
        pages = []
        for number in range(1, 5):
            results = search.search("zucchine", kind="ally", page=number, per_page=per_page)
            assert results.page_obj.paginator.count == 15
            if number <= results.page_obj.paginator.num_pages:
                pages += [document.title for document in results.page_obj]
        assert pages == expected


def test_english_page_and_urls(client, indexed):
    with indexed():
        EventFactory(title="Giornata della Generatività Sociale", slug="giornata")
    response = client.get(url("en", q="generativita"))
    html = response.content.decode()
    assert '<a href="/en/events/giornata/">Giornata della <mark>Generatività</mark> Sociale</a>' in html
    assert "One result for “generativita”." in html


def test_signals_follow_changes_after_commit(indexed):
    with indexed():
        event = EventFactory(title="Assemblea di primavera", slug="assemblea", draft=True)
    assert not search.matching(search.parse("assemblea")).exists()
    assert search.search("assemblea").counts == {}
    assert_words_follow_documents()
    with indexed():
        event.status, event.published_at = "published", event.start
        event.save()
    assert search.search("assemblea").counts == {"event": 1}
    assert list(search.matching(search.parse("assemblea")).values_list("kind", "title")) == [
        ("event", "Assemblea di primavera")
    ]
    with indexed():
        speaker = SpeakerFactory(event=event, name="Lucia Ventura")
        SessionFactory(event=event, title="Laboratorio sulle mappe", speakers=[speaker])
    assert sorted(search.matching(search.parse("mappe")).values_list("kind", "title")) == [
        ("event", "Assemblea di primavera"),
        ("session", "Laboratorio sulle mappe"),
        ("speaker", "Lucia Ventura"),
    ]
    organizer = MemberOrganizationFactory(name="Cooperativa Girasole", slug="girasole")
    with indexed():
        event.organizers.add(organizer)
    assert ("event", "Assemblea di primavera") in search.matching(search.parse("girasole")).values_list("kind", "title")
    with indexed():
        organizer.name = "Cooperativa Tulipano"
        organizer.save()
    assert ("event", "Assemblea di primavera") in search.matching(search.parse("tulipano")).values_list("kind", "title")
    assert not search.matching(search.parse("girasole")).exists()
    assert_words_follow_documents()
    with indexed():
        event.delete()
    assert not SearchDocument.objects.filter(source=f"events.event:{event.pk}").exists()
    assert not SearchWords.objects.filter(object_id=event.pk, kind="event").exists()


def test_a_process_started_before_the_title_vector_still_writes_documents(indexed):
    """Between `migrate` and the restart, a process running the code of before migration 0011 writes documents
    without `title_vector`: the database's default fills it, and the next reindex writes it."""
    from django.db import connection

    with indexed():
        ally = MemberOrganizationFactory(name="Orti Urbani", slug="orti-urbani")
    old_columns = [
        field.column for field in SearchDocument._meta.local_fields if field.column not in ("id", "title_vector")
    ]
    listed = ", ".join(connection.ops.quote_name(column) for column in old_columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO alliance_searchdocument ({listed}) SELECT {listed} FROM alliance_searchdocument "
            "WHERE source = %s",
            [f"members.ally:{ally.pk}"],
        )
    assert SearchDocument.objects.filter(source=f"members.ally:{ally.pk}").count() == 2
    search.reindex("members.ally", [ally.pk])
    assert list(search.matching(search.parse("orti")).values_list("title", flat=True)) == ["Orti Urbani"]


def test_reindex_command_rebuilds_everything(indexed):
    from django.core.management import call_command

    MemberOrganizationFactory(name="Orti Urbani", slug="orti-urbani")  # no commit: not indexed yet
    assert not search.matching(search.parse("orti")).exists()
    call_command("reindex", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(search.matching(search.parse("orti")).values_list("title", flat=True)) == ["Orti Urbani"]
    assert_words_follow_documents()


def test_typo_suggestions_on_postgresql(client, indexed):
    with indexed():
        ProjectFactory(title="Cooperiamo per l'Economia del Buon Vivere", slug="cooperiamo")
    response = client.get(url(q="coperiamo"))
    assert response.context["results"].total == 0
    assert [d.title for d in response.context["results"].suggestions] == ["Cooperiamo per l'Economia del Buon Vivere"]


def test_nul_bytes_and_long_queries(client, indexed):
    with indexed():
        MemberOrganizationFactory(name="Orti Urbani", slug="orti-urbani")
    # The engine cleans what it is given (the middleware already refuses NUL bytes in addresses).
    assert [d.title for d in search.search("orti\x00").sections[0]["documents"]] == ["Orti Urbani"]
    response = client.get(url(q="parola " * 100 + "tsquery & | ! : * ( ) '"))
    assert response.status_code == 200
    assert response.context["results"].total == 0
