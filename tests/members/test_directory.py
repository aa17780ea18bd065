"""The public directory of allies: list, filters, search, pages of the allies.

Texts of the interface are checked on the English pages (the source strings),
names and rows on the Italian ones (the default language).
"""

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from alliance.models import Province, Region, Theme
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    MemberPersonFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

WELFARE = "welfare-territoriale-generativo"
COMMONS = "rigenerazione-beni-comuni"


def url(name, language="it", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def listed(response):
    return [ally.name for ally in response.context["page_obj"]]


def on(day):
    return timezone.make_aware(datetime(2025, 1, day, 10, 0))


# The list --------------------------------------------------------------------------


def test_only_approved_allies_are_listed_by_name(client):
    MemberOrganizationFactory(name="Gamma")
    MemberOrganizationFactory(name="Alfa")
    MemberPersonFactory(name="Beta Rossi")
    OrganizationFactory(name="In attesa di approvazione")

    response = client.get(url("members:ally_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == ["Alfa", "Beta Rossi", "Gamma"]
    assert "In attesa di approvazione" not in html
    assert html.count("<h1") == 1


def test_cards_are_a_list_of_articles_linking_to_the_pages(client, taxonomy):
    ally = MemberOrganizationFactory(
        name="Cooperativa Sole",
        slug="cooperativa-sole",
        legal_form="aps",
        verified_at=on(2),
        regions=[Region.objects.get(slug="lombardia"), Region.objects.get(slug="lazio")],
        themes=[Theme.objects.get(slug=WELFARE), Theme.objects.get(slug=COMMONS)],
    )

    response = client.get(url("members:ally_list", "en"))

    html = response.content.decode()
    cards = re.findall(r'<ul class="ally-list">\s*<li><article class="ally-card">', html)
    assert len(cards) == 1
    assert f'<a href="{url("members:ally_detail", "en", slug=ally.slug)}" lang="it">Cooperativa Sole</a>' in html
    assert '<span class="visually-hidden">Verified by the coordination</span>' in html
    assert '<p class="ally-card__kind">Association (APS)</p>' in html
    assert "Lazio, Lombardy</p>" in html
    assert "<li>Regeneration of the commons</li><li>Generative local welfare</li>" in html
    assert '<span class="ally-card__initials" aria-hidden="true">C</span>' in html
    assert '<p class="directory-results__count" role="status">One ally found.</p>' in html


def test_a_card_without_regions_served_shows_its_seat(client, taxonomy):
    MemberPersonFactory(
        name="ada <Rossi>",
        legal_form="",
        is_supporter=True,
        city="Milano",
        province=Province.objects.get(abbreviation="MI"),
    )
    MemberOrganizationFactory(name="Senza sede", city="", province=Province.objects.get(abbreviation="VR"))
    MemberOrganizationFactory(name="Da nessuna parte", province=None)

    html = client.get(url("members:ally_list", "en")).content.decode()

    assert '<span class="ally-card__initials" aria-hidden="true">A</span>' in html
    assert '<p class="ally-card__kind">Person · Supporter</p>' in html
    assert '<span class="visually-hidden">Seat: </span>Milano, Lombardy</p>' in html
    assert '<span class="visually-hidden">Seat: </span>Veneto</p>' in html
    assert "ada &lt;Rossi&gt;</a>" in html
    assert html.count('<p class="ally-card__places">') == 2


def test_every_filter_field_has_a_label_in_a_search_form(client, taxonomy):
    response = client.get(url("members:ally_list", "en"))

    html = response.content.decode()
    form = re.search(r'<form class="portal-form directory-filters__form" method="get".*?</form>', html, re.S).group(0)
    assert 'role="search"' in form
    ids = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', form)
    assert ids == [
        "id_q",
        "id_kind",
        "id_legal_form",
        "id_region",
        "id_theme",
        "id_verified",
        "id_supporter",
        "id_order",
    ]
    for field_id in ids:
        assert f'<label for="{field_id}">' in form, field_id


def test_filter_by_kind(client):
    MemberOrganizationFactory(name="Fondazione Ponte")
    MemberPersonFactory(name="Giulia Neri")
    MemberPersonFactory(name="Anna Bianchi")

    people = client.get(url("members:ally_list"), {"kind": "person"})
    organizations = client.get(url("members:ally_list"), {"kind": "organization"})

    assert listed(people) == ["Anna Bianchi", "Giulia Neri"]
    assert listed(organizations) == ["Fondazione Ponte"]


def test_filter_by_legal_form(client):
    MemberOrganizationFactory(name="Circolo Aperto", legal_form="aps")
    MemberOrganizationFactory(name="Cooperativa Sole", legal_form="cooperativa_sociale")
    MemberOrganizationFactory(name="Associazione Ponti", legal_form="aps")

    response = client.get(url("members:ally_list"), {"legal_form": "aps"})

    assert listed(response) == ["Associazione Ponti", "Circolo Aperto"]


def test_filter_by_region_served_counts_each_ally_once(client, taxonomy):
    lombardia, lazio = Region.objects.get(slug="lombardia"), Region.objects.get(slug="lazio")
    milano, bergamo = Province.objects.get(abbreviation="MI"), Province.objects.get(abbreviation="BG")
    MemberOrganizationFactory(name="Solo Lombardia", regions=[lombardia])
    MemberOrganizationFactory(name="Lombardia e Lazio", regions=[lombardia, lazio])
    MemberOrganizationFactory(name="Due province lombarde", provinces=[milano, bergamo])
    MemberOrganizationFactory(name="Regione e provincia", regions=[lombardia], provinces=[milano])
    MemberOrganizationFactory(name="Solo Lazio", regions=[lazio])
    MemberOrganizationFactory(name="Sede a Milano, nessuna regione servita", province=milano)

    response = client.get(url("members:ally_list"), {"region": "lombardia"})

    assert listed(response) == ["Due province lombarde", "Lombardia e Lazio", "Regione e provincia", "Solo Lombardia"]
    assert response.context["page_obj"].paginator.count == 4


def test_filter_by_theme_counts_each_ally_once(client, taxonomy):
    welfare, commons = Theme.objects.get(slug=WELFARE), Theme.objects.get(slug=COMMONS)
    MemberOrganizationFactory(name="Welfare e beni comuni", themes=[welfare, commons])
    MemberOrganizationFactory(name="Beni comuni", themes=[commons])
    MemberOrganizationFactory(name="Welfare", themes=[welfare])
    MemberOrganizationFactory(name="Nessun tema")

    response = client.get(url("members:ally_list"), {"theme": WELFARE})

    assert listed(response) == ["Welfare", "Welfare e beni comuni"]


def test_filter_verified_and_supporters(client):
    MemberOrganizationFactory(name="Verificata", verified_at=on(3))
    MemberOrganizationFactory(name="Sostenitrice", is_supporter=True)
    MemberOrganizationFactory(name="Verificata e sostenitrice", verified_at=on(4), is_supporter=True)
    MemberOrganizationFactory(name="Nessuna delle due")

    verified = client.get(url("members:ally_list"), {"verified": "on"})
    supporters = client.get(url("members:ally_list"), {"supporter": "on"})
    both = client.get(url("members:ally_list"), {"verified": "on", "supporter": "on"})

    assert listed(verified) == ["Verificata", "Verificata e sostenitrice"]
    assert listed(supporters) == ["Sostenitrice", "Verificata e sostenitrice"]
    assert listed(both) == ["Verificata e sostenitrice"]


def test_filters_combine(client, taxonomy):
    lombardia = Region.objects.get(slug="lombardia")
    welfare = Theme.objects.get(slug=WELFARE)
    MemberOrganizationFactory(name="Cooperativa lombarda", regions=[lombardia], themes=[welfare])
    MemberPersonFactory(name="Persona lombarda", regions=[lombardia], themes=[welfare])
    MemberOrganizationFactory(name="Cooperativa senza tema", regions=[lombardia])

    response = client.get(url("members:ally_list"), {"kind": "organization", "region": "lombardia", "theme": WELFARE})

    assert listed(response) == ["Cooperativa lombarda"]


# Search and order ------------------------------------------------------------------


def test_italian_full_text_search_stems_and_ranks_a_name_match_first(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows, as after a commit
        MemberOrganizationFactory(name="Aurora", description="Una rete di cooperative sociali del territorio.")
        MemberOrganizationFactory(name="Cooperativa Sole", description="")
        MemberOrganizationFactory(
            name="Biblioteca Civica", legal_form="aps", description="Prestiti di libri e letture ad alta voce."
        )

    by_relevance = client.get(url("members:ally_list"), {"q": "cooperativa"})
    by_name = client.get(url("members:ally_list"), {"q": "cooperativa", "order": "name"})

    assert listed(by_relevance) == ["Cooperativa Sole", "Aurora"]
    assert listed(by_name) == ["Aurora", "Cooperativa Sole"]


def test_the_directory_finds_what_the_site_search_finds(client, taxonomy, django_capture_on_commit_callbacks):
    """One engine (alliance.search): accents, plurals, places, the last word as a prefix; private fields never."""
    with django_capture_on_commit_callbacks(execute=True):
        MemberOrganizationFactory(
            name="Orti di Quartiere",
            summary="Orti sociali e generatività di comunità.",
            city="Verona",
            province=Province.objects.get(abbreviation="VR"),
            contact_email="segreta@example.org",
            tax_code="00743110157",
        )
        MemberPersonFactory(name="Anna Verdi", description="Un orto in città.")
        MemberOrganizationFactory(name="Biblioteca Civica", description="Letture ad alta voce.")
        OrganizationFactory(name="Orto in attesa", description="Non ancora approvata.")

    def both(words):
        directory = listed(client.get(url("members:ally_list"), {"q": words, "order": "name"}))
        site = client.get(url("alliance:search"), {"q": words, "kind": "ally"}).context["results"]
        return directory, sorted(d.title for d in site.page_obj)

    for words, expected in [
        ("orto", ["Anna Verdi", "Orti di Quartiere"]),
        ("ORTI", ["Anna Verdi", "Orti di Quartiere"]),
        ("generativita comunita", ["Orti di Quartiere"]),
        ("veneto", ["Orti di Quartiere"]),
        ("bibliot", ["Biblioteca Civica"]),
        ("segreta@example.org", []),
        ("00743110157", []),
        ("astronavi", []),
    ]:
        directory, site = both(words)
        assert directory == expected, words
        assert site == expected, words


def test_relevance_is_offered_only_while_searching(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        MemberOrganizationFactory(name="Alfa")

    browsing = client.get(url("members:ally_list", "en")).content.decode()
    searching = client.get(url("members:ally_list", "en"), {"q": "alfa"}).content.decode()
    stale = client.get(url("members:ally_list"), {"order": "relevance"})

    assert '<option value="relevance"' not in browsing
    assert '<option value="name">Name, A to Z</option><option value="newest">Newest members first</option>' in browsing
    assert '<option value="relevance">Relevance</option><option value="name">' in searching
    assert listed(client.get(url("members:ally_list"), {"q": "alfa"})) == ["Alfa"]
    assert listed(stale) == ["Alfa"]


def test_order_newest_members_first(client):
    MemberOrganizationFactory(name="Alfa", approved_at=on(1))
    MemberOrganizationFactory(name="Beta", approved_at=on(3))
    MemberOrganizationFactory(name="Gamma", approved_at=on(2))

    newest = client.get(url("members:ally_list"), {"order": "newest"})
    by_name = client.get(url("members:ally_list"), {"order": "name"})

    assert listed(newest) == ["Beta", "Gamma", "Alfa"]
    assert listed(by_name) == ["Alfa", "Beta", "Gamma"]


# Pagination ------------------------------------------------------------------------


def test_pagination_shows_24_per_page_and_keeps_the_filters(client, taxonomy):
    welfare = Theme.objects.get(slug=WELFARE)
    for number in range(1, 26):
        MemberOrganizationFactory(name=f"Alleato {number:02d}", themes=[welfare])
    MemberOrganizationFactory(name="Alleato fuori tema")

    first = client.get(url("members:ally_list", "en"), {"theme": WELFARE})
    second = client.get(url("members:ally_list", "en"), {"theme": WELFARE, "page": "2"})

    first_html, second_html = first.content.decode(), second.content.decode()
    assert listed(first) == [f"Alleato {number:02d}" for number in range(1, 25)]
    assert listed(second) == ["Alleato 25"]
    assert f'href="?theme={WELFARE}&amp;page=2"' in first_html
    assert f'href="?theme={WELFARE}&amp;page=2" aria-current="page"' in second_html
    assert f'href="?theme={WELFARE}&amp;page=1" rel="prev"' in second_html
    assert '<nav class="pagination-wrapper portal-pagination" aria-label="Pages of the allies">' in first_html
    assert "25 allies found. Page 1 of 2." in first_html


@pytest.mark.parametrize(("page", "expected_number"), [("abc", 1), ("99", 2), ("0", 2), ("", 1)])
def test_an_invalid_page_shows_the_first_or_last_page(client, page, expected_number):
    for number in range(1, 26):
        MemberOrganizationFactory(name=f"Alleato {number:02d}")

    response = client.get(url("members:ally_list"), {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == expected_number


def test_one_page_has_no_pagination(client):
    MemberOrganizationFactory(name="Alfa")

    html = client.get(url("members:ally_list")).content.decode()

    assert "pagination" not in html


# Invalid values and the empty state ------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"region": "atlantide"},
        {"theme": "non-esiste"},
        {"kind": "robot"},
        {"legal_form": "srl"},
        {"order": "a-caso"},
        {"q": "x" * 201},
    ],
)
def test_an_invalid_filter_shows_the_error_and_no_results(client, taxonomy, params):
    MemberOrganizationFactory(name="Alfa")

    response = client.get(url("members:ally_list", "en"), params)

    html = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == []
    assert list(response.context["filter"].errors) == list(params)
    assert 'aria-invalid="true"' in html
    assert "Some of the filters are not valid: correct them, or clear the filters." in html
    assert '<a href="/en/allies/">Clear the filters and see all the allies</a>' in html


def test_the_empty_state_says_what_was_searched_and_offers_a_way_out(client, taxonomy):
    MemberOrganizationFactory(name="Alfa")

    response = client.get(url("members:ally_list", "en"), {"q": "astronavi", "region": "lombardia", "verified": "on"})

    html = response.content.decode()
    assert listed(response) == []
    assert '<p class="directory-results__count" role="status">0 allies found.</p>' in html
    assert "No ally matches what you looked for:" in html
    assert "<li>Words to look for: “astronavi”</li>" in html
    assert "<li>Region served: “Lombardy”</li>" in html
    assert "<li>Only allies verified by the coordination: “yes”</li>" in html
    assert '<a href="/en/allies/">Clear the filters and see all the allies</a>' in html
    assert f'<a href="{url("members:join", "en")}">Are you doing this work? Join the network</a>' in html


def test_an_empty_directory_invites_to_join(client):
    OrganizationFactory(name="Non ancora approvata")

    html = client.get(url("members:ally_list", "en")).content.decode()

    assert "No ally has joined the network yet." in html
    assert "Clear the filters" not in html.split('<div class="empty-state">')[1]
    assert f'href="{url("members:join", "en")}"' in html


# Queries and cookies ---------------------------------------------------------------


def make_allies(count):
    lombardia, milano = Region.objects.get(slug="lombardia"), Province.objects.get(abbreviation="MI")
    themes = [Theme.objects.get(slug=WELFARE), Theme.objects.get(slug=COMMONS)]
    for number in range(count):
        MemberOrganizationFactory(
            name=f"Cooperativa {number}",
            description="Cooperative sociali in rete.",
            province=milano,
            regions=[lombardia],
            provinces=[milano],
            themes=themes,
            verified_at=on(1),
        )


@pytest.mark.parametrize("item_count", [1, 3])
def test_list_query_count_does_not_grow(client, django_assert_num_queries, taxonomy, item_count):
    make_allies(item_count)

    # count, allies, their themes, their regions, the regions and themes of the filters
    with django_assert_num_queries(6):
        response = client.get(url("members:ally_list"))

    assert len(listed(response)) == item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_filtered_list_query_count_does_not_grow(
    client, django_assert_num_queries, taxonomy, item_count, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows
        make_allies(item_count)

    # as above, plus the region and the theme looked up from their slugs
    with django_assert_num_queries(8):
        response = client.get(
            url("members:ally_list"), {"q": "cooperativa", "region": "lombardia", "theme": WELFARE, "verified": "on"}
        )

    assert len(listed(response)) == item_count


def test_a_filtered_list_pages_as_the_paginator_of_its_query(client, taxonomy, django_capture_on_commit_callbacks):
    """A filtered list takes its page's keys and its count in one query (alliance.pagination), then
    the rows by key: each page holds the rows Django's Paginator gives for the same query, in its
    order (relevance: every word in the name first, then by name), across the boundary between the
    two runs; the count is the same, and a page number out of range shows the first or last page."""
    from django.core.paginator import Paginator

    from members import selectors
    from members.filters import AllyFilterSet

    lombardia, veneto = Region.objects.get(slug="lombardia"), Region.objects.get(slug="veneto")
    bergamo = Province.objects.get(abbreviation="BG")
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows
        for number in range(20):
            MemberOrganizationFactory(name=f"Welfare {number:02d}", regions=[lombardia])
        for number in range(20):  # found by their description only: after every name match
            MemberOrganizationFactory(
                name=f"Aurora {number:02d}", description="Welfare di comunità.", provinces=[bergamo]
            )
        MemberOrganizationFactory(name="Welfare in Veneto", regions=[veneto])
        MemberOrganizationFactory(name="Nessuna parola", regions=[lombardia])
    params = {"region": "lombardia", "q": "welfare"}
    expected = Paginator(AllyFilterSet(params, queryset=selectors.public_allies()).qs, 24)

    first = client.get(url("members:ally_list"), params)
    second = client.get(url("members:ally_list", "en"), {**params, "page": "2"})

    names = [f"Welfare {number:02d}" for number in range(20)] + [f"Aurora {number:02d}" for number in range(20)]
    assert listed(first) == names[:24] == [ally.name for ally in expected.page(1)]
    assert listed(second) == names[24:] == [ally.name for ally in expected.page(2)]
    assert first.context["page_obj"].paginator.count == second.context["page_obj"].paginator.count == 40
    assert "40 allies found. Page 2 of 2." in second.content.decode()
    for page, number in [("99", 2), ("0", 2), ("abc", 1), ("", 1)]:
        response = client.get(url("members:ally_list"), {**params, "page": page})
        assert response.context["page_obj"].number == number, page
        assert listed(response) == names[(number - 1) * 24 : number * 24], page
    nothing = client.get(url("members:ally_list"), {**params, "q": "astronavi"})
    assert listed(nothing) == []
    assert nothing.context["page_obj"].paginator.count == 0


@pytest.mark.parametrize("page", ["1", "2"])
def test_a_filtered_page_takes_as_many_queries_as_the_first(client, django_assert_num_queries, taxonomy, page):
    make_allies(30)

    # the region looked up, the keys with the count, the allies, their regions, their themes, the
    # regions and themes of the filters
    with django_assert_num_queries(7):
        response = client.get(url("members:ally_list"), {"region": "lombardia", "page": page})

    assert len(listed(response)) == (24 if page == "1" else 6)


def test_anonymous_readers_get_no_cookie(client, taxonomy):
    ally = MemberOrganizationFactory(name="Alfa")

    for response in [
        client.get(url("members:ally_list")),
        client.get(url("members:ally_list"), {"q": "alfa", "region": "lombardia", "page": "2"}),
        client.get(url("members:ally_list"), {"region": "atlantide"}),
        client.get(url("members:ally_detail", slug=ally.slug)),
    ]:
        assert response.status_code == 200
        assert response.cookies == {}
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_list_answers_only_get_and_head(client):
    assert client.post(url("members:ally_list")).status_code == 405
    assert client.head(url("members:ally_list")).status_code == 200


# The page of an ally ---------------------------------------------------------------


def test_the_page_shows_the_public_profile(client, taxonomy):
    milano = Province.objects.get(abbreviation="MI")
    ally = MemberOrganizationFactory(
        name="Fondazione Ponte",
        legal_form="fondazione",
        summary="Costruiamo ponti tra scuole e imprese.",
        description="Primo paragrafo.\n\nSecondo paragrafo.",
        city="Milano",
        province=milano,
        regions=[Region.objects.get(slug="lombardia")],
        provinces=[milano],
        themes=[Theme.objects.get(slug=WELFARE)],
        website="https://ponte.example.org/",
        social_links=["https://social.example.org/ponte"],
        year_founded=1998,
        is_supporter=True,
        verified_at=on(5),
        approved_at=on(4),
    )

    response = client.get(url("members:ally_detail", "en", slug=ally.slug))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="ally-profile__name" lang="it">Fondazione Ponte</h1>' in html
    assert html.count("<h1") == 1
    assert '<p class="ally-profile__kind">Organization · Foundation</p>' in html
    assert '<p class="lead ally-profile__summary" lang="it">Costruiamo ponti tra scuole e imprese.</p>' in html
    assert (
        '<div class="ally-profile__text" lang="it"><p>Primo paragrafo.</p>\n\n<p>Secondo paragrafo.</p></div>' in html
    )
    assert "<dd>Milano, Milano (MI)</dd>" in html
    assert "<dt>Regions served</dt>\n        <dd>Lombardy</dd>" in html
    assert "<dt>Provinces served</dt>\n        <dd>Milano</dd>" in html
    assert "<li>Generative local welfare</li>" in html
    assert "<dd>1998</dd>" in html
    assert '<time datetime="2025-01-04">4 January 2025</time>' in html
    assert '<a href="https://ponte.example.org/" rel="noopener">https://ponte.example.org/</a>' in html
    assert '<a href="https://social.example.org/ponte" rel="noopener">' in html
    assert "Verified by the coordination</li>" in html
    assert "Supporter of the alliance</li>" in html
    assert "not public yet" not in html
    assert "Edit the profile" not in html
    assert "Mark as verified" not in html


def test_the_image_has_the_name_as_alternative_text(client):
    ally = MemberOrganizationFactory(name="Fondazione Ponte", image="allies/ponte.png")

    html = client.get(url("members:ally_detail", slug=ally.slug)).content.decode()

    assert '<img class="ally-profile__image" src="/media/allies/ponte.png" alt="Fondazione Ponte"' in html


def test_social_links_that_are_not_web_addresses_are_not_links(client):
    ally = MemberOrganizationFactory(social_links=["javascript:alert(1)", "https://social.example.org/ok"])

    html = client.get(url("members:ally_detail", slug=ally.slug)).content.decode()

    assert "javascript:" not in html
    assert 'href="https://social.example.org/ok"' in html


def test_an_unapproved_ally_is_not_found_by_visitors_and_other_users(client):
    ally = OrganizationFactory(name="In attesa")

    anonymous = client.get(url("members:ally_detail", slug=ally.slug))
    client.force_login(VerifiedUserFactory())
    other_user = client.get(url("members:ally_detail", slug=ally.slug))

    assert anonymous.status_code == 404
    assert other_user.status_code == 404
    assert client.get(url("members:ally_detail", slug="non-esiste")).status_code == 404


def test_its_manager_sees_an_unapproved_ally_with_a_notice_and_the_edit_link(client):
    manager = AllyManagerFactory(ally=OrganizationFactory(name="In attesa"), role="editor")
    client.force_login(manager.user)

    response = client.get(url("members:ally_detail", "en", slug=manager.ally.slug))

    html = response.content.decode()
    assert response.status_code == 200
    assert "This profile is not public yet: only its managers and the coordination can see it" in html
    assert (
        f'<a class="btn btn-outline-primary" href="{url("members:ally_edit", "en", slug=manager.ally.slug)}">'
        "Edit the profile</a>"
    ) in html
    assert "Mark as verified" not in html


def test_a_coordinator_sees_the_verify_form(client):
    ally = MemberOrganizationFactory(name="Da verificare")
    verified = MemberOrganizationFactory(name="Verificata", verified_at=on(1))
    client.force_login(CoordinatorFactory())

    html = client.get(url("members:ally_detail", "en", slug=ally.slug)).content.decode()
    verified_html = client.get(url("members:ally_detail", "en", slug=verified.slug)).content.decode()

    verify_url = url("members:ally_verify", "en", slug=ally.slug)
    form = re.search(rf'<form method="post" action="{verify_url}">(.*?)</form>', html, re.S).group(1)
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="verified" value="1">' in form
    assert "Mark as verified" in form
    assert "Remove the verification" in verified_html
    assert "Edit the profile" not in html

    # The form really works: posting it marks the ally verified and returns to its page.
    response = client.post(verify_url, {"verified": "1"})
    ally.refresh_from_db()
    assert response.status_code == 302
    assert ally.is_verified is True


def test_a_coordinator_sees_an_unapproved_ally_with_the_notice(client):
    ally = OrganizationFactory(name="In attesa")
    client.force_login(CoordinatorFactory())

    response = client.get(url("members:ally_detail", "en", slug=ally.slug))

    assert response.status_code == 200
    assert "This profile is not public yet" in response.content.decode()


PRIVATE = {"contact_email": "segreto@example.org", "phone": "+39 333 7654321", "tax_code": "RSSMRA80A01H501U"}


def test_private_contacts_and_the_tax_code_are_never_shown(client):
    ally = MemberOrganizationFactory(**PRIVATE)
    manager = AllyManagerFactory(ally=ally)

    anonymous = client.get(url("members:ally_detail", slug=ally.slug)).content.decode()
    listing = client.get(url("members:ally_list")).content.decode()
    client.force_login(manager.user)
    as_manager = client.get(url("members:ally_detail", slug=ally.slug)).content.decode()

    for html in (anonymous, listing, as_manager):
        assert "segreto@example.org" not in html
        assert "7654321" not in html
        assert "RSSMRA80A01H501U" not in html


def test_public_contacts_are_shown_but_never_the_tax_code(client):
    ally = MemberOrganizationFactory(**PRIVATE, contact_email_public=True, phone_public=True)

    html = client.get(url("members:ally_detail", "en", slug=ally.slug)).content.decode()

    assert '<a href="mailto:segreto@example.org">segreto@example.org</a>' in html
    assert '<a href="tel:+393337654321">+39 333 7654321</a>' in html
    assert "RSSMRA80A01H501U" not in html


def test_only_the_public_one_of_the_two_contacts_is_shown(client):
    ally = MemberOrganizationFactory(**PRIVATE, contact_email_public=True, phone_public=False)

    html = client.get(url("members:ally_detail", slug=ally.slug)).content.decode()

    assert "segreto@example.org" in html
    assert "7654321" not in html


def test_the_default_order_is_served_by_the_partial_index(taxonomy):
    """The first page of the directory reads the partial index (public allies by name) instead of
    sorting them all: its predicate and order match the directory's query (EXPLAIN on PostgreSQL)."""
    from django.db import connection

    from members.filters import AllyFilterSet

    make_allies(3)
    with connection.cursor() as cursor:
        # A 3-row table: sorting would be cheaper; the point is that the index can serve the query.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off")
        plan = AllyFilterSet({}).qs[:24].explain()
    assert "ally_public_name_idx" in plan
    assert "Sort Key: members_ally.name" not in plan
