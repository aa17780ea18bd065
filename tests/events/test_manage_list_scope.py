"""“Events you run”, the organizer filter after review: names are looked up only among the organizers of the
events one runs (coordinators: also every public ally), and the type-ahead answers whoever may see the list."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories.events import EventFactory, next_month_day
from tests.factories.members import (
    AllyFactory,
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db


def url(name="events:manage_list"):
    with translation.override("en"):
        return reverse(name)


def titles(response):
    return [event.title for event in response.context["page_obj"]]


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_a_pending_ally_is_neither_matched_nor_named_to_a_coordinator():
    mag = MemberOrganizationFactory(name="Mag Verona")
    AllyFactory(name="Mag Nascosta")  # a membership application, not public, organizing nothing
    AllyFactory(name="Mag Conclusa", membership_status="ended")
    EventFactory(title="Cooperiamo", organizers=[mag], day=next_month_day(3))
    client = Client()
    client.force_login(CoordinatorFactory())

    response = client.get(url(), {"organizer": "Mag"})
    html = response.content.decode()
    assert titles(response) == ["Cooperiamo"]
    assert "Nascosta" not in html and "Conclusa" not in html and "Several allies match" not in html
    assert 'data-ally-search="/en/' in html and url("events:organizer_search") in html
    assert names(client.get(url("events:organizer_search"), {"q": "Mag"})) == ["Mag Verona"]


def test_a_manager_looks_among_the_organizers_of_their_events_only():
    ended = OrganizationFactory(name="Mag Chiusa", membership_status="ended")  # may not propose projects any more
    manager = AllyManagerFactory(ally=ended)
    partner = MemberOrganizationFactory(name="Mag Partner")
    MemberOrganizationFactory(name="Mag Altrove")  # public, but organizes none of their events
    AllyFactory(name="Mag Nascosta")
    EventFactory(title="Insieme", organizers=[ended, partner], day=next_month_day(3))
    client = Client()
    client.force_login(manager.user)

    several = client.get(url(), {"organizer": "Mag"})
    html = several.content.decode()
    assert "Several allies match" in html and "Mag Partner" in html and "Mag Chiusa" in html
    assert "Mag Altrove" not in html and "Mag Nascosta" not in html
    assert titles(client.get(url(), {"organizer": "Mag Partner"})) == ["Insieme"]
    assert "No ally is called" in client.get(url(), {"organizer": "Mag Altrove"}).content.decode()
    # The type-ahead answers them (the projects' one does not), with the same allies.
    assert client.get(reverse("initiatives:ally_search"), {"q": "Mag"}).status_code == 404
    response = client.get(url("events:organizer_search"), {"q": "Mag"})
    assert response.status_code == 200
    assert sorted(names(response)) == ["Mag Chiusa", "Mag Partner"]


def test_the_type_ahead_does_not_exist_for_an_outsider():
    MemberOrganizationFactory(name="Mag Verona")
    client = Client()
    assert client.get(url("events:organizer_search"), {"q": "Mag"}).status_code == 302  # sign in first
    client.force_login(VerifiedUserFactory())
    assert client.get(url("events:organizer_search"), {"q": "Mag"}).status_code == 404
