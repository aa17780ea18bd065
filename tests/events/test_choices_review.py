"""Fixes after review of issue 9 (per-meeting series, changing the chosen sessions): fewer seats at a meeting
take it out of the calendar and the reminders; the change form and service with past or no longer choosable
sessions; closed registration; the calendar link; the subjects of a series per meeting."""


import pytest
from django.utils import translation

from alliance.models import OutgoingEmail
from events import services
from events.models import Registration, Reminder, SessionChoice
from events.services import EventData, Programme, SessionData
from tests.events.test_choices_change import at, calendars, join, per_meeting_cycle, starts
from tests.factories.members import CoordinatorFactory

pytestmark = pytest.mark.django_db

Choice = SessionChoice.Status
Status = Registration.Status


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def rows(event, **capacities):
    """The programme as the editor sends it, with new seats for the sessions named by pk."""
    return [SessionData(pk=s.pk, title=s.title, kind=s.kind, day=s.day, start_time=s.start_time,
                        end_time=s.end_time, capacity=capacities.get(str(s.pk), s.capacity))
            for s in event.sessions.all()]


def test_fewer_seats_at_a_meeting_take_it_out_of_the_calendar_and_the_reminders():
    event = per_meeting_cycle(reminder_offsets=[120])
    meetings = list(event.sessions.all())
    first = join(event, [meetings[1], meetings[2]], language="en")
    moved = join(event, [meetings[1], meetings[2]], language="en")
    assert Reminder.objects.filter(registration=moved, session=meetings[1], sent_at__isnull=True).exists()
    sequence = event.sequence
    OutgoingEmail.objects.all().delete()

    services.save_event(event=event, actor=CoordinatorFactory(), data=EventData(),
                        programme=Programme(sessions=rows(event, **{str(meetings[1].pk): 1})), confirm_moves=True)

    assert dict(moved.session_choices.values_list("session", "status")) == {
        meetings[1].pk: Choice.WAITLISTED, meetings[2].pk: Choice.CONFIRMED}
    # No reminder of a meeting where they hold no seat; the other meeting's stay; the first keeps theirs.
    assert set(Reminder.objects.filter(registration=moved).values_list("session", flat=True)) == {meetings[2].pk}
    assert Reminder.objects.filter(registration=first, session=meetings[1]).exists()
    email = OutgoingEmail.objects.get(template="event_session_waitlisted", to=moved.email)
    files = calendars(email)
    assert set(files) == {"sessions-removed.ics"}
    cal = files["sessions-removed.ics"]
    assert cal["method"] == "CANCEL"
    assert starts(cal) == [at(meetings[1])]  # that meeting only, not the one they keep
    [entry] = cal.walk("VEVENT")
    event.refresh_from_db()
    assert event.sequence > sequence and int(entry["sequence"]) == event.sequence
    assert "The attached calendar file (.ics) takes this meeting out of your calendar." in email.body_text
    assert not OutgoingEmail.objects.filter(to=first.email).exists()
