"""iCalendar files: one per event (with its sessions), one per registration, and the feed.

The files sent by e-mail are iTIP messages (RFC 5546) that calendar programs
apply: `METHOD:REQUEST` with an ORGANIZER adds or updates the entry, and
`METHOD:CANCEL` with `STATUS:CANCELLED` removes it. The UID of an event stays
the same; its SEQUENCE (`Event.sequence`) grows on every change of time,
place or status, so that the newer file wins.

A series of meetings (`Event.is_series`) has no entry for the event as a
whole (it would block weeks in a calendar): one VEVENT per meeting, each with
its own UID and the event's SEQUENCE; a meeting cancelled on its own carries
STATUS:CANCELLED, and the e-mail that tells of it is a METHOD:CANCEL of that
VEVENT only. In a series registered per meeting (`Event.per_meeting`) an
attendee's file holds only the meetings they go to.
"""

from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from icalendar import Calendar, Timezone, vCalAddress, vText
from icalendar import Event as VEvent

REQUEST = "REQUEST"
CANCEL = "CANCEL"

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


def _room_apart_from_venue(event, session) -> str:
    """The session's room, unless it is the venue itself (a session "in Villa Bernini" at Villa Bernini):
    the place already names it, and "Villa Bernini, Villa Bernini, …" reads as a mistake."""
    room = (session.room or "").strip()
    if room.casefold() == (event.venue_name or "").strip().casefold():
        return ""
    return room


def _calendar(method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//{settings.SITE_NAME}//Alleanza//IT")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


@lru_cache(maxsize=8)
def _vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE of `tzid`, worked out once per process: its transitions over icalendar's default span
    take about 10 ms to compute, and every file the portal makes needs Europe/Rome's. Only read afterwards."""
    return Timezone.from_tzid(tzid)


def _add_timezones(cal: Calendar) -> None:
    """What `Calendar.add_missing_timezones` does, with the VTIMEZONE components computed once."""
    at = len(cal.timezones)
    for tzid in sorted(cal.get_missing_tzids()):
        try:
            component = _vtimezone(tzid)
        except ValueError:  # a zone icalendar does not know: left out, as add_missing_timezones does
            continue
        cal.subcomponents.insert(at, component)
        at += 1


def event_uid(event) -> str:
    return f"event-{event.pk}@{_host()}"


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'noreply@' + _host()}")
    organizer.params["cn"] = vText(name or settings.SITE_NAME)
    return organizer


def _attendee(registration) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{registration.email}")
    if registration.name:
        attendee.params["cn"] = vText(registration.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    attendee.params["rsvp"] = vText("FALSE")
    return attendee


def _itip(component: VEvent, event, method: str, attendee) -> VEvent:
    """What an iTIP message adds to each of its components."""
    component.add("organizer", _organizer())
    if attendee is not None:
        component.add("attendee", _attendee(attendee))
    if method == CANCEL:
        component.pop("status", None)
        component.add("status", "CANCELLED")
    return component


def _event_component(event) -> VEvent:
    component = VEvent()
    component.add("uid", event_uid(event))
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
    component.add("sequence", event.sequence)
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
    component.add(
        "summary", f"{event.title} – {session.title}" if event.is_series else f"{session.title} – {event.title}"
    )
    if session.description:
        component.add("description", session.description)
    location = ", ".join(p for p in [_room_apart_from_venue(event, session), _location(event)] if p)
    if location:
        component.add("location", location)
    if event.is_series:
        component.add("url", settings.SITE_URL.rstrip("/") + event.get_absolute_url())
        cancelled = event.status == "cancelled" or session.cancelled_at is not None
        component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    component.add("sequence", event.sequence)
    return component


def meetings(event) -> list:
    """The meetings of a series, in order (read from prefetched sessions when there are)."""
    return sorted(event.sessions.all(), key=lambda s: (s.day, s.start_time, s.pk))


def _components(event, sessions, sessions_only: bool = False) -> list:
    """The event and the given sessions; for a series, one entry per meeting (all of them if none given;
    in a series registered per meeting, only the meetings given, the attendee's)."""
    if event.is_series:
        if sessions is None or (not sessions and not event.per_meeting):
            sessions = meetings(event)
        return [_session_component(event, session) for session in sessions]
    entries = [_session_component(event, session) for session in sessions or []]
    return entries if sessions_only else [_event_component(event), *entries]


def event_calendar(event, sessions=None) -> str:
    """The event and, if given, its sessions."""
    cal = _calendar()
    for component in _components(event, sessions):
        cal.add_component(component)
    _add_timezones(cal)
    return cal.to_ical().decode()


def feed_calendar(events) -> str:
    cal = _calendar()
    cal.add("x-wr-calname", settings.SITE_NAME)
    events = list(events)
    # The meetings of every series in the feed, in one query.
    series = {event.pk: [] for event in events if event.is_series}
    if series:
        from .models import Session

        for session in Session.objects.filter(event_id__in=series).order_by("day", "start_time", "pk"):
            series[session.event_id].append(session)
    for event in events:
        for component in _components(event, series.get(event.pk)):
            cal.add_component(component)
    _add_timezones(cal)
    return cal.to_ical().decode()


def invitation_calendar(
    event, sessions=None, *, method: str = REQUEST, attendee=None, sessions_only: bool = False
) -> str:
    """The file sent by e-mail: REQUEST adds or updates the entry, CANCEL removes it.

    `sessions_only`: the given sessions without the event's own entry (to take a session out of a
    calendar, not the event)."""
    cal = _calendar(method)
    for component in _components(event, sessions, sessions_only):
        cal.add_component(_itip(component, event, method, attendee))
    _add_timezones(cal)
    return cal.to_ical().decode()


def attachment_name(language: str) -> str:
    """“evento.ics” in Italian, “event.ics” in English: the file named in the recipient's language."""
    with translation.override(language):
        return f"{slugify(gettext('event')) or 'event'}.ics"


def removed_attachment_name(language: str) -> str:
    """The second file of an e-mail that takes sessions out of the calendar ("sessioni-tolte.ics")."""
    with translation.override(language):
        name = gettext("sessions removed")  # outside the f-string, where makemessages finds it
    return f"{slugify(name) or 'removed'}.ics"


def ics_attachment(
    event, sessions=None, *, method: str = REQUEST, language: str = "it", attendee=None, sessions_only: bool = False
) -> dict:
    return {
        "filename": attachment_name(language),
        "content": invitation_calendar(event, sessions, method=method, attendee=attendee, sessions_only=sessions_only),
        "mimetype": "text/calendar",
    }
