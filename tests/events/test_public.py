"""The public pages of events: the list with its filters, each event's page, its .ics and the feed.

Texts of the interface are checked on the English pages (the source strings),
titles and rows on the Italian ones (the default language).
"""

import json
import re
from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from alliance.models import Province, Region, Theme
from events.models import Event
from events.selectors import PUBLIC
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory, SpeakerFactory
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
WELFARE = "welfare-territoriale-generativo"
COMMONS = "rigenerazione-beni-comuni"


def url(name, language="it", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def listed(response):
    return [event.title for event in response.context["page_obj"]]


def today():
    return timezone.localdate(timezone.now(), ROME)


def at(days, hour=9, minute=30):
    """`days` from today, at hour:minute in Rome."""
    return datetime.combine(today() + timedelta(days=days), time(hour, minute), tzinfo=ROME)


def on_day(days, **kwargs):
    """An event `days` from today, 09:30–17:30."""
    return EventFactory(start=at(days), end=at(days, 17, 30), **kwargs)


def next_year(month, day, hour=9, minute=30):
    return datetime(today().year + 1, month, day, hour, minute, tzinfo=ROME)


def page(client, event, language="it"):
    return client.get(url("events:event_detail", language, slug=event.slug))


def structured(html):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


# The list --------------------------------------------------------------------------


def test_the_list_shows_the_public_upcoming_events_in_date_order(client):
    on_day(20, title="Tra venti giorni")
    on_day(5, title="Tra cinque giorni")
    on_day(10, title="Tra dieci giorni")
    on_day(7, title="Annullato", cancelled=True)
    on_day(3, title="Bozza", draft=True)
    on_day(-5, title="Passato")
    EventFactory(title="In corso", start=at(-1), end=at(1, 17, 30))

    response = client.get(url("events:event_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == ["In corso", "Tra cinque giorni", "Annullato", "Tra dieci giorni", "Tra venti giorni"]
    assert "Bozza" not in html
    assert "Passato" not in html
    assert html.count("<h1") == 1


def test_the_past_tab_shows_the_past_events_latest_first(client):
    on_day(-40, title="Quaranta giorni fa")
    on_day(-2, title="Due giorni fa")
    on_day(-10, title="Dieci giorni fa", cancelled=True)
    on_day(-3, title="Bozza passata", draft=True)
    on_day(4, title="Futuro")
    EventFactory(title="In corso", start=at(-1), end=at(1, 17, 30))

    response = client.get(url("events:event_list", "en"), {"when": "past"})

    html = response.content.decode()
    assert listed(response) == ["Due giorni fa", "Dieci giorni fa", "Quaranta giorni fa"]
    assert '<a href="?when=past" aria-current="page">Past events</a>' in html
    assert '<a href="?">Upcoming events</a>' in html
    assert '<input type="hidden" name="when" value="past" id="id_when">' in html


def test_the_cards_show_dates_place_organizers_themes_and_state(client, taxonomy):
    organizer = MemberOrganizationFactory(name="Cooperativa Sole")
    reggio = Province.objects.get(abbreviation="RE")
    one_day = EventFactory(
        title="Giornata a Reggio",
        kind="workshop_series",
        start=next_year(3, 10, 9, 30),
        end=next_year(3, 10, 17, 30),
        city="Reggio Emilia",
        province=reggio,
        organizers=[organizer],
        themes=[Theme.objects.get(slug=WELFARE)],
    )
    EventFactory(
        title="Due giorni online",
        kind="webinar",
        start=next_year(3, 11, 15, 0),
        end=next_year(3, 12, 18, 0),
        venue_name="",
        address="",
        city="",
        online_url="https://meet.example.org/rete",
        capacity=1,
    )
    full = EventFactory.create(title="Pieno", start=next_year(3, 13), end=next_year(3, 13, 12), capacity=1)
    RegistrationFactory(event=full)
    EventFactory(title="Annullato", start=next_year(3, 14), end=next_year(3, 14, 12), cancelled=True)
    EventFactory(title="Senza iscrizione", start=next_year(3, 15), end=next_year(3, 15, 12), registration_policy="none")

    html = client.get(url("events:event_list", "en")).content.decode()

    cards = dict(
        re.findall(
            r'<article class="event-card[^"]*">\s*<h3 class="event-card__title" lang="it"><a href="[^"]+">([^<]+)</a>(.*?)</article>',
            html,
            re.S,
        )
    )
    assert list(cards) == ["Giornata a Reggio", "Due giorni online", "Pieno", "Annullato", "Senza iscrizione"]
    year = today().year + 1
    assert f'<a href="{url("events:event_detail", "en", slug=one_day.slug)}">Giornata a Reggio</a>' in html
    first = cards["Giornata a Reggio"]
    assert '<p class="event-card__kind">Workshop series</p>' in first
    assert f'<span class="visually-hidden">When: </span>10 March {year}, 09:30–17:30</p>' in first
    assert '<span class="visually-hidden">Where: </span>Reggio Emilia (RE)</p>' in first
    assert '<span class="event-card__label">Organized by</span> Cooperativa Sole</p>' in first
    assert "<li>Generative local welfare</li>" in first
    assert '<span class="event-badge event-badge--open">Registration open</span>' in first
    online = cards["Due giorni online"]
    assert f'<span class="visually-hidden">When: </span>from 11 March {year} to 12 March {year}</p>' in online
    assert '<span class="visually-hidden">Where: </span>Online</p>' in online
    assert "Registration open" in online
    assert '<span class="event-badge event-badge--full">Full – waiting list</span>' in cards["Pieno"]
    assert '<span class="event-badge event-badge--cancelled">Event cancelled</span>' in cards["Annullato"]
    assert "Registration open" not in cards["Annullato"]
    assert "event-card__status" not in cards["Senza iscrizione"]


def test_a_later_page_counts_the_seats_of_its_own_events_only(client, django_assert_num_queries, taxonomy):
    """The seats taken are counted for the page's events (not in the list's query, where a later page would
    count them for every event it skips): page 2 takes the queries of page 1 and tells full from open."""
    for day in range(1, 21):
        EventFactory(title=f"Incontro {day:02}", start=next_year(4, day), end=next_year(4, day, 12), capacity=5)
    full = EventFactory(title="Pieno", start=next_year(5, 2), end=next_year(5, 2, 12), capacity=1)
    RegistrationFactory(event=full)
    roomy = EventFactory(title="Con posti", start=next_year(5, 3), end=next_year(5, 3, 12), capacity=2)
    RegistrationFactory(event=roomy)

    with django_assert_num_queries(7):
        response = client.get(url("events:event_list", "en"), {"page": "2"})

    assert listed(response) == ["Pieno", "Con posti"]
    html = response.content.decode()
    assert html.count("event-badge--full") == 1
    assert html.index("event-badge--full") < html.index("Con posti") < html.index("event-badge--open")


def test_every_filter_field_has_a_label_in_a_search_form(client, taxonomy):
    html = client.get(url("events:event_list", "en")).content.decode()

    form = re.search(r'<form class="portal-form directory-filters__form" method="get".*?</form>', html, re.S).group(0)
    ids = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', form)
    assert ids == ["id_q", "id_kind", "id_theme", "id_region", "id_month", "id_organizer", "id_open", "id_when"]
    for field_id in ids[:-1]:
        assert f'<label for="{field_id}">' in form, field_id
    assert 'type="month"' in form
    assert "csrfmiddlewaretoken" not in form


def test_filter_by_kind(client):
    on_day(3, title="Formazione", kind="training")
    on_day(4, title="Convegno", kind="conference")
    on_day(5, title="Altra formazione", kind="training")

    response = client.get(url("events:event_list"), {"kind": "training"})

    assert listed(response) == ["Formazione", "Altra formazione"]


def test_filter_by_theme(client, taxonomy):
    welfare, commons = Theme.objects.get(slug=WELFARE), Theme.objects.get(slug=COMMONS)
    on_day(3, title="Due temi", themes=[welfare, commons])
    on_day(4, title="Beni comuni", themes=[commons])
    on_day(5, title="Welfare", themes=[welfare])
    on_day(6, title="Nessun tema")

    response = client.get(url("events:event_list"), {"theme": WELFARE})

    assert listed(response) == ["Due temi", "Welfare"]


def test_filter_by_region_of_the_event_or_of_its_province(client, taxonomy):
    emilia = Region.objects.get(slug="emilia-romagna")
    on_day(3, title="Regione", region=emilia)
    on_day(4, title="Provincia", province=Province.objects.get(abbreviation="RE"))
    on_day(5, title="Lombardia", region=Region.objects.get(slug="lombardia"))
    on_day(6, title="Online")

    response = client.get(url("events:event_list"), {"region": "emilia-romagna"})

    assert listed(response) == ["Regione", "Provincia"]


def test_filter_by_organizer(client):
    sole, ponte = MemberOrganizationFactory(name="Sole"), MemberOrganizationFactory(name="Ponte")
    on_day(3, title="Insieme", organizers=[sole, ponte])
    on_day(4, title="Del Ponte", organizers=[ponte])
    on_day(5, title="Del Sole", organizers=[sole])

    response = client.get(url("events:event_list"), {"organizer": sole.slug})
    typed = client.get(url("events:event_list"), {"organizer": "  ponTE "})

    html = response.content.decode()
    assert listed(response) == ["Insieme", "Del Sole"]
    assert listed(typed) == ["Insieme", "Del Ponte"]
    # a text field with a type-ahead, not a select of every organizer; once chosen, the full name
    field = re.search(r'<input type="text" name="organizer"[^>]*>', html).group(0)
    assert 'value="Sole"' in field
    assert f'data-ally-search="{url("events:organizer_names")}"' in field
    assert "<option" not in html.split('name="organizer"')[1].split("</div>")[0]


def test_the_organizer_choices_are_the_approved_allies_that_organize_public_events(client):
    MemberOrganizationFactory(name="Senza eventi")
    draft_only = MemberOrganizationFactory(name="Solo bozze")
    on_day(3, draft=True, organizers=[draft_only])
    on_day(4, organizers=[OrganizationFactory(name="Non approvata"), MemberOrganizationFactory(name="Organizzatrice")])

    response = client.get(url("events:event_list"))
    names = client.get(url("events:organizer_names"), {"q": "e"})
    refused = client.get(url("events:event_list", "en"), {"organizer": "Senza eventi"})

    field = response.context["filter"].form.fields["organizer"]
    assert [ally.name for ally in field.queryset] == ["Organizzatrice"]
    assert names.json() == {
        "results": [
            {
                "name": "Organizzatrice",
                "slug": Event.objects.get(organizers__name="Organizzatrice").organizers.get(name="Organizzatrice").slug,
            }
        ]
    }
    assert not names.cookies
    assert listed(refused) == []
    assert refused.context["filter"].form.errors["organizer"] == [
        "No ally is called “Senza eventi”: check the name on the ally's page."
    ]


def test_the_page_does_not_grow_with_the_number_of_organizers(client):
    """The organizer filter used to offer every organizing ally as an option (2,347 at scale)."""
    on_day(3, title="Incontro")
    on_day(-30, title="Passato", organizers=[MemberOrganizationFactory(name="Zebedeo 0")])
    before = client.get(url("events:event_list")).content

    for number in range(1, 40):
        organizer = MemberOrganizationFactory(name=f"Zebedeo {number}")
        on_day(-30 - number, title=f"Passato {number}", organizers=[organizer])
    after = client.get(url("events:event_list")).content

    assert len(after) == len(before)
    assert b"Zebedeo" not in after


def test_filter_by_month_keeps_the_events_that_overlap_it(client):
    EventFactory(title="Marzo", start=next_year(3, 10), end=next_year(3, 10, 17))
    EventFactory(title="Da febbraio a marzo", start=next_year(2, 28), end=next_year(3, 1, 12))
    EventFactory(title="Da marzo ad aprile", start=next_year(3, 31, 18), end=next_year(4, 1, 12))
    EventFactory(title="Ultimo giorno di febbraio", start=next_year(2, 28), end=next_year(2, 28, 23, 30))
    EventFactory(title="Aprile", start=next_year(4, 1), end=next_year(4, 1, 17))

    response = client.get(url("events:event_list", "en"), {"month": f"{today().year + 1}-03"})

    html = response.content.decode()
    assert listed(response) == ["Da febbraio a marzo", "Marzo", "Da marzo ad aprile"]
    assert f'value="{today().year + 1}-03"' in html


def test_filter_registration_open_now(client):
    now = timezone.now()
    on_day(3, title="Aperta")
    on_day(4, title="Aperta fino a domani", registration_closes_at=now + timedelta(days=1))
    on_day(5, title="Aperta da ieri", registration_opens_at=now - timedelta(days=1))
    on_day(6, title="Senza iscrizione", registration_policy="none")
    on_day(7, title="Solo soci", registration_policy="members")
    on_day(8, title="Non ancora aperta", registration_opens_at=now + timedelta(days=1))
    on_day(9, title="Chiusa", registration_closes_at=now - timedelta(hours=1))
    on_day(10, title="Annullata", cancelled=True)
    EventFactory(title="Già iniziata", start=now - timedelta(hours=1), end=now + timedelta(hours=3))

    response = client.get(url("events:event_list"), {"open": "on"})

    assert listed(response) == ["Aperta", "Aperta fino a domani", "Aperta da ieri", "Solo soci"]
    assert [e.title for e in Event.objects.all() if e.registration_state() == "open"] == listed(response)


def test_search_finds_words_in_title_summary_and_city_in_italian(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows, as after a commit
        on_day(3, title="Laboratorio di teatro", summary="Lavorare insieme.")
        on_day(4, title="Assemblea", summary="Le cooperative sociali si incontrano.")
        on_day(5, title="Assemblea a Parma", summary="Incontro.", city="Parma")
        on_day(6, title="Altro", summary="Niente.")
        on_day(-6, title="Cooperative, edizione passata", summary="Niente.")

    cooperative = client.get(url("events:event_list"), {"q": "cooperativa"})
    parma = client.get(url("events:event_list"), {"q": "parma"})
    past = client.get(url("events:event_list"), {"q": "cooperative", "when": "past"})

    assert listed(cooperative) == ["Assemblea"]
    assert listed(parma) == ["Assemblea a Parma"]
    assert listed(past) == ["Cooperative, edizione passata"]


def test_the_list_finds_what_the_site_search_finds(client, taxonomy, django_capture_on_commit_callbacks):
    """One engine (alliance.search): accents, plurals, places, sessions, speakers, title matches first;
    drafts never."""
    with django_capture_on_commit_callbacks(execute=True):
        giornata = on_day(3, title="Giornata della Generatività", summary="Una giornata di lavoro.")
        SessionFactory(event=giornata, title="Laboratorio sugli orti urbani")
        SpeakerFactory(event=giornata, name="Marta Rossini")
        on_day(
            4, title="Orti in festa", summary="Cooperative e orto.", province=Province.objects.get(abbreviation="VR")
        )
        on_day(5, title="Orto segreto", summary="Generatività e cooperativa.", draft=True)

    def found(words):
        titles = listed(client.get(url("events:event_list"), {"q": words}))
        site = client.get(url("alliance:search"), {"q": words, "kind": "event"}).context["results"]
        assert sorted(titles) == sorted(d.title for d in site.page_obj)
        return titles

    assert found("generativita") == ["Giornata della Generatività"]  # without the accent
    assert found("cooperativa") == ["Orti in festa"]  # "cooperative" in its summary
    # every word in the title first, then by date
    assert found("orto") == ["Orti in festa", "Giornata della Generatività"]
    assert found("verona") == ["Orti in festa"]  # its province
    assert found("rossini") == ["Giornata della Generatività"]  # a speaker
    assert found("segreto") == []  # a draft, never


def test_filters_combine(client, taxonomy):
    welfare = Theme.objects.get(slug=WELFARE)
    on_day(3, title="Formazione welfare", kind="training", themes=[welfare])
    on_day(4, title="Convegno welfare", kind="conference", themes=[welfare])
    on_day(5, title="Formazione senza tema", kind="training")

    response = client.get(url("events:event_list"), {"kind": "training", "theme": WELFARE})

    assert listed(response) == ["Formazione welfare"]


# Pagination, invalid values and the empty state -------------------------------------


def test_pagination_shows_20_per_page_and_keeps_the_filters(client):
    for number in range(1, 23):
        EventFactory(title=f"Formazione {number:02d}", kind="training", start=at(number), end=at(number, 17))
    on_day(1, title="Convegno", kind="conference")

    first = client.get(url("events:event_list", "en"), {"kind": "training"})
    second = client.get(url("events:event_list", "en"), {"kind": "training", "page": "2"})

    assert listed(first) == [f"Formazione {number:02d}" for number in range(1, 21)]
    assert listed(second) == ["Formazione 21", "Formazione 22"]
    assert 'href="?kind=training&amp;page=2"' in first.content.decode()
    assert 'href="?kind=training&amp;page=1" rel="prev"' in second.content.decode()
    assert "22 events found. Page 1 of 2." in first.content.decode()
    assert (
        '<nav class="pagination-wrapper portal-pagination" aria-label="Pages of the events">' in first.content.decode()
    )


@pytest.mark.parametrize(
    "params",
    [
        {"month": "2026-13"},
        {"month": "marzo"},
        {"theme": "non-esiste"},
        {"region": "atlantide"},
        {"organizer": "nessuno"},
        {"kind": "festa"},
        {"when": "domani"},
        {"q": "x" * 201},
    ],
)
def test_an_invalid_filter_shows_the_error_and_no_results(client, taxonomy, params):
    on_day(3, title="Incontro")

    response = client.get(url("events:event_list", "en"), params)

    html = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == []
    assert list(response.context["filter"].errors) == list(params)
    assert "Some of the filters are not valid: correct them, or clear the filters." in html
    assert f'<a href="{url("events:event_list", "en")}">Clear the filters and see the upcoming events</a>' in html


def test_an_invalid_month_says_how_to_write_it(client):
    html = client.get(url("events:event_list", "en"), {"month": "2026-13"}).content.decode()

    assert "Enter a month as year and month, e.g. 2026-03." in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize("month", ["9999-12", "2101-01", "1899-12"])
def test_a_month_outside_the_years_1900_to_2100_is_invalid_like_any_other(client, month):
    on_day(3, title="Incontro")

    response = client.get(url("events:event_list", "en"), {"month": month})

    assert response.status_code == 200
    assert listed(response) == []
    assert response.context["filter"].errors == {"month": ["Enter a month as year and month, e.g. 2026-03."]}


@pytest.mark.parametrize(("month", "params"), [("1900-01", {"when": "past"}), ("2100-12", {})])
def test_the_first_and_the_last_month_accepted_filter_the_list(client, month, params):
    year, number = map(int, month.split("-"))
    EventFactory(
        title="Quel mese",
        start=datetime(year, number, 10, 9, 30, tzinfo=ROME),
        end=datetime(year, number, 10, 17, tzinfo=ROME),
    )

    response = client.get(url("events:event_list", "en"), {"month": month, **params})

    assert response.status_code == 200
    assert response.context["filter"].errors == {}
    assert listed(response) == ["Quel mese"]


def test_the_empty_state_says_what_was_searched_and_offers_a_way_out(client, taxonomy):
    on_day(3, title="Incontro")

    response = client.get(
        url("events:event_list", "en"), {"q": "astronavi", "region": "lombardia", "open": "on", "month": "2030-05"}
    )

    html = response.content.decode()
    assert listed(response) == []
    assert '<p class="directory-results__count" role="status">0 events found.</p>' in html
    assert "No upcoming event matches what you looked for:" in html
    assert "<li>Words to look for: “astronavi”</li>" in html
    assert "<li>Region: “Lombardy”</li>" in html
    assert "<li>Month: “May 2030”</li>" in html
    assert "<li>Only events open for registration: “yes”</li>" in html
    assert f'<a href="{url("events:event_list", "en")}">Clear the filters and see the upcoming events</a>' in html
    assert "Look among the past events</a>" in html


def test_with_no_event_the_list_says_so(client):
    on_day(3, title="Bozza", draft=True)

    html = client.get(url("events:event_list", "en")).content.decode()

    assert "No event is planned at the moment." in html
    assert "Clear the filters" not in html.split('<div class="empty-state">')[1]


# Queries and cookies ---------------------------------------------------------------


def make_events(count):
    organizers = [MemberOrganizationFactory(), MemberOrganizationFactory()]
    themes = [Theme.objects.get(slug=WELFARE), Theme.objects.get(slug=COMMONS)]
    for number in range(count):
        event = on_day(
            number + 2,
            title=f"Cooperazione {number}",
            province=Province.objects.get(abbreviation="RE"),
            region=Region.objects.get(slug="emilia-romagna"),
            organizers=organizers,
            themes=themes,
            capacity=10,
        )
        RegistrationFactory(event=event)


@pytest.mark.parametrize("item_count", [1, 3])
def test_list_query_count_does_not_grow(client, django_assert_num_queries, taxonomy, item_count):
    make_events(item_count)

    # count, events, their themes, their organizers, the seats taken of those open with a limit; themes and
    # regions of the filters (the organizer is typed, not chosen among every ally)
    with django_assert_num_queries(7):
        response = client.get(url("events:event_list"))

    assert len(listed(response)) == item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_filtered_list_query_count_does_not_grow(
    client, django_assert_num_queries, django_capture_on_commit_callbacks, taxonomy, item_count
):
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows
        make_events(item_count)
    organizer = Event.objects.first().organizers.first()

    # as above, plus the theme, the region and the organizer looked up from their slugs
    with django_assert_num_queries(10):
        response = client.get(
            url("events:event_list"),
            {
                "q": "cooperazione",
                "theme": WELFARE,
                "region": "emilia-romagna",
                "organizer": organizer.slug,
                "open": "on",
                "kind": "conference",
            },
        )

    assert len(listed(response)) == item_count


def test_anonymous_readers_get_no_cookie(client, taxonomy):
    event = on_day(3)
    SessionFactory(event=event)

    for response in [
        client.get(url("events:event_list")),
        client.get(url("events:event_list"), {"q": "incontro", "region": "lombardia", "when": "past", "page": "2"}),
        client.get(url("events:event_list"), {"month": "sbagliato"}),
        page(client, event),
        client.get(url("events:event_ics", slug=event.slug)),
        client.get(url("events:feed")),
    ]:
        assert response.status_code == 200
        assert response.cookies == {}
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_public_pages_answer_only_get_and_head(client):
    event = on_day(3)

    for address in [
        url("events:event_list"),
        url("events:event_detail", slug=event.slug),
        url("events:event_ics", slug=event.slug),
        url("events:feed"),
    ]:
        assert client.post(address).status_code == 405
        assert client.head(address).status_code == 200


# The page of an event -------------------------------------------------------------


def test_the_page_shows_the_event(client, taxonomy):
    organizer = MemberOrganizationFactory(name="Cooperativa Sole")
    pending = OrganizationFactory(name="Associazione in attesa")
    event = EventFactory(
        title="Due giorni di generatività",
        kind="conference",
        summary="Due giornate per lavorare insieme.",
        description="Primo paragrafo.\n\nSecondo paragrafo.",
        start=next_year(3, 10, 9, 30),
        end=next_year(3, 11, 17, 0),
        venue_name="Centro Loris Malaguzzi",
        address="Viale Ramazzini 72/a",
        city="Reggio Emilia",
        province=Province.objects.get(abbreviation="RE"),
        region=Region.objects.get(slug="emilia-romagna"),
        online_url="https://meet.example.org/generativita",
        step_free_access=True,
        interpretation="Lingua dei segni italiana (LIS)",
        accessibility_notes="Sala con anello magnetico.",
        language="it",
        organizers=[organizer, pending],
        themes=[Theme.objects.get(slug=WELFARE)],
        cover_image="events/covers/generativita.jpg",
        programme_pdf="events/programmes/generativita.pdf",
        capacity=None,
    )

    response = page(client, event, "en")

    html = response.content.decode()
    year = today().year + 1
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert '<h1 class="event-page__title" lang="it">Due giorni di generatività</h1>' in html
    assert '<p class="event-page__kind">Conference</p>' in html
    assert (
        f'From <time datetime="{year}-03-10T09:30:00+01:00">10 March {year}</time> '
        f'to <time datetime="{year}-03-11T17:00:00+01:00">11 March {year}</time>'
    ) in html
    weekday = date(year, 3, 10).strftime("%A")
    following = date(year, 3, 11).strftime("%A")
    assert f"from {weekday} 10 March {year}, 09:30 to {following} 11 March {year}, 17:00" in html
    assert (
        '<dd class="event-facts__address">Centro Loris Malaguzzi<br>Viale Ramazzini 72/a<br>Reggio Emilia (RE)</dd>'
        in html
    )
    assert (
        '<a href="https://meet.example.org/generativita" rel="noopener">https://meet.example.org/generativita</a>'
        in html
    )
    assert "<dt>Region</dt>\n            <dd>Emilia-Romagna</dd>" in html
    assert "<dt>Language</dt>\n          <dd>Italian</dd>" in html
    assert (
        "<li>Associazione in attesa</li>"
        f'<li><a href="{url("members:ally_detail", "en", slug=organizer.slug)}">Cooperativa Sole</a></li>'
    ) in html
    assert "<li>Generative local welfare</li>" in html
    assert '<a href="/media/events/programmes/generativita.pdf">Download the programme (PDF)</a>' in html
    assert '<img class="event-page__cover" src="/media/events/covers/generativita.jpg" alt="">' in html
    assert '<p class="lead event-page__summary" lang="it">Due giornate per lavorare insieme.</p>' in html
    assert '<div class="event-page__text" lang="it"><p>Primo paragrafo.</p>\n\n<p>Secondo paragrafo.</p></div>' in html
    assert "<li>Step-free access</li>" in html
    assert "<li>Interpretation: Lingua dei segni italiana (LIS)</li>" in html
    assert "<p>Sala con anello magnetico.</p>" in html
    assert f'<a href="{url("events:event_ics", "en", slug=event.slug)}" download>Calendar file (.ics)</a>' in html
    assert "seats left" not in html
    assert "Draft – not public" not in html
    assert "cancelled" not in html.lower()
    assert ">Edit</a>" not in html
    assert 'href="/en/allies/' + pending.slug not in html


def test_the_google_calendar_link_carries_the_event(client):
    event = EventFactory(
        title="Incontro a Reggio",
        summary="Per conoscersi.",
        start=datetime(today().year + 1, 7, 1, 9, 30, tzinfo=ROME),
        end=datetime(today().year + 1, 7, 1, 17, 30, tzinfo=ROME),
        venue_name="Centro civico",
        address="Via Roma 1",
        city="Reggio Emilia",
    )

    html = page(client, event).content.decode()

    link = re.search(r'<a href="(https://calendar\.google\.com/[^"]+)" rel="noopener nofollow">', html).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    year = today().year + 1
    assert query == {
        "action": ["TEMPLATE"],
        "text": ["Incontro a Reggio"],
        "dates": [f"{year}0701T073000Z/{year}0701T153000Z"],
        "details": [f"Per conoscersi.\n\nhttp://testserver{event.get_absolute_url()}"],
        "location": ["Centro civico, Via Roma 1, Reggio Emilia"],
        "ctz": ["Europe/Rome"],
    }


def test_a_draft_is_not_found_by_visitors_and_other_users(client):
    event = on_day(3, draft=True)
    SessionFactory(event=event)

    anonymous = page(client, event)
    anonymous_ics = client.get(url("events:event_ics", slug=event.slug))
    client.force_login(VerifiedUserFactory())
    other_user = page(client, event)
    other_ics = client.get(url("events:event_ics", slug=event.slug))
    manager_of_another_ally = AllyManagerFactory(ally=MemberOrganizationFactory()).user
    client.force_login(manager_of_another_ally)
    other_manager = page(client, event)

    assert [anonymous.status_code, other_user.status_code, other_manager.status_code] == [404, 404, 404]
    assert [anonymous_ics.status_code, other_ics.status_code] == [404, 404]
    assert page(client, EventFactory.build(slug="non-esiste")).status_code == 404


def test_a_coordinator_sees_a_draft_with_the_notice_and_the_edit_link(client):
    event = on_day(3, title="In preparazione", draft=True)
    client.force_login(CoordinatorFactory())

    response = page(client, event, "en")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Draft – not public</strong>" in html
    assert (
        f'<a class="btn btn-outline-primary" href="{url("events:event_edit", "en", slug=event.slug)}">Edit</a>'
    ) in html
    assert "This event is not published." in html
    assert 'href="' + url("events:register", "en", slug=event.slug) not in html
    assert client.get(url("events:event_ics", slug=event.slug)).status_code == 200


def test_the_manager_of_an_organizing_ally_sees_the_draft(client):
    manager = AllyManagerFactory(ally=MemberOrganizationFactory())
    event = on_day(3, draft=True, organizers=[manager.ally])
    client.force_login(manager.user)

    html = page(client, event, "en").content.decode()

    assert "<strong>Draft – not public</strong>" in html
    assert ">Edit</a>" in html


def test_a_draft_cancelled_before_publication_stays_private(client):
    organizer = MemberOrganizationFactory(name="Solo una bozza annullata")
    manager = AllyManagerFactory(ally=organizer)
    event = on_day(3, title="Bozza annullata", draft=True, organizers=[organizer])
    event.status, event.cancelled_at = Event.Status.CANCELLED, timezone.now()
    event.save()
    on_day(4, title="Annullato dopo la pubblicazione", cancelled=True)

    listing = client.get(url("events:event_list"))
    feed = Calendar.from_ical(client.get(url("events:feed")).content)
    anonymous = page(client, event)
    anonymous_ics = client.get(url("events:event_ics", slug=event.slug))
    register = client.get(url("events:register", slug=event.slug))
    client.force_login(VerifiedUserFactory())
    other_user = page(client, event)
    client.force_login(manager.user)
    organizer_page = page(client, event)

    assert listed(listing) == ["Annullato dopo la pubblicazione"]
    assert list(listing.context["filter"].form.fields["organizer"].queryset) == []
    assert [str(c["summary"]) for c in feed.walk("VEVENT")] == ["Annullato dopo la pubblicazione"]
    assert [anonymous.status_code, anonymous_ics.status_code, register.status_code, other_user.status_code] == [
        404,
        404,
        404,
        404,
    ]
    assert organizer_page.status_code == 200


def test_a_cancelled_event_shows_the_banner(client):
    event = on_day(3, title="Annullato", cancelled=True)
    event.cancelled_at = datetime(today().year, 1, 5, 12, 0, tzinfo=ROME)
    event.save()

    response = page(client, event, "en")

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<div class="alert alert-danger event-page__cancelled" role="alert">\n'
        f'      <p class="mb-0"><strong>This event has been cancelled.</strong> Cancelled on 5 January {today().year}.</p>'
    ) in html
    assert '<p class="event-registration__closed">This event has been cancelled.</p>' in html
    assert "Register</a>" not in html


# The programme ---------------------------------------------------------------------


def test_the_programme_groups_sessions_by_day_and_slot_with_parallel_sessions_in_room_order(client):
    first_day = date(today().year + 1, 5, 20)
    event = EventFactory(
        start=datetime.combine(first_day, time(9, 30), tzinfo=ROME),
        end=datetime.combine(first_day + timedelta(days=1), time(13, 0), tzinfo=ROME),
    )
    SessionFactory(
        event=event, day=first_day, start_time=time(9, 30), end_time=time(10, 30), title="Plenaria di apertura"
    )
    SessionFactory(
        event=event,
        day=first_day,
        start_time=time(11),
        end_time=time(13),
        kind="workshop",
        room="Sala B",
        title="Laboratorio B",
    )
    SessionFactory(
        event=event,
        day=first_day,
        start_time=time(11),
        end_time=time(13),
        kind="workshop",
        room="Sala A",
        title="Laboratorio A",
    )
    SessionFactory(event=event, day=first_day, start_time=time(13), end_time=time(14), kind="break", title="Pranzo")
    SessionFactory(
        event=event,
        day=first_day + timedelta(days=1),
        start_time=time(9, 30),
        end_time=time(12),
        title="Plenaria finale",
    )

    response = page(client, event, "en")

    programme = [
        [[(slot["start"], slot["end"]), [session.title for session in slot["sessions"]]] for slot in day["slots"]]
        for day in response.context["programme"]
    ]
    assert [day["day"] for day in response.context["programme"]] == [first_day, first_day + timedelta(days=1)]
    assert programme == [
        [
            [(time(9, 30), time(10, 30)), ["Plenaria di apertura"]],
            [(time(11), time(13)), ["Laboratorio A", "Laboratorio B"]],
            [(time(13), time(14)), ["Pranzo"]],
        ],
        [[(time(9, 30), time(12)), ["Plenaria finale"]]],
    ]
    html = response.content.decode()
    parallel = re.search(
        r'<ul class="programme-slot__sessions programme-slot__sessions--parallel">(.*?)</ul>\s*</li>', html, re.S
    ).group(1)
    assert re.findall(r'<h4 class="programme-session__title">([^<]+)</h4>', parallel) == [
        "Laboratorio A",
        "Laboratorio B",
    ]
    assert html.count("programme-slot__sessions--parallel") == 1
    assert "2 parallel sessions" in html
    assert (
        '<p class="programme-session__meta">Workshop · <span class="programme-session__room">Room: Sala A</span></p>'
        in html
    )
    assert f'<time datetime="{first_day:%Y-%m-%d}">' in html


def test_each_session_shows_its_speakers_and_seats(client):
    event = on_day(10)
    ally = MemberOrganizationFactory(name="Cooperativa Sole")
    anna = SpeakerFactory(event=event, name="Anna Rossi", role="Presidente", affiliation="Cooperativa Sole", ally=ally)
    luca = SpeakerFactory(
        event=event, name="Luca Bianchi", role="", affiliation="Comune di Parma", to_be_confirmed=True
    )
    workshop = SessionFactory(
        event=event,
        title="Laboratorio",
        kind="workshop",
        room="Sala A",
        capacity=3,
        description="Si lavora in gruppi.",
        speakers=[anna, luca],
    )
    for _ in range(2):
        RegistrationFactory(event=event).session_choices.create(session=workshop, status="confirmed")
    RegistrationFactory(event=event, status="waitlisted").session_choices.create(session=workshop, status="waitlisted")
    full = SessionFactory(event=event, title="Pieno", capacity=1, start_time=time(15), end_time=time(16))
    RegistrationFactory(event=event).session_choices.create(session=full, status="confirmed")
    SessionFactory(event=event, title="Plenaria", speakers=[anna], start_time=time(16), end_time=time(17))

    html = page(client, event, "en").content.decode()

    session = re.search(r'<h4 class="programme-session__title">Laboratorio</h4>(.*?)</article>', html, re.S).group(1)
    assert (
        f'<li class="speaker-line"><a href="{url("members:ally_detail", "en", slug=ally.slug)}">Anna Rossi</a>'
        '<span class="speaker-line__about">, Presidente, Cooperativa Sole</span></li>'
    ) in session
    assert (
        '<li class="speaker-line">Luca Bianchi<span class="speaker-line__about">, Comune di Parma</span> '
        '<span class="event-badge event-badge--tbc">to be confirmed</span></li>'
    ) in session
    assert "<p>Si lavora in gruppi.</p>" in session
    assert '<p class="programme-session__seats">One seat left of 3</p>' in session
    assert '<p class="programme-session__seats">No seats left: waiting list</p>' in html
    assert html.count("programme-session__seats") == 2

    speakers = re.search(r'<section class="event-speakers".*?</section>', html, re.S).group(0)
    assert re.findall(r'<h3 class="event-speaker__name">(?:<a [^>]+>)?([^<]+?)\s*<', speakers) == [
        "Anna Rossi",
        "Luca Bianchi",
    ]
    assert re.findall(r"(\w+) \(<time", speakers) == ["Laboratorio", "Plenaria", "Laboratorio"]


def test_seats_left_for_the_event(client):
    event = on_day(5, capacity=5)
    for _ in range(3):
        RegistrationFactory(event=event)
    RegistrationFactory(event=event, status="waitlisted")
    RegistrationFactory(event=event, status="cancelled")
    full = on_day(6, capacity=1)
    RegistrationFactory(event=full)

    html = page(client, event, "en").content.decode()
    full_html = page(client, full, "en").content.decode()

    assert '<p class="event-registration__seats">2 seats left of 5.</p>' in html
    assert (f'<a class="btn btn-primary" href="{url("events:register", "en", slug=event.slug)}">Register</a>') in html
    assert "All the seats are taken: you can join the waiting list." in full_html
    assert f'href="{url("events:register", "en", slug=full.slug)}">Join the waiting list</a>' in full_html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"registration_policy": "none"}, "This event has no registration."),
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "Registration is not open yet."),
        ({"registration_closes_at": timezone.now() - timedelta(days=1)}, "Registration is closed."),
        ({"start": at(-3), "end": at(-3, 17)}, "This event is over."),
    ],
)
def test_closed_registration_says_why(client, changes, message):
    event = EventFactory(**changes)

    html = page(client, event, "en").content.decode()

    assert f'<p class="event-registration__closed">{message}</p>' in html
    assert url("events:register", "en", slug=event.slug) not in html


def test_members_only_events_say_so(client):
    event = on_day(5, registration_policy="members")
    application = on_day(6, registration_policy="application")

    html = page(client, event, "en").content.decode()
    application_html = page(client, application, "en").content.decode()

    assert "This event is for members of the alliance: register with the account of an approved ally." in html
    assert f'href="{url("events:register", "en", slug=event.slug)}">Register</a>' in html
    assert "Participation is on application" in application_html
    assert f'href="{url("events:register", "en", slug=application.slug)}">Apply to take part</a>' in application_html


def test_public_participants_are_only_those_who_consented(client):
    event = on_day(5)
    RegistrationFactory(event=event, name="Zeno Pubblico", organization="Comune di Parma", public_consent=True)
    RegistrationFactory(event=event, name="Anna Pubblica", public_consent=True)
    RegistrationFactory(event=event, name="Ildebrando Riservatissimo", public_consent=False)
    RegistrationFactory(event=event, name="Ottavia In Attesa", public_consent=True, status="waitlisted")
    RegistrationFactory(event=event, name="Cesare Annullato", public_consent=True, status="cancelled")

    html = page(client, event, "en").content.decode()

    participants = re.search(r'<ul class="event-participants__list">\s*(.*?)\s*</ul>', html, re.S).group(1)
    assert participants == (
        "<li>Anna Pubblica</li>"
        '<li>Zeno Pubblico <span class="event-participants__organization">(Comune di Parma)</span></li>'
    )
    for hidden in ["Ildebrando", "Riservatissimo", "Ottavia", "Cesare", "partecipante"]:
        assert hidden not in html


# Structured data -------------------------------------------------------------------


def test_the_page_has_schema_org_event_data(client, taxonomy):
    organizer = MemberOrganizationFactory(name="Cooperativa Sole")
    event = EventFactory(
        title="Incontro della rete",
        summary="Per conoscersi.",
        start=datetime(today().year + 1, 7, 1, 9, 30, tzinfo=ROME),
        end=datetime(today().year + 1, 7, 1, 17, 30, tzinfo=ROME),
        venue_name="Centro civico",
        address="Via Roma 1",
        city="Reggio Emilia",
        province=Province.objects.get(abbreviation="RE"),
        organizers=[organizer],
    )
    year = today().year + 1

    data = structured(page(client, event).content.decode())

    assert data == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "Incontro della rete",
        "startDate": f"{year}-07-01T09:30:00+02:00",
        "endDate": f"{year}-07-01T17:30:00+02:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "description": "Per conoscersi.",
        "url": f"http://testserver{event.get_absolute_url()}",
        "inLanguage": "it",
        "location": {
            "@type": "Place",
            "name": "Centro civico",
            "address": {
                "@type": "PostalAddress",
                "addressCountry": "IT",
                "streetAddress": "Via Roma 1",
                "addressLocality": "Reggio Emilia",
                "addressRegion": "RE",
            },
        },
        "organizer": [
            {
                "@type": "Organization",
                "name": "Cooperativa Sole",
                "url": f"http://testserver{url('members:ally_detail', slug=organizer.slug)}",
            }
        ],
    }


def test_structured_data_of_cancelled_online_and_mixed_events(client):
    online = on_day(5, cancelled=True, venue_name="", address="", city="", online_url="https://meet.example.org/a")
    mixed = on_day(6, online_url="https://meet.example.org/b")

    online_data = structured(page(client, online).content.decode())
    mixed_data = structured(page(client, mixed).content.decode())

    assert online_data["eventStatus"] == "https://schema.org/EventCancelled"
    assert online_data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert online_data["location"] == {"@type": "VirtualLocation", "url": "https://meet.example.org/a"}
    assert mixed_data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [location["@type"] for location in mixed_data["location"]] == ["Place", "VirtualLocation"]


def test_a_malicious_title_cannot_close_the_script_element(client):
    title = '</script><script>alert("x")</script><!--'
    event = on_day(5, title=title, summary="a & b <b>")

    html = page(client, event).content.decode()

    head = html.split("</head>")[0]
    assert head.count("<script") == 1
    assert head.count("</script>") == 1
    assert "<script>alert" not in html
    data = structured(html)
    assert data["name"] == title
    assert data["description"] == "a & b <b>"


# Calendar files --------------------------------------------------------------------


def test_the_ics_has_the_event_and_its_sessions_in_rome_time(client):
    event = EventFactory(
        title="Due giorni",
        slug="due-giorni",
        start=datetime(today().year + 1, 7, 1, 9, 30, tzinfo=ROME),
        end=datetime(today().year + 1, 7, 2, 17, 0, tzinfo=ROME),
    )
    SessionFactory(
        event=event, title="Chiusura", day=date(today().year + 1, 7, 2), start_time=time(16), end_time=time(17)
    )
    SessionFactory(
        event=event,
        title="Apertura",
        day=date(today().year + 1, 7, 1),
        start_time=time(9, 30),
        end_time=time(10, 30),
        room="Sala grande",
    )

    response = client.get(url("events:event_ics", slug=event.slug))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="due-giorni.ics"'
    calendar = Calendar.from_ical(response.content)
    components = [(str(c["summary"]), c.decoded("dtstart"), c.decoded("dtend")) for c in calendar.walk("VEVENT")]
    year = today().year + 1
    assert components == [
        ("Due giorni", datetime(year, 7, 1, 9, 30, tzinfo=ROME), datetime(year, 7, 2, 17, 0, tzinfo=ROME)),
        ("Apertura – Due giorni", datetime(year, 7, 1, 9, 30, tzinfo=ROME), datetime(year, 7, 1, 10, 30, tzinfo=ROME)),
        ("Chiusura – Due giorni", datetime(year, 7, 2, 16, 0, tzinfo=ROME), datetime(year, 7, 2, 17, 0, tzinfo=ROME)),
    ]
    assert [str(c.decoded("dtstart").tzinfo) for c in calendar.walk("VEVENT")] == ["Europe/Rome"] * 3
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]


def test_the_feed_has_the_public_events_from_thirty_days_ago(client):
    on_day(10, title="Futuro")
    on_day(-20, title="Venti giorni fa")
    on_day(5, title="Annullato", cancelled=True)
    on_day(-40, title="Quaranta giorni fa")
    on_day(3, title="Bozza", draft=True)

    response = client.get(url("events:feed"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = [(str(c["summary"]), str(c["status"])) for c in calendar.walk("VEVENT")]
    assert events == [
        ("Venti giorni fa", "CONFIRMED"),
        ("Annullato", "CANCELLED"),
        ("Futuro", "CONFIRMED"),
    ]


# Queries of the page ----------------------------------------------------------------


def make_programme(event, count):
    ally = MemberOrganizationFactory()
    for number in range(count):
        speakers = [SpeakerFactory(event=event, ally=ally), SpeakerFactory(event=event)]
        SessionFactory(
            event=event,
            title=f"Laboratorio {number}",
            kind="workshop",
            room=f"Sala {number}",
            capacity=10,
            speakers=speakers,
        )
        RegistrationFactory(event=event, public_consent=True)


@pytest.mark.parametrize("item_count", [1, 3])
def test_page_query_count_does_not_grow(client, django_assert_num_queries, taxonomy, item_count):
    event = on_day(
        5,
        organizers=[MemberOrganizationFactory(), MemberOrganizationFactory()],
        themes=[Theme.objects.get(slug=WELFARE)],
        province=Province.objects.get(abbreviation="RE"),
        region=Region.objects.get(slug="emilia-romagna"),
    )
    make_programme(event, item_count)

    # event, themes, organizers, sessions, their speakers, speakers, their sessions, participants
    with django_assert_num_queries(8):
        response = page(client, event)

    assert len(response.context["speakers"]) == 2 * item_count
    assert len(response.context["participants"]) == item_count


def test_the_tab_indexes_have_the_condition_of_public_events():
    """The list's count and page read partial indexes (migration events 0012): PostgreSQL uses them only
    if their condition is the list's (events.selectors.PUBLIC), which events/models.py cannot import."""
    indexes = {index.name: index for index in Event._meta.indexes}
    assert indexes["event_public_start_end_idx"].condition == PUBLIC
    assert indexes["event_public_start_end_idx"].fields == ["start", "id", "end"]
    assert indexes["event_public_end_idx"].condition == PUBLIC
