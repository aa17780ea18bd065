"""Every calendar file carries Europe/Rome's VTIMEZONE, worked out once per process and the same as the
one icalendar computes for the file (issue 13: computing it took about 10 ms of every registration)."""

import pytest
from icalendar import Calendar

from events.calendar import event_calendar, feed_calendar, invitation_calendar
from events.models import Event
from tests.factories.events import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_the_files_hold_the_timezone_icalendar_would_add():
    event = EventFactory()
    session = SessionFactory(event=event)
    for text in (
        event_calendar(event, [session]),
        feed_calendar(Event.objects.filter(pk=event.pk)),
        invitation_calendar(event),
    ):
        calendar = Calendar.from_ical(text)
        assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Rome"]
        assert calendar.get_missing_tzids() == set()
        expected = Calendar.from_ical(text)
        expected.subcomponents = [c for c in expected.subcomponents if c.name != "VTIMEZONE"]
        expected.add_missing_timezones()
        assert calendar.to_ical() == expected.to_ical()
