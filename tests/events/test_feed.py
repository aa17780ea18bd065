"""The events feed (/eventi/calendario.ics) writes its entries itself (events/calendar.py, `_vevent`):
calendar programs must receive what icalendar wrote before, entry by entry and byte by byte (issue 13)."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar, Timezone

from events.calendar import event_calendar
from tests.factories.events import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
# Where the lines are folded (74 octets, then CRLF and a space): texts that reach a fold on a backslash,
# a caret, an accented letter and a four-octet character.
ON_A_BACKSLASH = "x" * 65 + "\\ dopo la barra rovesciata"  # SUMMARY: + 65 = 73 octets, then "\\"
ON_A_CARET = "y" * 65 + "^ dopo l'accento circonflesso"
ON_AN_ACCENT = "z" * 61 + "è la parola che cade sulla piegatura"  # DESCRIPTION: + 61 = 73 octets, then "è"
ON_AN_EMOJI = "w" * 63 + "🌱 germoglia sulla piegatura"  # SUMMARY: + 63 = 71 octets, then 4


def day_from_today(days):
    return timezone.localdate(timezone.now(), ROME) + timedelta(days=days)


def rome(days, hour, minute=0):
    return datetime.combine(day_from_today(days), time(hour, minute), tzinfo=ROME)


def feed_events():
    """One of each kind of entry the feed holds, with the texts that escaping and folding must get right."""
    tricky = EventFactory(
        title="Welfare, territori; comunità: \\ la rete \"generativa\" – un'idea che attraversa l'Italia intera",
        summary="Prima riga\nseconda riga, con virgola; e punto e virgola\r\nterza riga \\N quarta " + "àèìòù " * 30,
        venue_name="Villa Bernini, sala grande",
        address="Via Roma 1; piano terra",
        city="Reggio nell'Emilia",
        start=rome(3, 9, 30),
        end=rome(3, 17, 30),
        sequence=4,
    )
    folds = [
        EventFactory(title=title, summary=summary, start=rome(4, 9 + n), end=rome(4, 10 + n))
        for n, (title, summary) in enumerate(
            [(ON_A_BACKSLASH, ON_AN_ACCENT), (ON_A_CARET, ON_AN_EMOJI), (ON_AN_EMOJI, ON_A_BACKSLASH)]
        )
    ]
    online = EventFactory(
        title="Webinar sui beni comuni",
        venue_name="",
        address="",
        city="",
        online_url="https://meet.example.org/rete?a=1,2;b=3",
        start=rome(5, 18),
        end=rome(5, 19, 30),
    )
    cancelled = EventFactory(title="Incontro annullato", cancelled=True, start=rome(6, 10), end=rome(6, 12))
    ended_lately = EventFactory(title="Finito da venti giorni", start=rome(-20, 10), end=rome(-20, 12))
    series = EventFactory(
        title="Cooperiamo: imprese di nuovo welfare",
        venue_name="Casa Comune Mag",
        city="Verona",
        is_series=True,
        start=rome(7, 14),
        end=rome(21, 18),
        sequence=2,
    )
    SessionFactory(
        event=series,
        day=day_from_today(7),
        start_time=time(14),
        end_time=time(18),
        title="Dare un nome, alle cose; insieme",
        description="Il primo incontro.\nPortate le vostre domande, per favore.",
        room="casa comune mag",
    )
    SessionFactory(
        event=series,
        day=day_from_today(14),
        start_time=time(14),
        end_time=time(18),
        title="Relazioni di cura",
        room="Sala A, primo piano",
        cancelled_at=timezone.now(),
    )
    SessionFactory(event=series, day=day_from_today(21), start_time=time(21), end_time=time(1), title="Fino a tardi")
    cancelled_series = EventFactory(
        title="Ciclo annullato", is_series=True, cancelled=True, start=rome(8, 10), end=rome(15, 12)
    )
    SessionFactory(event=cancelled_series, day=day_from_today(8), start_time=time(10), end_time=time(12))
    SessionFactory(event=cancelled_series, day=day_from_today(15), start_time=time(10), end_time=time(12))
    EventFactory(title="Finito da quaranta giorni", start=rome(-40, 10), end=rome(-40, 12))
    EventFactory(title="Bozza", draft=True, start=rome(9, 10), end=rome(9, 12))
    return [ended_lately, tricky, *folds, online, cancelled, series, cancelled_series]


def feed_url(language):
    with translation.override(language):
        return reverse("events:feed")


def entry(component) -> dict:
    """A VEVENT's properties, each as written and with its parameters, but for its time of writing."""
    return {name: (value.to_ical(), dict(value.params)) for name, value in component.items() if name != "DTSTAMP"}


def icalendar_entries(events, language) -> list:
    """The VEVENTs icalendar builds for the events (each event's own .ics holds the same entries)."""
    with translation.override(language):
        return [component for event in events for component in Calendar.from_ical(event_calendar(event)).walk("VEVENT")]


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_feed_holds_for_each_event_the_entries_icalendar_builds(client, language):
    events = feed_events()
    started = timezone.now().replace(microsecond=0)

    feed = Calendar.from_ical(client.get(feed_url(language)).content)

    expected = icalendar_entries(events, language)
    entries = feed.walk("VEVENT")
    assert [entry(component) for component in entries] == [entry(component) for component in expected]
    assert [str(component["summary"]) for component in entries[:5]] == [
        "Finito da venti giorni",
        events[1].title,
        ON_A_BACKSLASH,
        ON_A_CARET,
        ON_AN_EMOJI,
    ]
    # icalendar reads "\\N" as a new line, and so does the feed
    assert str(entries[1]["description"]) == events[1].summary.replace("\\N", "\n").replace("\r\n", "\n")
    assert str(entries[1]["location"]) == "Villa Bernini, sala grande, Via Roma 1; piano terra, Reggio nell'Emilia"
    assert [str(component["status"]) for component in entries[-5:]] == [
        "CONFIRMED",
        "CANCELLED",
        "CONFIRMED",
        "CANCELLED",
        "CANCELLED",
    ]
    assert all(started <= component.decoded("dtstamp") <= timezone.now() for component in entries)
    assert [tz.to_ical() for tz in feed.walk("VTIMEZONE")] == [Timezone.from_tzid("Europe/Rome").to_ical()]
    assert [str(feed[name]) for name in ["VERSION", "CALSCALE", "X-WR-CALNAME"]] == [
        "2.0",
        "GREGORIAN",
        settings.SITE_NAME,
    ]


def test_the_feed_is_the_file_icalendar_writes(client):
    events = feed_events()

    feed = client.get(feed_url("it")).content

    reference = Calendar()
    reference.add("prodid", f"-//{settings.SITE_NAME}//Alleanza//IT")
    reference.add("version", "2.0")
    reference.add("calscale", "GREGORIAN")
    reference.add("x-wr-calname", settings.SITE_NAME)
    for component in icalendar_entries(events, "it"):
        reference.add_component(component)
    reference.add_missing_timezones()

    def stampless(ics):
        return re.sub(rb"\r\nDTSTAMP:\d{8}T\d{6}Z\r\n", b"\r\nDTSTAMP:-\r\n", ics)

    assert stampless(feed) == stampless(reference.to_ical())
    lines = feed.split(b"\r\n")
    assert lines[-1] == b""
    assert max(len(line) for line in lines) <= 75  # a space and 74 octets
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    # An escaped backslash and a caret are not left at the end of a line; an accent and a four-octet
    # character are not cut.
    assert [line for line in lines if line.startswith((b" \\", b" ^", " è".encode(), " 🌱".encode()))] == [
        b" \\\\ dopo la barra rovesciata",  # 1st event's SUMMARY
        " è la parola che cade sulla piegatura".encode(),  # its DESCRIPTION
        b" ^ dopo l'accento circonflesso",  # 2nd event's SUMMARY
        " 🌱 germoglia sulla piegatura".encode(),  # 3rd event's SUMMARY
        b" \\; insieme",  # a meeting's SUMMARY: "… nome\\, alle cose\\; insieme"
    ]
    feed.decode()  # no character was cut in two


def test_an_empty_feed_has_no_time_zone(client):
    EventFactory(title="Bozza", draft=True)

    feed = client.get(feed_url("it")).content

    assert feed == Calendar.from_ical(feed).to_ical()
    assert b"VTIMEZONE" not in feed
    assert b"VEVENT" not in feed


@pytest.mark.parametrize("item_count", [1, 3])
def test_feed_query_count_does_not_grow(client, django_assert_num_queries, item_count):
    for _ in range(item_count):
        EventFactory(start=rome(3, 9), end=rome(3, 12))
        series = EventFactory(is_series=True, start=rome(4, 14), end=rome(18, 18))
        for week in range(3):
            SessionFactory(event=series, day=day_from_today(4 + 7 * week), start_time=time(14), end_time=time(18))

    # the events, the meetings of the series
    with django_assert_num_queries(2):
        response = client.get(feed_url("it"))

    assert response.content.count(b"BEGIN:VEVENT") == 4 * item_count


def test_an_entry_holds_what_the_event_says(client):
    """What an entry holds, written out by hand: the comparisons above take both sides from the same
    description of the properties, so a wrong field there would not show in them."""
    event = EventFactory(
        title="Fare rete a Verona",
        slug="fare-rete-a-verona",
        summary="Un pomeriggio di lavoro, tra alleati",
        venue_name="Villa Bernini",
        address="Via Roma 1",
        city="Verona",
        online_url="",
        start=datetime(2099, 3, 9, 14, tzinfo=ROME),
        end=datetime(2099, 3, 9, 18, tzinfo=ROME),
    )
    text = client.get(reverse("events:feed")).content.decode()
    entry = text.split("BEGIN:VEVENT\r\n")[1].split("END:VEVENT")[0]
    lines = entry.split("\r\n")
    site = settings.SITE_URL.rstrip("/")
    for expected in (
        f"UID:event-{event.pk}@{re.sub(r'^https?://', '', site).split('/')[0].split(':')[0]}",
        "DTSTART;TZID=Europe/Rome:20990309T140000",
        "DTEND;TZID=Europe/Rome:20990309T180000",
        "SUMMARY:Fare rete a Verona",
        "DESCRIPTION:Un pomeriggio di lavoro\\, tra alleati",
        "LOCATION:Villa Bernini\\, Via Roma 1\\, Verona",
        f"URL:{site}/eventi/fare-rete-a-verona/",
        "STATUS:CONFIRMED",
        "SEQUENCE:0",
    ):
        assert expected in lines, (expected, lines)
