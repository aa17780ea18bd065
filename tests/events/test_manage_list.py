"""“Events you run” (issue 9): search in the title, status, upcoming or past, organizer by name, pages that
keep the filters, an accessible form; the same number of queries for one event or many."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories.events import EventFactory, RegistrationFactory, next_month_day, rome
from tests.factories.members import AllyManagerFactory, CoordinatorFactory, MemberOrganizationFactory

pytestmark = pytest.mark.django_db


def url(name="events:manage_list", **kwargs):
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def coordinator(client):
    user = CoordinatorFactory()
    client.force_login(user)
    return user


def titles(response):
    return [event.title for event in response.context["page_obj"]]


def days_ago(days, **kwargs):
    day = timezone.localdate() - timedelta(days=days)
    return EventFactory(start=rome(day, 9), end=rome(day, 18), **kwargs)


@pytest.mark.parametrize("count", [1, 6])
def test_filtered_list_takes_the_same_queries_for_one_or_many(client, coordinator, django_assert_num_queries, count):
    ally = MemberOrganizationFactory(name="Mag Verona")
    for n in range(count):
        event = EventFactory(title=f"Ciclo welfare {n}", day=next_month_day(1 + n), organizers=[ally])
        RegistrationFactory(event=event)
    EventFactory(title="Altro", organizers=[MemberOrganizationFactory()])

    # 11: the organizer is looked up among the allies one may look for (selectors.managed_event_organizers).
    with django_assert_num_queries(11):
        response = client.get(url(), {"q": "welfare", "status": "published", "organizer": "Mag Ver"})
    assert titles(response) == [f"Ciclo welfare {n}" for n in range(count)]
    assert [e.confirmed_count for e in response.context["page_obj"]] == [1] * count


def test_words_are_looked_for_in_the_title_in_any_order_and_case(client, coordinator):
    EventFactory(title="Imprese di nuovo welfare", day=next_month_day(3))
    EventFactory(title="Fare Rete 2027", day=next_month_day(4), draft=True)
    EventFactory(title="Welfare di comunità", day=next_month_day(5))

    assert titles(client.get(url(), {"q": "WELFARE"})) == ["Imprese di nuovo welfare", "Welfare di comunità"]
    assert titles(client.get(url(), {"q": "welfare imprese"})) == ["Imprese di nuovo welfare"]
    assert titles(client.get(url(), {"q": "rete"})) == ["Fare Rete 2027"]  # drafts are found too
    empty = client.get(url(), {"q": "orti"})
    assert titles(empty) == []
    assert "No upcoming event matches what you looked for:" in empty.content.decode()


def test_the_status_filter_shows_drafts_published_or_cancelled(client, coordinator):
    EventFactory(title="Bozza", draft=True, day=next_month_day(3))
    EventFactory(title="Pubblicato", day=next_month_day(4))
    EventFactory(title="Annullato", cancelled=True, day=next_month_day(5))

    assert titles(client.get(url(), {"status": "draft"})) == ["Bozza"]
    assert titles(client.get(url(), {"status": "published"})) == ["Pubblicato"]
    assert titles(client.get(url(), {"status": "cancelled"})) == ["Annullato"]
    assert titles(client.get(url())) == ["Bozza", "Pubblicato", "Annullato"]
    wrong = client.get(url(), {"status": "sbagliato"})
    assert wrong.status_code == 200 and titles(wrong) == []
    assert "Some of the filters are not valid" in wrong.content.decode()


def test_upcoming_by_start_by_default_and_past_newest_first(client, coordinator):
    EventFactory(title="Fra due mesi", day=next_month_day(20) + timedelta(days=31))
    EventFactory(title="Il mese prossimo", day=next_month_day(2))
    under_way = timezone.now()
    EventFactory(title="In corso", start=under_way - timedelta(hours=1), end=under_way + timedelta(hours=2))
    days_ago(40, title="Due mesi fa")
    days_ago(3, title="Settimana scorsa")

    upcoming = client.get(url())
    assert titles(upcoming) == ["In corso", "Il mese prossimo", "Fra due mesi"]
    assert titles(client.get(url(), {"when": "upcoming"})) == titles(upcoming)
    past = client.get(url(), {"when": "past"})
    assert titles(past) == ["Settimana scorsa", "Due mesi fa"]
    # The switch keeps the other filters; the form keeps the switch.
    html = client.get(url(), {"when": "past", "q": "fa"}).content.decode()
    assert 'href="?q=fa"' in html and 'aria-current="page">Past<' in html
    assert '<input type="hidden" name="when" value="past"' in html


def test_the_organizer_is_typed_by_name_and_a_wrong_name_is_explained(client, coordinator):
    mag = MemberOrganizationFactory(name="Mag Verona")
    cgm = MemberOrganizationFactory(name="Consorzio Cgm")
    MemberOrganizationFactory(name="Mag Servizi")
    EventFactory(title="Cooperiamo", organizers=[mag], day=next_month_day(3))
    EventFactory(title="Fare Rete", organizers=[cgm, mag], day=next_month_day(4))
    EventFactory(title="Da soli", organizers=[cgm], day=next_month_day(5))

    assert titles(client.get(url(), {"organizer": "Mag Verona"})) == ["Cooperiamo", "Fare Rete"]
    assert titles(client.get(url(), {"organizer": "cgm"})) == ["Fare Rete", "Da soli"]
    several = client.get(url(), {"organizer": "Mag"})
    assert titles(several) == []
    assert "Several allies match “Mag”" in several.content.decode()
    nobody = client.get(url(), {"organizer": "Nessuno"})
    assert titles(nobody) == [] and "No ally is called “Nessuno”" in nobody.content.decode()


def test_a_manager_filtering_by_another_ally_sees_only_the_events_they_run(client):
    manager = AllyManagerFactory(ally=MemberOrganizationFactory(name="Mag Verona"))
    partner = MemberOrganizationFactory(name="Consorzio Cgm")
    EventFactory(title="Insieme", organizers=[manager.ally, partner])
    EventFactory(title="Solo loro", organizers=[partner])
    client.force_login(manager.user)
    assert titles(client.get(url(), {"organizer": "Consorzio Cgm"})) == ["Insieme"]


def test_pages_keep_the_filters(client, coordinator):
    for n in range(27):
        EventFactory(title=f"Laboratorio {n:02}", day=next_month_day(1) + timedelta(days=n), draft=True)
    EventFactory(title="Laboratorio pubblico", day=next_month_day(2))

    first = client.get(url(), {"q": "laboratorio", "status": "draft"})
    assert len(titles(first)) == 25 and first.context["page_obj"].paginator.count == 27
    html = first.content.decode()
    assert 'href="?q=laboratorio&amp;status=draft&amp;page=2"' in html
    second = client.get(url(), {"q": "laboratorio", "status": "draft", "page": 2})
    assert titles(second) == ["Laboratorio 25", "Laboratorio 26"]


def test_the_filter_form_labels_every_field_and_loads_the_type_ahead(client, coordinator):
    EventFactory()
    html = client.get(url()).content.decode()
    start = html.index('class="portal-form directory-filters__form"')
    form = html[start : html.index("</form>", start)]
    for name in ("q", "status", "organizer"):
        assert re.search(rf'<label[^>]*for="id_{name}"', form), name
        assert f'id="id_{name}"' in form
    assert "data-ally-search=" in form
    assert "/static/js/ally-search.js" in html
    assert 'aria-labelledby="filters-title"' in form
