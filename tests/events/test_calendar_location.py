"""The .ics location of a session names the room, then the venue, without saying the venue twice when
the room has its name (issue 14)."""

from datetime import time

import pytest
from icalendar import Calendar

from events.calendar import event_calendar
from tests.factories.events import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def session_locations(event, sessions):
    calendar = Calendar.from_ical(event_calendar(event, sessions))
    return {
        str(component["summary"]).split(" – ")[0]: str(component["location"])
        for component in calendar.walk("VEVENT")
        if str(component["uid"]).startswith("session-")
    }


def test_a_room_named_like_the_venue_is_said_once_and_other_rooms_before_the_venue():
    event = EventFactory(venue_name="Villa Bernini", address="Via Roma 1", city="Verona")
    plenary = SessionFactory(
        event=event, title="Plenaria", room=" villa bernini", start_time=time(9), end_time=time(10)
    )
    workshop = SessionFactory(event=event, title="Laboratorio", room="Sala A", start_time=time(10), end_time=time(11))
    no_room = SessionFactory(event=event, title="Pranzo", room="", start_time=time(12), end_time=time(13))

    assert session_locations(event, [plenary, workshop, no_room]) == {
        "Plenaria": "Villa Bernini, Via Roma 1, Verona",
        "Laboratorio": "Sala A, Villa Bernini, Via Roma 1, Verona",
        "Pranzo": "Villa Bernini, Via Roma 1, Verona",
    }
