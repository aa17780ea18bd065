"""Reads about events: querysets shaped for the pages that show them."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from alliance.models import link_names

from .models import Attendance, Event, Registration, RegistrationAnswer, Session, SessionChoice, Speaker

# Published events, and cancelled ones that had been published (they stay visible, marked); a draft
# cancelled before publication stays private.
PUBLIC = Q(status=Event.Status.PUBLISHED) | Q(status=Event.Status.CANCELLED, published_at__isnull=False)


def public_events():
    """Published and cancelled events (cancelled ones stay visible, marked), for lists and the feed."""
    return Event.objects.filter(PUBLIC).select_related("province", "region").prefetch_related("themes", "organizers")


# What a card of the public list shows (events.views.public.event_cards), read with the event.
CARD_FIELDS = (
    "title",
    "slug",
    "kind",
    "status",
    "language",
    "start",
    "end",
    "city",
    "venue_name",
    "online_url",
    "province__abbreviation",
    "capacity",
    "admission",
    "admission_review",
    "registration_opens_at",
    "registration_closes_at",
)


def listed_events():
    """public_events() for the cards of the list: their columns only, with the province's abbreviation;
    the organizers and themes are read as names (card_organizers_and_themes)."""
    return Event.objects.filter(PUBLIC).select_related("province").only(*CARD_FIELDS)


def confirmed_seats(event_ids) -> dict[int, int]:
    """{event id: its confirmed registrations} for these events, in one query (none for no id); an event
    with none is not in it."""
    if not event_ids:
        return {}
    confirmed = Registration.objects.filter(event_id__in=event_ids, status=Registration.Status.CONFIRMED)
    return dict(confirmed.order_by().values("event_id").annotate(taken=Count("pk")).values_list("event_id", "taken"))


def card_organizers_and_themes(events) -> tuple[dict, dict]:
    """({event id: names of its organizers}, {event id: names of its themes}) in the active language,
    ordered as public_events()' prefetches order them: two queries over the link tables (as those two
    prefetches), none for no event."""
    ids = [event.pk for event in events]
    organizers = link_names(Event.organizers.through, "event", ids, "ally", order=("ally__name",), translated=False)
    themes = link_names(Event.themes.through, "event", ids, "theme", order=("theme__position", "theme__name"))
    return organizers, themes


def upcoming(queryset, now=None):
    return queryset.filter(end__gte=now or timezone.now()).order_by("start")


def past(queryset, now=None):
    return queryset.filter(end__lt=now or timezone.now()).order_by("-start")


def event_for_page(slug: str):
    """An event with its programme, speakers and seat counts, in a constant number of queries."""
    sessions = (
        Session.objects.prefetch_related(Prefetch("speakers", queryset=Speaker.objects.select_related("ally")))
        .annotate(confirmed_seats=Count("choices", filter=Q(choices__status=SessionChoice.Status.CONFIRMED)))
        .order_by("day", "start_time", "room", "pk")
    )  # grouped queries drop Meta.ordering
    return (
        Event.objects.select_related("province", "region", "project", "pathway_stage__pathway")
        .prefetch_related(
            "themes",
            "organizers",
            Prefetch("sessions", queryset=sessions),
            Prefetch("speakers", queryset=Speaker.objects.select_related("ally").prefetch_related("sessions")),
        )
        .annotate(
            confirmed_seats=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED), distinct=True
            )
        )
        .filter(slug=slug)
        .first()
    )


def seats_left(event) -> int | None:
    """None when the event has no limit; needs `confirmed_seats` from event_for_page()."""
    if event.capacity is None:
        return None
    return max(event.capacity - event.confirmed_seats, 0)


def public_participants(event):
    return event.registrations.filter(status=Registration.Status.CONFIRMED, public_consent=True).order_by("name")


def with_attendance(registrations):
    """`has_attendance`: checked in at one meeting at least (a certificate of attendance exists)."""
    return registrations.annotate(has_attendance=Exists(Attendance.objects.filter(registration=OuterRef("pk"))))


def registrations_of_user(user):
    """Registrations of the account's address, and those it made for another address once that was confirmed."""
    return (
        with_attendance(
            Registration.objects.filter(Q(email__iexact=user.email) | Q(user=user, email_confirmed_at__isnull=False))
        )
        .select_related("event")
        .prefetch_related(Prefetch("session_choices", queryset=SessionChoice.objects.select_related("session")))
        .order_by("-event__start")
    )


def registration_by_token(token: str):
    return (
        with_attendance(Registration.objects.select_related("event"))
        .prefetch_related(Prefetch("session_choices", queryset=SessionChoice.objects.select_related("session")))
        .filter(token=token)
        .first()
    )


# The order of a waiting list, written once: who joined it first, then the older row. The promotion
# (services._promote_waitlist) and the positions shown to people both read it from here.
WAITLIST_ORDER = ("waitlisted_at", "pk")  # `waitlist_position` counts in this order


def waiting_list(event):
    """The waiting list of `event` (an Event or its id), the next to get a seat first."""
    return Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).order_by(*WAITLIST_ORDER)


def session_waiting_list(session):
    """Confirmed attendees waiting for a seat in `session`, the next to get one first."""
    return session.choices.filter(
        status=SessionChoice.Status.WAITLISTED, registration__status=Registration.Status.CONFIRMED
    ).order_by(*WAITLIST_ORDER)


def _position_in(ordered, pk) -> int | None:
    # The ids of the list in its order: one query, and no second copy of the order to keep in step.
    for position, row in enumerate(ordered.values_list("pk", flat=True), start=1):
        if row == pk:
            return position
    return None


def waitlist_position(registration) -> int | None:
    """1 for the next person to get a seat, in the order the promotion follows; None if not waiting."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    at = registration.waitlisted_at
    if at is None:  # never so for a registration the services put on the list; the list's own order says
        return _position_in(waiting_list(registration.event_id), registration.pk)
    # Those ahead in WAITLIST_ORDER (waitlisted_at, then pk), counted in the database on the index of (event,
    # status, waitlisted_at): one number comes back instead of every id of the list, also under the event's lock
    # (services.registrations).
    ahead = Q(waitlisted_at__lt=at) | Q(waitlisted_at=at, pk__lt=registration.pk)
    return waiting_list(registration.event_id).filter(ahead).count() + 1


def session_waitlist_position(choice) -> int | None:
    """1 for the next to get a seat in the choice's session, in the order its promotion follows; None if not waiting."""
    if choice.status != SessionChoice.Status.WAITLISTED:
        return None
    return _position_in(session_waiting_list(choice.session), choice.pk)


def managed_events(user):
    """The events `user` may run: all for coordinators, their allies' for ally managers."""
    from alliance.permissions import is_coordinator

    events = Event.objects.select_related("region").annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        waitlisted_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
        pending_count=Count("registrations", filter=Q(registrations__status=Registration.Status.PENDING)),
    )
    if is_coordinator(user):
        return events.order_by("-start")
    # A subquery, not a join: managing two co-organizing allies must not multiply the counts.
    return events.filter(pk__in=Event.objects.filter(organizers__memberships__user=user).values("pk")).order_by(
        "-start"
    )


def managed_event_organizers(user, events=None):
    """The allies `user` may look for among the organizers of the events they run (`events`, by default
    `managed_events(user)`): those organizing one of these events; for coordinators, who run them all, also
    every public ally. One query when read (a subquery of the events)."""
    from alliance.permissions import is_coordinator
    from members.models import Ally, public_q

    events = managed_events(user) if events is None else events
    organizing = Q(pk__in=Event.organizers.through.objects.filter(event__in=events.values("pk")).values("ally_id"))
    if is_coordinator(user):
        organizing |= public_q()
    return Ally.objects.filter(organizing)


def registrations_for_management(event):
    return (
        event.registrations.select_related("user")
        .prefetch_related(
            Prefetch("session_choices", queryset=SessionChoice.objects.select_related("session")),
            Prefetch("answers", queryset=RegistrationAnswer.objects.select_related("question")),
        )
        .order_by("created_at", "pk")
    )


def registration_for_management(event, pk):
    """One registration of `event` with its choices and their sessions, or None."""
    return (
        event.registrations.prefetch_related(
            Prefetch(
                "session_choices",
                queryset=SessionChoice.objects.select_related("session").order_by(
                    "session__day", "session__start_time", "session__pk"
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )


def count_pending_decisions(user) -> int:
    """Applications to events that wait for a decision by `user`."""
    return Registration.objects.filter(
        status=Registration.Status.PENDING,
        email_confirmed_at__isnull=False,
        event__admission_review=True,
        event__in=managed_events(user).values("pk"),
    ).count()


def ally_events(ally):
    """Published events the ally organizes, upcoming first, for its page."""
    from django.utils.formats import date_format

    events = ally.organized_events.filter(status=Event.Status.PUBLISHED).order_by("-start")[:20]
    return [(e.title, e.get_absolute_url(), date_format(timezone.localtime(e.start), "DATE_FORMAT")) for e in events]
