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

What an entry holds is written once (`_event_properties`, `_session_properties`).
The files of one event are built with icalendar; the feed, thousands of
entries, writes its VEVENTs itself (`_vevent`): icalendar spends about half a
millisecond on each entry (typing every value, building and folding every
line), near a second for a feed of 2,000 events, where the narrow writer below
spends a few microseconds and gives the same bytes (tests/events/test_feed.py
compares them).
"""

import re
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from icalendar import Calendar, Timezone, vCalAddress, vText
from icalendar import Event as VEvent

from alliance.addresses import slug_urls

REQUEST = "REQUEST"
CANCEL = "CANCEL"

ROME = ZoneInfo("Europe/Rome")


def _host() -> str:
    return _hostname(settings.SITE_URL)


@lru_cache
def _hostname(site_url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(site_url).hostname or "alleanza"


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


def _event_url(event) -> str:
    return settings.SITE_URL.rstrip("/") + event.get_absolute_url()


def _event_properties(event, url: str) -> dict:
    """The entry of the event as a whole, by property (without DTSTAMP, the time of writing).

    `event`: an Event, or a row with the same attributes (the feed reads rows)."""
    properties = {
        "uid": event_uid(event),
        "dtstart": timezone.localtime(event.start, ROME),
        "dtend": timezone.localtime(event.end, ROME),
        "summary": event.title,
        "description": event.summary,
    }
    location = _location(event)
    if location:
        properties["location"] = location
    properties["url"] = url
    properties["status"] = "CANCELLED" if event.status == "cancelled" else "CONFIRMED"
    properties["sequence"] = event.sequence
    return properties


def _session_properties(event, session, url: str | None) -> dict:
    """The entry of a session, or of a meeting of a series, by property (without DTSTAMP); `url`, the event's
    page, only a meeting shows."""
    start = datetime.combine(session.day, session.start_time, tzinfo=ROME)
    end = datetime.combine(session.day, session.end_time, tzinfo=ROME)
    if end <= start:
        end += timedelta(days=1)
    properties = {
        "uid": f"session-{session.pk}@{_host()}",
        "dtstart": start,
        "dtend": end,
        "summary": f"{event.title} – {session.title}" if event.is_series else f"{session.title} – {event.title}",
    }
    if session.description:
        properties["description"] = session.description
    location = ", ".join(p for p in [_room_apart_from_venue(event, session), _location(event)] if p)
    if location:
        properties["location"] = location
    if event.is_series:
        properties["url"] = url
        cancelled = event.status == "cancelled" or session.cancelled_at is not None
        properties["status"] = "CANCELLED" if cancelled else "CONFIRMED"
    properties["sequence"] = event.sequence
    return properties


def _component(properties: dict) -> VEvent:
    component = VEvent()
    for name, value in properties.items():
        component.add(name, value)
    component.add("dtstamp", timezone.now())
    return component


def _event_component(event) -> VEvent:
    return _component(_event_properties(event, _event_url(event)))


def _session_component(event, session) -> VEvent:
    return _component(_session_properties(event, session, _event_url(event) if event.is_series else None))


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


# The feed's writer ------------------------------------------------------------------
# RFC 5545 as icalendar writes it: properties in icalendar's order (its canonical ones, then the others
# alphabetically), TEXT escaped, lines folded before 75 octets, CRLF.

FEED_EVENT_FIELDS = (
    "pk",
    "slug",
    "title",
    "summary",
    "venue_name",
    "address",
    "city",
    "online_url",
    "start",
    "end",
    "status",
    "sequence",
    "is_series",
)
FEED_SESSION_FIELDS = (
    "pk",
    "event_id",
    "day",
    "start_time",
    "end_time",
    "title",
    "description",
    "room",
    "cancelled_at",
)
_ESCAPED = re.compile(r"[\\;,\r\n]")  # what TEXT escapes


def _text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11) as icalendar does, its "\\N" read as a new line too."""
    if not _ESCAPED.search(value):
        return value
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """The line folded as icalendar folds it: at most 74 octets a line, then CRLF and a space, never inside a
    UTF-8 character, nor right after a backslash or a caret (they go on with the next line)."""
    if len(line) < 75 and line.isascii():
        return line
    data = line.encode()
    if len(data) < 75:
        return line
    parts = []
    start = 0
    while len(data) - start > 74:
        end = start + 74
        while data[end] & 0xC0 == 0x80:  # a continuation byte: the character began before
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


def _vevent(properties: dict, stamp: str) -> str:
    """The VEVENT of an entry's properties (`_event_properties`, `_session_properties`), in icalendar's order."""
    lines = [
        "BEGIN:VEVENT",
        _fold("SUMMARY:" + _text(properties["summary"])),
        _datetime("DTSTART", properties["dtstart"]),
        _datetime("DTEND", properties["dtend"]),
        stamp,
        _fold("UID:" + _text(properties["uid"])),
        f"SEQUENCE:{properties['sequence']}",
    ]
    if "description" in properties:
        lines.append(_fold("DESCRIPTION:" + _text(properties["description"])))
    if "location" in properties:
        lines.append(_fold("LOCATION:" + _text(properties["location"])))
    if "status" in properties:
        lines.append("STATUS:" + properties["status"])
    if "url" in properties:
        lines.append(_fold("URL:" + properties["url"]))  # a URI: not escaped
    lines.append("END:VEVENT\r\n")
    return "\r\n".join(lines)


def _datetime(name: str, value: datetime) -> str:
    # Field by field as icalendar writes it: twice as fast as strftime() on an aware datetime.
    v = value
    return f"{name};TZID={v.tzinfo.key}:{v.year:04}{v.month:02}{v.day:02}T{v.hour:02}{v.minute:02}{v.second:02}"


@lru_cache
def _timezone_text(tzid: str) -> str:
    return _vtimezone(tzid).to_ical().decode()


def _event_urls():
    """The address of an event's page from its slug, with the site's address."""
    site, page = settings.SITE_URL.rstrip("/"), slug_urls("events:event_detail")
    return lambda event: site + page(event.slug)


def feed_calendar(events: QuerySet) -> str:
    """The feed of `events`, a queryset of events (it reads only the fields the entries show): one entry per
    event, one per meeting of a series, in at most two queries."""
    from .models import Session

    cal = _calendar()
    cal.add("x-wr-calname", settings.SITE_NAME)
    events = list(events.prefetch_related(None).values_list(*FEED_EVENT_FIELDS, named=True))
    series = {event.pk: [] for event in events if event.is_series}
    if series:
        meetings_of_series = (
            Session.objects.filter(event_id__in=series)
            .order_by("day", "start_time", "pk")
            .values_list(*FEED_SESSION_FIELDS, named=True)
        )
        for session in meetings_of_series:
            series[session.event_id].append(session)
    url_of = _event_urls()
    stamp = f"DTSTAMP:{timezone.now():%Y%m%dT%H%M%S}Z"
    entries = []
    for event in events:
        url = url_of(event)
        if event.is_series:
            entries += [_vevent(_session_properties(event, session, url), stamp) for session in series[event.pk]]
        else:
            entries.append(_vevent(_event_properties(event, url), stamp))
    # The VTIMEZONE that add_missing_timezones() puts first; the feed's entries are all in Rome's time.
    zones = _timezone_text(ROME.key) if entries else ""
    head = cal.to_ical().decode().removesuffix("END:VCALENDAR\r\n")
    return f"{head}{zones}{''.join(entries)}END:VCALENDAR\r\n"


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
