"""iCalendar files: one per event (with its sessions), one per registration, and the feed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

ROME = ZoneInfo("Europe/Rome")


def _host() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.SITE_URL).hostname or "alleanza"


def _location(event) -> str:
    parts = [event.venue_name, event.address, event.city]
    place = ", ".join(p for p in parts if p)
    if event.online_url:
        place = f"{place} – {event.online_url}" if place else event.online_url
    return place


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//{settings.SITE_NAME}//Alleanza//IT")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    return cal


def _event_component(event, sequence: int = 0) -> VEvent:
    component = VEvent()
    component.add("uid", f"event-{event.pk}@{_host()}")
    component.add("dtstamp", timezone.now())
    component.add("dtstart", timezone.localtime(event.start, ROME))
    component.add("dtend", timezone.localtime(event.end, ROME))
    component.add("summary", event.title)
    component.add("description", event.summary)
    location = _location(event)
    if location:
        component.add("location", location)
    component.add("url", settings.SITE_URL.rstrip("/") + event.get_absolute_url())
    component.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    component.add("sequence", sequence)
    return component


def _session_component(event, session) -> VEvent:
    component = VEvent()
    component.add("uid", f"session-{session.pk}@{_host()}")
    component.add("dtstamp", timezone.now())
    component.add("dtstart", datetime.combine(session.day, session.start_time, tzinfo=ROME))
    end = datetime.combine(session.day, session.end_time, tzinfo=ROME)
    if end <= datetime.combine(session.day, session.start_time, tzinfo=ROME):
        end += timedelta(days=1)
    component.add("dtend", end)
    component.add("summary", f"{session.title} – {event.title}")
    if session.description:
        component.add("description", session.description)
    location = ", ".join(p for p in [session.room, _location(event)] if p)
    if location:
        component.add("location", location)
    return component


def event_calendar(event, sessions=None) -> str:
    """The event and, if given, its sessions."""
    cal = _calendar()
    cal.add_component(_event_component(event))
    for session in sessions or []:
        cal.add_component(_session_component(event, session))
    cal.add_missing_timezones()
    return cal.to_ical().decode()


def feed_calendar(events) -> str:
    cal = _calendar()
    cal.add("x-wr-calname", settings.SITE_NAME)
    for event in events:
        cal.add_component(_event_component(event))
    cal.add_missing_timezones()
    return cal.to_ical().decode()


def ics_attachment(event, sessions=None) -> dict:
    return {"filename": "evento.ics", "content": event_calendar(event, sessions), "mimetype": "text/calendar"}
