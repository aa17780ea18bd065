"""The public pages of events: the list with its filters, each event's page, its .ics and the feed."""

import json
from datetime import UTC, timedelta
from itertools import groupby
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from alliance.addresses import slug_urls
from alliance.pagination import KeysFirstPaginator
from alliance.templatetags.portal import content_lang
from initiatives.filters import ally_names_response

from .. import selectors, services
from ..calendar import event_calendar, feed_calendar
from ..filters import EventFilterSet, organizers
from ..models import Event
from ..permissions import can_manage_event, can_view_event

EVENTS_PER_PAGE = 20
FEED_SINCE = timedelta(days=30)

# What json_script escapes: no user text can close the <script> element or open a comment.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@require_safe
def event_list(request):
    # The count reads event_public_end_idx, the page event_public_start_end_idx (both skip the other
    # tab's events in the index); the cards' organizers and themes come as names (event_cards).
    filterset = EventFilterSet(request.GET, queryset=selectors.listed_events())
    paginator = KeysFirstPaginator(filterset.qs, EVENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "events/event_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "cards": event_cards(page.object_list),
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


def event_cards(events) -> list[dict]:
    """What the card of each event shows (events/event_list.html), in the active language and time zone:
    one `reverse` for every address, the kinds and the phrases of the dates and places translated once
    for the page, the organizers and themes as names, the seats taken counted for the events open with a
    limit only. `events`: listed_events(). `when`, `where` and `organizers` are HTML, their data escaped."""
    events = list(events)
    organizers, themes = selectors.card_organizers_and_themes(events)
    open_events = {event.pk: event for event in events if event.registration_state() == "open"}
    taken = selectors.confirmed_seats([pk for pk, event in open_events.items() if event.capacity is not None])
    url = slug_urls("events:event_detail")
    kinds = {value: str(label) for value, label in Event.Kind.choices}
    # What {% blocktranslate %} and {% translate %} wrote: the phrase as translated, the values escaped.
    same_day = gettext("%(day)s, %(start)s–%(end)s")
    days = gettext("from %(start)s to %(end)s")
    and_online, online, to_be_announced = gettext("and online"), gettext("Online"), gettext("Place to be announced")
    lang_attributes = {}
    cards = []
    for event in events:
        start, end = timezone.localtime(event.start), timezone.localtime(event.end)
        if start.date() == end.date():
            when = same_day % {
                "day": escape(date_format(start, "j F Y")),
                "start": escape(time_format(start, "H:i")),
                "end": escape(time_format(end, "H:i")),
            }
        else:
            when = days % {"start": escape(date_format(start, "j F Y")), "end": escape(date_format(end, "j F Y"))}
        if event.city:
            where = escape(event.city)
            if event.province is not None:
                where += f" ({escape(event.province.abbreviation)})"
            if event.online_url:
                where += f" {and_online}"
        elif event.online_url:
            where = online
        elif event.venue_name:
            where = escape(event.venue_name)
        else:
            where = to_be_announced
        if event.language not in lang_attributes:
            lang_attributes[event.language] = content_lang(event.language)
        if event.pk in open_events:
            full = event.capacity is not None and taken.get(event.pk, 0) >= event.capacity
            state = "full" if full else "open"
        else:
            state = None
        cards.append(
            {
                "title": event.title,
                "url": url(event.slug),
                "lang": lang_attributes[event.language],
                "kind": kinds.get(event.kind, event.kind),
                "cancelled": event.status == Event.Status.CANCELLED,
                "when": mark_safe(when),  # escaped above
                "where": mark_safe(where),  # escaped above
                "organizers": mark_safe(", ".join(escape(name) for name in organizers.get(event.pk, []))),
                "themes": themes.get(event.pk, []),
                "state": state,
                "members_only": event.registration_policy == Event.Policy.MEMBERS,
            }
        )
    return cards


@require_safe
def organizer_names(request):
    """The allies the events list's organizer filter accepts, by name, for its type-ahead."""
    return ally_names_response(organizers(), request)


@require_safe
def event_detail(request, slug):
    event = _viewable_event(request, slug)
    sessions = _sessions_in_order(event)
    for session in sessions:
        session.seats_left = None if session.capacity is None else max(session.capacity - session.confirmed_seats, 0)
    state = event.registration_state()
    seats_left = selectors.seats_left(event)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "can_manage": can_manage_event(request.user, event),
            "programme": programme_by_day(sessions),
            "speakers": list(event.speakers.all()),
            "seats_left": seats_left,
            "registration_state": state,
            "closed_reason": None if state == "open" else services.closed_reason(state),
            "participants": list(selectors.public_participants(event)),
            "google_calendar_url": google_calendar_url(event, request.build_absolute_uri(event.get_absolute_url())),
            "structured_data": structured_data(request, event),
        },
    )


@require_safe
def event_ics(request, slug):
    event = _viewable_event(request, slug)
    response = HttpResponse(
        event_calendar(event, _sessions_in_order(event)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@require_safe
def feed(request):
    events = (
        selectors.public_events()
        .prefetch_related(None)
        .filter(end__gte=timezone.now() - FEED_SINCE)
        .order_by("start", "pk")
    )
    return HttpResponse(feed_calendar(events), content_type="text/calendar; charset=utf-8")


# Helpers of the page ----------------------------------------------------------------


def _viewable_event(request, slug) -> Event:
    event = selectors.event_for_page(slug)
    if event is None or not can_view_event(request.user, event):
        raise Http404
    return event


def _sessions_in_order(event) -> list:
    # event_for_page() orders them by day, start time and room.
    return list(event.sessions.all())


def programme_by_day(sessions) -> list[dict]:
    """[{day, slots: [{start, end, sessions}]}]: sessions of the same day, start and end share a slot.

    `sessions` come ordered by day, start time and room, so parallel sessions keep the room order.
    """
    days = []
    for day, of_day in groupby(sessions, key=lambda session: session.day):
        slots = [
            {"start": start, "end": end, "sessions": list(in_slot)}
            for (start, end), in_slot in groupby(
                sorted(of_day, key=lambda session: (session.start_time, session.end_time)),
                key=lambda session: (session.start_time, session.end_time),
            )
        ]
        days.append({"day": day, "slots": slots})
    return days


def _place(event) -> str:
    return ", ".join(part for part in [event.venue_name, event.address, event.city] if part)


def google_calendar_url(event, page_url: str) -> str:
    """A link that opens Google Calendar with the event filled in: nothing is requested until it is followed."""
    utc = "%Y%m%dT%H%M%SZ"
    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{event.start.astimezone(UTC):{utc}}/{event.end.astimezone(UTC):{utc}}",
        "details": f"{event.summary}\n\n{page_url}",
        "location": _place(event) or event.online_url,
        "ctz": "Europe/Rome",
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params)


def _attendance_mode(event) -> str:
    in_person = bool(event.venue_name or event.address or event.city)
    if in_person and event.online_url:
        return "https://schema.org/MixedEventAttendanceMode"
    if event.online_url:
        return "https://schema.org/OnlineEventAttendanceMode"
    return "https://schema.org/OfflineEventAttendanceMode"


def _locations(event) -> list[dict]:
    locations = []
    if event.venue_name or event.address or event.city:
        address = {"@type": "PostalAddress", "addressCountry": "IT"}
        if event.address:
            address["streetAddress"] = event.address
        if event.city:
            address["addressLocality"] = event.city
        if event.province:
            address["addressRegion"] = event.province.abbreviation
        locations.append({"@type": "Place", "name": event.venue_name or event.city, "address": address})
    if event.online_url:
        locations.append({"@type": "VirtualLocation", "url": event.online_url})
    return locations


def structured_data(request, event) -> str:
    """schema.org Event as JSON-LD, safe to put inside a <script> element."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": timezone.localtime(event.start).isoformat(),
        "endDate": timezone.localtime(event.end).isoformat(),
        "eventStatus": (
            "https://schema.org/EventCancelled"
            if event.status == Event.Status.CANCELLED
            else "https://schema.org/EventScheduled"
        ),
        "eventAttendanceMode": _attendance_mode(event),
        "description": event.summary,
        "url": request.build_absolute_uri(event.get_absolute_url()),
        "inLanguage": event.language,
    }
    locations = _locations(event)
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    organizers = []
    for ally in event.organizers.all():
        organizer = {"@type": "Person" if ally.kind == "person" else "Organization", "name": ally.name}
        if ally.is_member:
            organizer["url"] = request.build_absolute_uri(ally.get_absolute_url())
        organizers.append(organizer)
    if organizers:
        data["organizer"] = organizers
    if event.cover_image:
        data["image"] = request.build_absolute_uri(event.cover_image.url)
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))  # escaped above
