"""The event and its programme: creating and editing from plain data, publishing, cancelling,
copying, writing to the people registered.

`save_event` holds the rules an editor could break: no fewer seats (event or session) than people
holding them, no session removed under the people who chose it, unless the organizer confirms the
moves; a new time or place bumps the calendar sequence and tells everyone registered.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alliance.dates import sane_date
from alliance.text import unique_slug
from alliance.workflow import log, transition
from members.models import Ally

from .. import selectors
from ..calendar import CANCEL, REQUEST, ROME
from ..models import PER_MEETING_LOCKED, Event, Registration, Reminder, Session, SessionChoice, Speaker
from ..permissions import can_create_events, can_manage_event
from .base import ACTIVE, RegistrationError, Status, _actor, _lock, _locked_work
from .registrations import (
    _confirmed_count,
    _promote_session_waitlist,
    _promote_waitlist,
    _to_waiting_list,
    _waitlisted_mail,
)
from .reminders import _reschedule_reminders, schedule_reminders

# The event and its programme: plain data in ---------------------------------------------


class _Keep:
    """The default of every EventData field: leave the event's value as it is."""

    def __repr__(self):
        return "KEEP"

    def __bool__(self):
        return False


KEEP = _Keep()

EVENT_FIELDS = (
    "title",
    "kind",
    "summary",
    "description",
    "venue_name",
    "address",
    "city",
    "province",
    "region",
    "online_url",
    "step_free_access",
    "interpretation",
    "accessibility_notes",
    "start",
    "end",
    "capacity",
    "cover_image",
    "programme_pdf",
    "language",
    "registration_policy",
    "registration_opens_at",
    "registration_closes_at",
    "reminder_offsets",
    "project",
    "pathway_stage",
    "is_series",
    "register_per_meeting",
)
EVENT_M2M = ("organizers", "themes")
ADMISSION_FIELDS = ("admission", "admission_review", "admission_allies", "admission_regions")
DATE_FIELDS = ("start", "end", "registration_opens_at", "registration_closes_at")


@dataclass(kw_only=True)
class EventData:
    """The event's own fields as an editor gives them; a field left at KEEP is not touched.

    `cover_image` and `programme_pdf` take a file to store, False to remove
    the stored one, or KEEP. `organizers` and `themes` take lists of rows.
    `project` and `pathway_stage` (or None) must be ones the actor may link
    (`initiatives.selectors.linkable_projects` / `linkable_stages`), unless
    they are the event's already. The admission settings (`admission`: who,
    `admission_review`: how, and the two lists) are saved in the same
    transaction as the rest.
    Status, dates of publication and cancellation, and the calendar sequence
    are not here: they change only through publish_event and cancel_event.
    """

    title: str = KEEP
    kind: str = KEEP
    summary: str = KEEP
    description: str = KEEP
    venue_name: str = KEEP
    address: str = KEEP
    city: str = KEEP
    province: object = KEEP
    region: object = KEEP
    online_url: str = KEEP
    step_free_access: bool = KEEP
    interpretation: str = KEEP
    accessibility_notes: str = KEEP
    start: datetime = KEEP
    end: datetime = KEEP
    capacity: int | None = KEEP
    cover_image: object = KEEP
    programme_pdf: object = KEEP
    language: str = KEEP
    registration_policy: str = KEEP
    registration_opens_at: datetime | None = KEEP
    registration_closes_at: datetime | None = KEEP
    reminder_offsets: list = KEEP
    project: object = KEEP
    pathway_stage: object = KEEP
    is_series: bool = KEEP  # every session is a meeting of its own (issue 9)
    register_per_meeting: bool = KEEP  # attendees of a series choose their meetings (issue 9)
    organizers: list = KEEP
    themes: list = KEEP
    admission: str = KEEP
    admission_review: bool = KEEP
    admission_allies: list = KEEP
    admission_regions: list = KEEP

    @classmethod
    def from_mapping(cls, values: dict) -> "EventData":
        """From a dict such as a form's cleaned_data: the known keys, the rest ignored."""
        names = (*EVENT_FIELDS, *EVENT_M2M, *ADMISSION_FIELDS)
        return cls(**{name: values[name] for name in names if name in values})


@dataclass(kw_only=True)
class SpeakerData:
    """A speaker of the event: `pk` None for a new one."""

    pk: int | None = None
    name: str
    role: str = ""
    affiliation: str = ""
    to_be_confirmed: bool = False
    bio: str = ""
    ally: object = KEEP  # the ally the speaker comes from, None for none; a member ally, or the one already linked


@dataclass(kw_only=True)
class SessionData:
    """A session of the programme: `pk` None for a new one; `speaker_names` name speakers of the event."""

    pk: int | None = None
    title: str
    kind: str = Session.Kind.PLENARY
    day: date
    start_time: time
    end_time: time
    room: str = ""
    capacity: int | None = None
    description: str = ""
    speaker_names: list = field(default_factory=list)


@dataclass(kw_only=True)
class Programme:
    """Changes to speakers and sessions: rows to create or update (in order), and rows to remove.

    Rows of the event that are neither listed nor removed stay as they are.
    """

    speakers: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    removed_speaker_ids: list = field(default_factory=list)
    removed_session_ids: list = field(default_factory=list)


@dataclass(frozen=True)
class Displacement:
    """Someone would lose a place: `session_id` None for the event's seats."""

    kind: str  # "seats" (the event's), "session_seats", "session_removed"
    count: int  # how many people would move or lose their choice
    message: str
    session_id: int | None = None


class DisplacementError(RegistrationError):
    """Saving would leave fewer places than people holding them; `problems` lists each one.

    Saving again with `confirm_moves=True` does it: the latest confirmed move
    to the waiting list, the choices of a removed session are dropped, and
    everyone concerned is told by e-mail.
    """

    def __init__(self, problems: list[Displacement]):
        self.problems = problems
        super().__init__([p.message for p in problems])


@dataclass(frozen=True)
class SaveResult:
    event: Event
    created: bool
    changed: bool = False  # time or place changed (and, if published, everyone was told)
    moved: tuple = ()  # registrations moved to the waiting list because seats went down


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def unique_event_slug(title: str, *, exclude_pk=None) -> str:
    return unique_slug(Event, title, fallback="evento", exclude_pk=exclude_pk)


CHANGE_FIELDS = ("start", "end", "venue_name", "address", "city", "online_url")


def _apply(event: Event, data: EventData) -> None:
    for name in EVENT_FIELDS:
        value = getattr(data, name)
        if value is KEEP:
            continue
        if name in ("cover_image", "programme_pdf") and value is False:
            value = ""
        setattr(event, name, value)


def _check_event(event: Event) -> None:
    """What no path may store, whatever form it came through."""
    errors = {}
    for name in DATE_FIELDS:
        try:
            sane_date(getattr(event, name))
        except ValidationError as exc:
            errors[name] = exc.messages
    if event.start and event.end and "end" not in errors and "start" not in errors and event.end <= event.start:
        errors["end"] = [_("The end must come after the start.")]
    if event.capacity is not None and event.capacity < 1:
        errors["capacity"] = [_("Leave it empty for no limit, or give at least one seat.")]
    if event.register_per_meeting and not event.is_series:
        from ..models import PER_MEETING_NOT_SERIES

        errors["register_per_meeting"] = [str(PER_MEETING_NOT_SERIES)]
    if errors:
        raise ValidationError(errors)


def _check_links(event: Event, data: EventData, before: dict, *, actor) -> None:
    """A project or a stage newly linked must be one `actor` may link; what was linked already may stay."""
    from initiatives.selectors import linkable_projects, linkable_stages

    errors = {}
    for name, linkable, message in (
        (
            "project",
            linkable_projects,
            _(
                "You cannot link this event to that project: only to the projects "
                "your organizations lead or take part in."
            ),
        ),
        (
            "pathway_stage",
            linkable_stages,
            _(
                "You cannot link this event to that stage: only to the stages of "
                "the pathways your organizations promote."
            ),
        ),
    ):
        value = getattr(data, name)
        if value is KEEP or value is None or value.pk == before.get(name):
            continue
        if not linkable(actor).filter(pk=value.pk).exists():
            errors[name] = [message]
    if errors:
        raise ValidationError(errors)


def _save_admission(event: Event, data: EventData, *, actor) -> None:
    """The admission settings given in `data`, in the caller's transaction (see admission.apply_admission)."""
    from .admission import apply_admission

    values = {name: getattr(data, name) for name in ADMISSION_FIELDS}
    if all(value is KEEP for value in values.values()):
        return
    apply_admission(
        event,
        actor=actor,
        who=None if values["admission"] is KEEP else values["admission"],
        review=None if values["admission_review"] is KEEP else values["admission_review"],
        allies=None if values["admission_allies"] is KEEP else values["admission_allies"],
        regions=None if values["admission_regions"] is KEEP else values["admission_regions"],
    )


def _as_value(value):
    """For the log's JSON: datetimes in UTC, whatever time zone they came in."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def save_event(
    *, event: Event | None, actor, data: EventData, programme: Programme | None = None, confirm_moves: bool = False
) -> SaveResult:
    """Create an event (`event` None or unsaved) or save the changes to one.

    The rules: no fewer seats, for the event or a session, than people holding
    them, and no session removed under the people who chose it — refused with
    `DisplacementError`, or done when `confirm_moves` is True (the latest
    confirmed move to the waiting list, the removed session's choices are
    dropped; all are told). More seats fill from the waiting lists. A
    published event whose time or place changed gets a new calendar sequence
    and everyone registered is told.
    """
    if event is None or event.pk is None:
        return _create_event(actor=actor, data=data, programme=programme)
    with _locked_work() as outbox:
        event = _lock(event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        before = {name: getattr(event, name) for name in CHANGE_FIELDS}
        links_before = {"project": event.project_id, "pathway_stage": event.pathway_stage_id}
        old_capacity, old_offsets = event.capacity, list(event.reminder_offsets or [])
        sessions_before = {s.pk: s for s in event.sessions.all()}
        seats_before = {pk: s.capacity for pk, s in sessions_before.items()}
        _apply(event, data)
        _check_event(event)
        _check_links(event, data, links_before, actor=actor)
        if event.per_meeting_locked():
            raise ValidationError({"register_per_meeting": [str(PER_MEETING_LOCKED)]})
        programme = programme or Programme()
        problems = _displacements(event, programme, sessions_before)
        if problems and not confirm_moves:
            raise DisplacementError(problems)

        changed = any(before[name] != getattr(event, name) for name in CHANGE_FIELDS)
        # A meeting of a series that moves is a change of time for everyone registered (series: issue 9).
        changed = changed or (event.is_series and _programme_moves_in_time(programme, sessions_before))
        if changed or _programme_moves_in_time(programme, sessions_before):
            event.sequence += 1
        event.save()
        for name in EVENT_M2M:
            if getattr(data, name) is not KEEP:
                getattr(event, name).set(getattr(data, name))
        _save_admission(event, data, actor=actor)
        if links_before != {"project": event.project_id, "pathway_stage": event.pathway_stage_id}:
            log(
                event,
                "links_changed",
                actor=actor,
                data={
                    "from": links_before,
                    "to": {"project": event.project_id, "pathway_stage": event.pathway_stage_id},
                },
            )
        if changed:
            log(
                event,
                "changed",
                actor=actor,
                data={
                    "from": {
                        name: _as_value(before[name]) for name in CHANGE_FIELDS if before[name] != getattr(event, name)
                    },
                    "to": {
                        name: _as_value(getattr(event, name))
                        for name in CHANGE_FIELDS
                        if before[name] != getattr(event, name)
                    },
                },
            )
        if old_capacity != event.capacity:
            log(event, "seats_changed", actor=actor, data={"from": old_capacity, "to": event.capacity})

        _save_programme(event, programme, sessions_before, actor=actor, outbox=outbox)
        moved = []
        if event.status != Event.Status.CANCELLED:
            for session in event.sessions.filter(capacity__isnull=False):
                _move_session_surplus(event, session, actor=actor, outbox=outbox)
            moved = _move_event_surplus(event, actor=actor, outbox=outbox)
        if event.status == Event.Status.PUBLISHED:
            # Session seats first, as in cancel_registration; a session whose limit was removed empties its list.
            for pk, seats in seats_before.items():
                session = event.sessions.filter(pk=pk).first()
                if session is not None and _more_seats(seats, session.capacity):
                    _promote_session_waitlist(event, session, outbox=outbox, cause=actor)
            if _more_seats(old_capacity, event.capacity):
                _promote_waitlist(event, outbox=outbox, cause=actor)
        if not changed and old_offsets != list(event.reminder_offsets or []):
            # New offsets: plan the missing reminders, keep the ones already sent.
            Reminder.objects.filter(registration__event=event, sent_at__isnull=True).delete()
            for registration in event.registrations.filter(status=Status.CONFIRMED):
                schedule_reminders(registration, event=event)
        if changed and event.status == Event.Status.PUBLISHED:
            _reschedule_reminders(event)
            # The recipients are read under the lock; their e-mails are rendered after it.
            for registration in event.registrations.filter(status__in=(Status.CONFIRMED, Status.WAITLISTED)):
                outbox.add(
                    event,
                    registration,
                    "event_changed",
                    calendar=REQUEST if registration.status == Status.CONFIRMED else None,
                    extra={"previous": before},
                )
    return SaveResult(event=event, created=False, changed=changed, moved=tuple(moved))


def _create_event(*, actor, data: EventData, programme: Programme | None) -> SaveResult:
    if not can_create_events(actor):
        raise PermissionDenied
    with _locked_work() as outbox:
        event = Event()
        _apply(event, data)
        _check_event(event)
        _check_links(event, data, {}, actor=actor)
        event.slug = unique_event_slug(event.title)
        event.created_by = _actor(actor)
        event.status = Event.Status.DRAFT
        event.save()
        for name in EVENT_M2M:
            if getattr(data, name) is not KEEP:
                getattr(event, name).set(getattr(data, name))
        log(event, "created", actor=actor)
        _save_admission(event, data, actor=actor)
        if programme:
            _save_programme(event, programme, {}, actor=actor, outbox=outbox)
    return SaveResult(event=event, created=True)


def _displacements(event, programme: Programme, sessions_before: dict) -> list[Displacement]:
    """Who would lose a place with these changes (nothing is written)."""
    if event.status == Event.Status.CANCELLED:
        return []  # nobody holds a seat at a cancelled event any more
    problems = []
    confirmed = _confirmed_count(event)
    if event.capacity is not None and confirmed > event.capacity:
        surplus = confirmed - event.capacity
        problems.append(
            Displacement(
                kind="seats",
                count=surplus,
                message=ngettext(
                    "%(confirmed)d people hold a confirmed seat, more than the %(seats)d seats you set: raise the "
                    "number, or confirm below that the latest %(count)d confirmed moves to the waiting list.",
                    "%(confirmed)d people hold a confirmed seat, more than the %(seats)d seats you set: raise the "
                    "number, or confirm below that the latest %(count)d confirmed move to the waiting list.",
                    surplus,
                )
                % {"confirmed": confirmed, "seats": event.capacity, "count": surplus},
            )
        )
    removed = set(programme.removed_session_ids) & set(sessions_before)
    # Every limited session as it would be after the save (also one left as it is but already overfull).
    seats = {pk: session.capacity for pk, session in sessions_before.items()}
    seats.update({data.pk: data.capacity for data in programme.sessions if data.pk in seats})
    for pk in sorted(seats):
        if pk not in removed and seats[pk] is not None:
            taken = SessionChoice.objects.filter(session_id=pk, status=SessionChoice.Status.CONFIRMED).count()
            if taken > seats[pk]:
                surplus = taken - seats[pk]
                problems.append(
                    Displacement(
                        kind="session_seats",
                        count=surplus,
                        session_id=pk,
                        message=ngettext(
                            "“%(title)s” has %(taken)d confirmed seats, more than the %(seats)d you set: raise the "
                            "number, or confirm below that the latest %(count)d moves to its waiting list.",
                            "“%(title)s” has %(taken)d confirmed seats, more than the %(seats)d you set: raise the "
                            "number, or confirm below that the latest %(count)d move to its waiting list.",
                            surplus,
                        )
                        % {"title": sessions_before[pk].title, "taken": taken, "seats": seats[pk], "count": surplus},
                    )
                )
    for pk in sorted(removed):
        chosen = SessionChoice.objects.filter(session_id=pk, registration__status__in=ACTIVE).count()
        if chosen:
            problems.append(
                Displacement(
                    kind="session_removed",
                    count=chosen,
                    session_id=pk,
                    message=ngettext(
                        "%(count)d person chose “%(title)s”: to remove it, confirm below that their choice is dropped "
                        "(they are told by e-mail).",
                        "%(count)d people chose “%(title)s”: to remove it, confirm below that their choices are "
                        "dropped (they are told by e-mail).",
                        chosen,
                    )
                    % {"count": chosen, "title": sessions_before[pk].title},
                )
            )
    return problems


def _programme_moves_in_time(programme: Programme, sessions_before: dict) -> bool:
    for data in programme.sessions:
        old = sessions_before.get(data.pk)
        if old is not None and (old.day, old.start_time, old.end_time, old.room) != (
            data.day,
            data.start_time,
            data.end_time,
            data.room,
        ):
            return True
    return any(pk in sessions_before for pk in programme.removed_session_ids)


def _save_programme(event, programme: Programme, sessions_before: dict, *, actor, outbox) -> None:
    if programme.removed_speaker_ids:
        event.speakers.filter(pk__in=programme.removed_speaker_ids).delete()
    speakers = {s.pk: s for s in event.speakers.all()}
    for position, data in enumerate(programme.speakers):
        speaker = speakers.get(data.pk) if data.pk else None
        if data.pk and speaker is None:
            raise ValidationError(_("One of the speakers is not part of this event."))
        speaker = speaker or Speaker(event=event)
        speaker.name = " ".join(data.name.split())
        speaker.role, speaker.affiliation, speaker.bio = data.role, data.affiliation, data.bio
        speaker.to_be_confirmed, speaker.position = data.to_be_confirmed, position
        if data.ally is not KEEP and getattr(data.ally, "pk", None) != speaker.ally_id:
            if data.ally is not None and not Ally.objects.members().filter(pk=data.ally.pk).exists():
                raise ValidationError(
                    _("%(name)s can only be linked to an ally of the network.") % {"name": speaker.name}
                )
            speaker.ally = data.ally
        speaker.save()
    by_name = {_normal(s.name): s for s in event.speakers.all()}

    for pk in sorted(set(programme.removed_session_ids) & set(sessions_before)):
        _remove_session(event, sessions_before[pk], actor=actor, outbox=outbox)
    for data in programme.sessions:
        if data.pk in programme.removed_session_ids:
            continue
        session = sessions_before.get(data.pk) if data.pk else None
        if data.pk and session is None:
            raise ValidationError(_("One of the sessions is not part of this event."))
        old_capacity = session.capacity if session is not None else None
        session = session or Session(event=event)
        for name in ("title", "kind", "day", "start_time", "end_time", "room", "capacity", "description"):
            setattr(session, name, getattr(data, name))
        try:
            sane_date(session.day)
        except ValidationError as exc:
            raise ValidationError({"day": exc.messages}) from exc
        session.save()
        unknown = [name for name in data.speaker_names if _normal(name) not in by_name]
        if unknown:
            raise ValidationError(
                _("%(names)s is not among the speakers of this event.") % {"names": ", ".join(unknown)}
            )
        session.speakers.set([by_name[_normal(name)] for name in data.speaker_names])
        if data.pk and old_capacity != session.capacity:
            log(
                event,
                "session_seats_changed",
                actor=actor,
                data={"session": session.title, "session_id": session.pk, "from": old_capacity, "to": session.capacity},
            )


def _remove_session(event, session, *, actor, outbox) -> None:
    """Remove a session; whoever chose it (seated or waiting) loses the choice and is told."""
    choices = list(session.choices.filter(registration__status__in=ACTIVE).select_related("registration"))
    snapshot = {
        "title": session.title,
        "day": session.day,
        "start_time": session.start_time,
        "end_time": session.end_time,
    }
    for choice in choices:
        registration = choice.registration
        log(
            registration,
            "session_removed",
            actor=actor,
            data={"session": session.title, "session_id": session.pk, "choice": choice.status},
        )
        if registration.email_confirmed_at is not None:
            outbox.add(
                event,
                registration,
                "event_session_removed",
                extra={"removed_session": snapshot, "choice_status": choice.status},
            )
    log(
        event,
        "session_removed",
        actor=actor,
        data={
            "session": session.title,
            "session_id": session.pk,
            "day": session.day.isoformat(),
            "people": len(choices),
        },
    )
    session.delete()


def _move_session_surplus(event, session, *, actor, outbox) -> None:
    """More confirmed choices than seats: the latest confirmed go to the session's waiting list, first in line.

    The session leaves their calendar (a METHOD:CANCEL of its entry only, under a new SEQUENCE) and, in a series
    registered per meeting, their reminders of that meeting are dropped: they no longer hold a seat there."""
    confirmed = session.choices.filter(status=SessionChoice.Status.CONFIRMED)
    surplus = confirmed.count() - session.capacity
    if surplus <= 0:
        return
    event.sequence += 1
    event.save(update_fields=["sequence", "updated_at"])
    latest = list(confirmed.select_related("registration").order_by("-registration__confirmed_at", "-pk")[:surplus])
    for choice in latest:
        choice.status = SessionChoice.Status.WAITLISTED
        # The time they chose it puts them ahead of whoever was already waiting for this session.
        choice.waitlisted_at = choice.created_at
        choice.save(update_fields=["status", "waitlisted_at"])
        log(
            choice.registration,
            "session_waitlisted",
            actor=actor,
            data={"session": session.title, "session_id": session.pk, "reason": "seats_reduced"},
        )
        if event.per_meeting:
            Reminder.objects.filter(registration=choice.registration, session=session, sent_at__isnull=True).delete()
    for choice in latest:  # their places in line, once all of them are in it
        outbox.add(
            event,
            choice.registration,
            "event_session_waitlisted",
            cancelled_sessions=[session],
            extra={"session": session, "position": selectors.session_waitlist_position(choice)},
        )


def _move_event_surplus(event, *, actor, outbox) -> list[Registration]:
    """More confirmed than seats: the latest confirmed go to the waiting list, ahead of those already there."""
    if event.capacity is None:
        return []
    surplus = _confirmed_count(event) - event.capacity
    if surplus <= 0:
        return []
    latest = list(event.registrations.filter(status=Status.CONFIRMED).order_by("-confirmed_at", "-pk")[:surplus])
    freed = set()
    freed_by = {}
    for registration in latest:
        # Their place in line is the moment they got their seat: before anyone who waited after it.
        freed_by[registration.pk] = _to_waiting_list(
            event,
            registration,
            actor=actor,
            outbox=outbox,
            template="event_moved_to_waitlist",
            waitlisted_at=registration.confirmed_at or timezone.now(),
            data={"reason": "seats_reduced"},
            notify=False,
        )
        freed.update(freed_by[registration.pk])
    for registration in latest:  # their places in line, once all of them are in it
        _waitlisted_mail(
            event, registration, outbox=outbox, template="event_moved_to_waitlist", freed=freed_by[registration.pk]
        )
    if event.status == Event.Status.PUBLISHED:
        for session in sorted(freed, key=lambda s: s.pk):
            _promote_session_waitlist(event, session, outbox=outbox, cause=actor)
    return latest


def _more_seats(before, after) -> bool:
    """None means no limit."""
    if before is None:
        return False
    return after is None or after > before


def publish_event(*, event: Event, actor) -> Event:
    with transaction.atomic():
        event = _lock(event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        if event.status == Event.Status.CANCELLED:
            raise RegistrationError(_("A cancelled event cannot be published again: duplicate it instead."))
        if event.status == Event.Status.PUBLISHED:
            return event
        event.published_at = event.published_at or timezone.now()
        event.sequence += 1
        transition(event, Event.Status.PUBLISHED, actor=actor, update_fields=["published_at", "sequence"])
    return event


def cancel_event(*, event: Event, actor, message: str = "") -> Event:
    """Cancel the event and tell everyone registered (after the lock is released)."""
    with _locked_work() as outbox:
        event = _lock(event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        if event.status == Event.Status.CANCELLED:
            return event
        was_published = event.status == Event.Status.PUBLISHED
        event.cancelled_at = timezone.now()
        event.sequence += 1
        transition(
            event, Event.Status.CANCELLED, actor=actor, note=message.strip(), update_fields=["cancelled_at", "sequence"]
        )
        Reminder.objects.filter(registration__event=event, sent_at__isnull=True).delete()
        if was_published:
            for registration in event.registrations.filter(status__in=ACTIVE, email_confirmed_at__isnull=False):
                outbox.add(event, registration, "event_cancelled", calendar=CANCEL, extra={"message": message})
    return event


def duplicate_event(*, event: Event, actor, start: datetime | None = None, title: str | None = None) -> Event:
    """A draft copy with the same programme and speakers, for the next meeting or edition.

    With `start` (a new edition): every date moves by the same offset, counted on the wall clock of
    Rome (so 14:00 stays 14:00 across a change of summer time) — the end, every session or meeting, the
    registration window; reminders are minutes before the start and follow it. With `title`, the copy
    takes it and an address made from it; without, "… (copy)".
    """
    title = " ".join((title or "").split())
    with transaction.atomic():
        if not can_manage_event(actor, event):
            raise PermissionDenied
        source = Event.objects.prefetch_related("sessions__speakers", "speakers", "organizers", "themes").get(
            pk=event.pk
        )
        copy = Event.objects.get(pk=event.pk)
        copy.pk = None
        copy.title = title or _("%(title)s (copy)") % {"title": source.title}
        if start is not None:
            offset = _wall(start) - _wall(source.start)
            for name in DATE_FIELDS:
                if getattr(source, name) is not None:
                    setattr(copy, name, _from_wall(_wall(getattr(source, name)) + offset))
            _check_event(copy)
        copy.slug = unique_event_slug(copy.title)
        copy.status = Event.Status.DRAFT
        copy.published_at = copy.cancelled_at = None
        copy.sequence = 0
        copy.created_by = _actor(actor)
        copy.save()
        copy.organizers.set(source.organizers.all())
        copy.themes.set(source.themes.all())
        for name in ("admission_allies", "admission_regions"):  # who may register (issue 9, admission)
            if hasattr(source, name):
                getattr(copy, name).set(getattr(source, name).all())
        log(
            copy,
            "created",
            actor=actor,
            data={
                "copied_from": source.pk,
                **({"offset_days": offset.days, "offset_seconds": offset.seconds} if start is not None else {}),
            },
        )
        speakers = {}
        for speaker in source.speakers.all():
            old_pk = speaker.pk
            speaker.pk = None
            speaker.event = copy
            speaker.save()
            speakers[old_pk] = speaker
        for session in source.sessions.all():
            session_speakers = [speakers[s.pk] for s in session.speakers.all()]
            session.pk = None
            session.event = copy
            session.cancelled_at = None
            if start is not None:
                begins = datetime.combine(session.day, session.start_time) + offset
                ends = datetime.combine(session.day, session.end_time) + offset
                session.day, session.start_time, session.end_time = begins.date(), begins.time(), ends.time()
                try:
                    sane_date(session.day)
                except ValidationError as exc:
                    raise ValidationError({"start": exc.messages}) from exc
            session.save()
            session.speakers.set(session_speakers)
    return copy


def _wall(value: datetime) -> datetime:
    """The wall-clock time in Rome, without a time zone."""
    return timezone.localtime(value, ROME).replace(tzinfo=None)


def _from_wall(value: datetime) -> datetime:
    return value.replace(tzinfo=ROME)


def cancel_meeting(*, event: Event, session: Session, actor, message: str = "") -> Session:
    """Cancel one meeting of a series; the rest goes ahead. Its attendees are told, with a calendar file that
    removes that meeting only (METHOD:CANCEL of its VEVENT); its reminders are dropped."""
    with _locked_work() as outbox:
        event = _lock(event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        session = Session.objects.select_for_update().filter(pk=session.pk, event=event).first()
        if session is None or not event.is_series:
            raise RegistrationError(_("This is not a meeting of the series."))
        if event.status == Event.Status.CANCELLED:
            raise RegistrationError(_("The whole event is cancelled."))
        if session.cancelled_at is not None:
            return session
        session.cancelled_at = timezone.now()
        session.save(update_fields=["cancelled_at"])
        event.sequence += 1
        event.save(update_fields=["sequence", "updated_at"])
        Reminder.objects.filter(session=session, sent_at__isnull=True).delete()
        recipients = []
        if event.status == Event.Status.PUBLISHED:
            recipients = event.registrations.filter(status__in=ACTIVE, email_confirmed_at__isnull=False)
            if event.per_meeting:  # only those who chose this meeting
                recipients = recipients.filter(session_choices__session=session)
            recipients = list(recipients)
            for registration in recipients:
                held = registration.status == Status.CONFIRMED and (
                    not event.per_meeting
                    or registration.session_choices.filter(
                        session=session, status=SessionChoice.Status.CONFIRMED
                    ).exists()
                )
                outbox.add(
                    event,
                    registration,
                    "event_meeting_cancelled",
                    calendar=CANCEL if held else None,
                    sessions=[session],
                    extra={"meeting": session, "message": message.strip(), "with_calendar": held},
                )
        log(
            event,
            "meeting_cancelled",
            actor=actor,
            data={
                "session": session.title,
                "session_id": session.pk,
                "day": session.day.isoformat(),
                "people": len(recipients),
                "message": message.strip(),
            },
        )
    return session


def message_attendees(*, event: Event, actor, statuses: list[str], subject: str, body: str) -> int:
    """Write to the people registered with the given statuses; returns how many."""
    if not can_manage_event(actor, event):
        raise PermissionDenied
    with _locked_work() as outbox:
        # Never to an address that was not confirmed: it may not belong to whoever registered it.
        recipients = list(event.registrations.filter(status__in=statuses, email_confirmed_at__isnull=False))
        for registration in recipients:
            outbox.add(event, registration, "event_message", extra={"message_subject": subject, "message_body": body})
        log(
            event,
            "message_sent",
            actor=actor,
            data={"subject": subject, "statuses": list(statuses), "recipients": len(recipients)},
        )
    return len(recipients)
