"""A series of meetings in Chromium, with axe-core on every page visited (issue 9, seed 004).

A coordinator opens the Verona cycle, checks an attendee in at the third meeting, cancels the fourth
(its attendees are told), sends the certificates of attendance and makes the next edition by choosing its
start and title.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliance.models import OutgoingEmail
from events.models import Attendance, Event
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory
from tests.factories.members import PASSWORD, CoordinatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROME = ZoneInfo("Europe/Rome")


def verona_cycle() -> Event:
    monday = timezone.localdate() + timedelta(days=30)
    monday += timedelta(days=(7 - monday.weekday()) % 7)
    days = [monday + timedelta(weeks=2 * n) for n in range(6)]
    event = EventFactory(
        title="Imprese di nuovo welfare",
        slug="imprese-di-nuovo-welfare",
        is_series=True,
        city="Verona",
        venue_name="Casa Comune Mag",
        start=datetime.combine(days[0], time(14), tzinfo=ROME),
        end=datetime.combine(days[-1], time(18), tzinfo=ROME),
    )
    for n, day in enumerate(days):
        SessionFactory(event=event, day=day, start_time=time(14), end_time=time(18), title=f"Incontro {n + 1}")
    return event


def test_a_coordinator_checks_in_at_the_third_meeting_cancels_the_fourth_and_makes_the_next_edition(
    page, assert_accessible, taxonomy
):
    event = verona_cycle()
    meetings = list(event.sessions.all())
    nadia = RegistrationFactory(event=event, name="Nadia Fontana", email="nadia@example.org")
    CoordinatorFactory(email="coordinatrice@example.org", preferred_language="en")

    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill("coordinatrice@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"/en/coordination/events/{event.slug}/")
    expect(page.get_by_role("heading", name="Meetings of the series")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Check-in at a meeting").click()
    assert_accessible(page)
    page.get_by_label("Meeting").select_option(str(meetings[2].pk))
    page.get_by_role("button", name="Choose").click()
    expect(page.get_by_role("heading", name=re.compile("Incontro 3"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Check in Nadia Fontana").click()
    expect(page.get_by_text("Checked in", exact=True)).to_be_visible()
    assert_accessible(page)
    assert list(Attendance.objects.filter(registration=nadia).values_list("session", flat=True)) == [meetings[2].pk]

    page.goto(f"/en/coordination/events/{event.slug}/")
    page.get_by_role(
        "link", name=f"Cancel this meeting – {meetings[3].day:%-d} {meetings[3].day:%B}", exact=True
    ).click()
    assert_accessible(page)
    page.get_by_label("Message to the attendees (optional)").fill("La sala non è disponibile.")
    page.get_by_role("button", name="Cancel this meeting").click()
    expect(page.get_by_text("The meeting is cancelled")).to_be_visible()
    assert_accessible(page)
    assert OutgoingEmail.objects.filter(template="event_meeting_cancelled", to="nadia@example.org").count() == 1

    page.get_by_role("button", name="Send the certificates of attendance").click()
    expect(page.get_by_text("One certificate of attendance is on its way.")).to_be_visible()
    assert OutgoingEmail.objects.filter(template="event_certificate", to="nadia@example.org").count() == 1

    next_start = meetings[0].day + timedelta(weeks=52)
    page.get_by_label("Title of the new edition").fill("Imprese di nuovo welfare, seconda edizione")
    page.get_by_label("It starts on").fill(f"{next_start.isoformat()}T14:00")
    page.get_by_role("button", name="Create the new edition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Imprese di nuovo welfare, seconda edizione”")
    assert_accessible(page)
    copy = Event.objects.get(slug="imprese-di-nuovo-welfare-seconda-edizione")
    assert [s.day for s in copy.sessions.all()] == [m.day + timedelta(weeks=52) for m in meetings]
    assert copy.is_series and not copy.sessions.filter(cancelled_at__isnull=False).exists()
