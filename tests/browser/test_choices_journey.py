"""Attendees choosing and changing, in Chromium with axe-core (issue 9): a member registers for some meetings
of a series registered per meeting and changes them from their registration page; an attendee of Fare Rete
switches workshop within a slot; a coordinator finds an event among those they run by status and organizer.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from alliance.models import OutgoingEmail
from events.models import Event, Registration, SessionChoice
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory, next_month_day
from tests.factories.members import PASSWORD, CoordinatorFactory, MemberOrganizationFactory, VerifiedUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROME = ZoneInfo("Europe/Rome")


def log_in(page, email):
    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def tick(page, text):
    """Click the label of a checkbox or radio button (Bootstrap Italia draws the box over the input)."""
    page.locator("label", has_text=text).click()


def per_meeting_cycle() -> Event:
    monday = timezone.localdate() + timedelta(days=30)
    monday += timedelta(days=(7 - monday.weekday()) % 7)
    days = [monday + timedelta(weeks=2 * n) for n in range(6)]
    event = EventFactory(
        title="Imprese di nuovo welfare",
        slug="imprese-di-nuovo-welfare",
        is_series=True,
        register_per_meeting=True,
        city="Verona",
        venue_name="Casa Comune Mag",
        start=datetime.combine(days[0], time(14), tzinfo=ROME),
        end=datetime.combine(days[-1], time(18), tzinfo=ROME),
    )
    for n, day in enumerate(days):
        SessionFactory(event=event, day=day, start_time=time(14), end_time=time(18), title=f"Incontro {n + 1}")
    return event


def test_a_member_chooses_two_meetings_then_changes_one_from_the_registration_page(page, assert_accessible):
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    VerifiedUserFactory(email="nadia@example.org", full_name="Nadia Fontana", preferred_language="en")
    log_in(page, "nadia@example.org")

    page.goto(f"/en/events/{event.slug}/register/")
    expect(page.get_by_role("group", name="The meetings you come to")).to_be_visible()
    assert_accessible(page)
    tick(page, "Incontro 2")
    tick(page, "Incontro 4")
    page.locator("label[for=id_privacy_consent]").click()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
    assert_accessible(page)
    registration = Registration.objects.get(email="nadia@example.org")
    assert sorted(registration.session_choices.values_list("session", flat=True)) == [meetings[1].pk, meetings[3].pk]
    confirmation = OutgoingEmail.objects.get(template="event_confirmation")
    [ics] = [a["content"] for a in confirmation.attachments if a["mimetype"] == "text/calendar"]
    assert len(Calendar.from_ical(ics).walk("VEVENT")) == 2

    page.get_by_role("link", name="Change your meetings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your meetings")
    assert_accessible(page)
    tick(page, "Incontro 2")
    tick(page, "Incontro 4")
    page.get_by_role("button", name="Save my choice").click()
    expect(page.get_by_text("Choose at least one meeting.").first).to_be_visible()
    assert_accessible(page)
    tick(page, "Incontro 4")
    tick(page, "Incontro 5")
    page.get_by_role("button", name="Save my choice").click()
    expect(page.get_by_text("Your choice is changed.")).to_be_visible()
    assert_accessible(page)
    assert sorted(registration.session_choices.values_list("session", flat=True)) == [meetings[3].pk, meetings[4].pk]
    changed = OutgoingEmail.objects.get(template="event_sessions_changed")
    files = {a["filename"]: Calendar.from_ical(a["content"]) for a in changed.attachments}
    assert [c.decoded("dtstart").date() for c in files["event.ics"].walk("VEVENT")] == [
        meetings[3].day,
        meetings[4].day,
    ]
    assert [c.decoded("dtstart").date() for c in files["sessions-removed.ics"].walk("VEVENT")] == [meetings[1].day]


def test_an_attendee_switches_workshop_within_the_slot_from_the_link_of_the_registration(page, assert_accessible):
    event = EventFactory(title="Fare Rete", capacity=None)
    day = timezone.localtime(event.start, ROME).date()
    first = SessionFactory(
        event=event,
        day=day,
        start_time=time(14),
        end_time=time(16),
        title="Comunità educanti",
        kind="workshop",
        capacity=10,
    )
    SessionFactory(
        event=event,
        day=day,
        start_time=time(14),
        end_time=time(16),
        title="Economia di luogo",
        kind="workshop",
        capacity=10,
    )
    registration = RegistrationFactory(event=event, name="Luca Bianchi", language="en")
    SessionChoice.objects.create(registration=registration, session=first, status=SessionChoice.Status.CONFIRMED)

    page.goto(f"/en/registrations/{registration.token}/")
    page.get_by_role("link", name="Change your sessions").click()
    assert_accessible(page)
    tick(page, "Economia di luogo")
    page.get_by_role("button", name="Save my choice").click()
    expect(page.get_by_text("Your choice is changed.")).to_be_visible()
    expect(page.locator("li", has_text="Economia di luogo")).to_contain_text("seat confirmed")
    expect(page.locator("li", has_text="Comunità educanti")).to_have_count(0)
    assert_accessible(page)


def test_a_coordinator_finds_a_draft_by_status_and_organizer(page, assert_accessible):
    mag = MemberOrganizationFactory(name="Mag Verona")
    EventFactory(title="Cooperiamo 2027", draft=True, organizers=[mag], day=next_month_day(5))
    EventFactory(title="Cooperiamo 2026", organizers=[mag], day=next_month_day(6))
    EventFactory(
        title="Fare Rete",
        draft=True,
        organizers=[MemberOrganizationFactory(name="Consorzio Cgm")],
        day=next_month_day(7),
    )
    CoordinatorFactory(email="coordinatrice@example.org", preferred_language="en")
    log_in(page, "coordinatrice@example.org")

    page.goto("/en/coordination/events/")
    assert_accessible(page)
    page.get_by_label("Status").select_option("draft")
    field = page.get_by_label("Organized by")
    field.focus()
    page.keyboard.type("Mag Ver", delay=30)
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(field).to_have_value("Mag Verona")
    page.get_by_role("button", name="Show events").click()
    expect(page.get_by_role("heading", level=3)).to_have_text(["Cooperiamo 2027"])
    assert_accessible(page)
    page.get_by_role("link", name="Past", exact=True).click()
    expect(page.get_by_text("No past event matches what you looked for:")).to_be_visible()
    assert_accessible(page)
