"""Every write about events and registrations.

Seats. Every change that can confirm, waitlist or free a seat (registering,
confirming an e-mail, deciding, cancelling, moving, changing seats or the
programme) locks the event row first, so however many requests arrive at
once, the confirmed registrations never exceed the seats of the event or of
any session; and no save leaves fewer seats than people holding them (it is
refused, or the organizer explicitly moves the latest to the waiting list).

States. Every status change of an event or a registration goes through
`alliance.workflow.transition` (the tables are `Event.TRANSITIONS` and
`Registration.TRANSITIONS`) with its actor: the person who acted, or None
when the portal acts by itself (a promotion from the waiting list), in which
case the log's data names the account that caused it (`caused_by`). Other
changes worth keeping (check-in, time or place, seats, programme, workshop
choices, e-mail confirmed) go through `alliance.workflow.log`.

E-mails. A service collects its e-mails (recipients, template, calendar
file) while it holds the lock, in an `Outbox`, and renders and queues them
once its transaction block has ended and the lock is released: an e-mail to
300 people never makes the next registration wait. Call the services outside
any transaction of your own, or the lock lasts until yours ends.

Inputs are plain data (keyword arguments and the dataclasses below), never
forms or requests; results are the rows or small result objects.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from alliance.dates import sane_date
from alliance.emails import queue_email
from alliance.text import unique_slug
from alliance.workflow import log, transition

from . import selectors
from .calendar import CANCEL, REQUEST, ics_attachment
from .models import Event, Registration, Reminder, Session, SessionChoice, Speaker, new_token
from .permissions import can_create_events, can_manage_event

Status = Registration.Status
ACTIVE = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)


class RegistrationError(ValidationError):
    """A rule about registrations refused; the message is for the person."""


@dataclass
class Attendee:
    """What a person gives when registering."""

    name: str
    email: str
    organization: str = ""
    role: str = ""
    accessibility_needs: str = ""
    public_consent: bool = False
    language: str = "it"
    session_ids: list = field(default_factory=list)


@dataclass(frozen=True)
class RegistrationResult:
    """What `register` did.

    `created` is False when an active registration of the address existed and
    was returned as it was. `may_see_token_page` says whether the caller may be
    shown the registration's page (its link is the key to it): only the
    signed-in owner of the verified address, or the account that made a
    registration whose address is confirmed.
    """

    registration: Registration
    created: bool
    may_see_token_page: bool


CLOSED_REASONS = {
    "none": gettext_noop("This event has no registration."),
    "draft": gettext_noop("This event is not published."),
    "cancelled": gettext_noop("This event has been cancelled."),
    "not_yet": gettext_noop("Registration is not open yet."),
    "closed": gettext_noop("Registration is closed."),
    "past": gettext_noop("This event is over."),
}


def closed_reason(state: str) -> str:
    return _(CLOSED_REASONS[state])


# E-mails after the lock ------------------------------------------------------------


@dataclass
class _Mail:
    event: Event
    registration: Registration
    template: str
    calendar: str | None = None  # REQUEST, CANCEL or None
    extra: dict = field(default_factory=dict)
    sessions: list | None = None  # for the calendar file; None: the confirmed choices when it is rendered


class Outbox:
    """The e-mails a service decided to send, rendered and queued only when `send()` is called."""

    def __init__(self):
        self.mails: list[_Mail] = []

    def add(self, event, registration, template, *, calendar=None, extra=None, sessions=None) -> None:
        self.mails.append(_Mail(event, registration, template, calendar, extra or {}, sessions))

    def send(self) -> None:
        mails, self.mails = self.mails, []
        for mail in mails:
            _render_and_queue(mail)


@contextmanager
def _locked_work():
    """A transaction whose e-mails leave after it: `with _locked_work() as outbox:`.

    Nothing is sent if the block raises.
    """
    outbox = Outbox()
    with transaction.atomic():
        yield outbox
    outbox.send()


def _render_and_queue(mail: _Mail) -> None:
    registration, event = mail.registration, mail.event
    choices = list(
        registration.session_choices.select_related("session").order_by("session__day", "session__start_time")
    )
    context = {"event": event, "registration": registration, "choices": choices, **mail.extra}
    attachments = None
    if mail.calendar:
        sessions = mail.sessions
        if sessions is None:
            sessions = [c.session for c in choices if c.status == SessionChoice.Status.CONFIRMED]
        attachments = [
            ics_attachment(event, sessions, method=mail.calendar, language=registration.language,
                           attendee=registration)
        ]
    queue_email(
        to=registration.email, template=mail.template, context=context, language=registration.language,
        attachments=attachments,
    )


def _cause(actor) -> dict:
    """For changes the portal makes by itself: who caused them."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {"caused_by": actor.pk}
    return {}


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _lock(event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


# Registering ---------------------------------------------------------------------


def choosable_sessions(event):
    """Sessions an attendee picks at registration: those with their own seats."""
    return event.sessions.filter(capacity__isnull=False)


def _check_session_choice(event, session_ids) -> list[Session]:
    try:
        wanted = {int(i) for i in session_ids}
    except (TypeError, ValueError) as exc:
        raise RegistrationError(_("One of the chosen sessions is not part of this event.")) from exc
    sessions = list(choosable_sessions(event).filter(pk__in=wanted))
    if len(sessions) != len(wanted):
        raise RegistrationError(_("One of the chosen sessions is not part of this event."))
    for i, first in enumerate(sessions):
        for second in sessions[i + 1 :]:
            if first.overlaps(second):
                raise RegistrationError(
                    _("“%(first)s” and “%(second)s” take place at the same time: choose one of them.")
                    % {"first": first.title, "second": second.title}
                )
    return sessions


def register(*, event: Event, attendee: Attendee, user=None) -> RegistrationResult:
    """Register `attendee`; registering an address twice returns the registration that exists, untouched."""
    from members.permissions import is_member

    actor = _actor(user)
    with _locked_work() as outbox:
        event = _lock(event)
        state = event.registration_state()
        if state != "open":
            raise RegistrationError(closed_reason(state))
        if event.registration_policy == Event.Policy.MEMBERS and (actor is None or not is_member(actor)):
            raise RegistrationError(
                _("This event is for members of the alliance: sign in with the account of an approved ally.")
            )
        email = attendee.email.strip().lower()
        address_owner = actor is not None and has_verified_email(actor, email)
        existing = Registration.objects.filter(event=event, email__iexact=email).first()
        if existing is not None and existing.status in ACTIVE:
            if existing.status == Status.PENDING and existing.email_confirmed_at is None and address_owner:
                # A guest who registered earlier now signs in with that verified address.
                existing.user = actor
                existing.save(update_fields=["user"])
                _after_email_confirmed(event, existing, actor=actor, outbox=outbox)
            result = RegistrationResult(existing, created=False, may_see_token_page=address_owner)
        else:
            sessions = _check_session_choice(event, attendee.session_ids)
            registration = existing or Registration(event=event, email=email)
            if existing is not None:
                # A cancelled or declined row comes back to life: old links must not open it.
                registration.token = new_token()
            registration.user = actor
            registration.name = attendee.name.strip()
            registration.organization = attendee.organization.strip()
            registration.role = attendee.role.strip()
            registration.accessibility_needs = attendee.accessibility_needs.strip()
            registration.public_consent = attendee.public_consent
            registration.language = attendee.language
            registration.privacy_accepted_at = timezone.now()
            registration.decision_reason = ""
            registration.email_confirmed_at = None
            registration.confirmed_at = registration.waitlisted_at = registration.cancelled_at = None
            registration.checked_in_at = None
            registration.save()
            chosen = {"sessions": [s.title for s in sessions]} if sessions else {}
            if existing is not None:
                transition(registration, Status.PENDING, actor=actor, data={"reason": "registered_again", **chosen})
            else:
                log(registration, "created", actor=actor, data=chosen)
            registration.session_choices.all().delete()
            SessionChoice.objects.bulk_create(
                SessionChoice(registration=registration, session=session) for session in sessions
            )
            if address_owner:
                _after_email_confirmed(event, registration, actor=actor, outbox=outbox)
            else:
                outbox.add(event, registration, "event_email_check")
            owner = address_owner or (actor is not None and registration.user_id == actor.pk)
            result = RegistrationResult(
                registration, created=True,
                may_see_token_page=owner and registration.email_confirmed_at is not None,
            )
    return result


def has_verified_email(user, email) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


RESEND_INTERVAL_SECONDS = 600


def resend_registration_link(registration: Registration) -> None:
    """Send the registration's link again, to its own address only: whoever asked learns nothing.

    An address not confirmed yet gets the e-mail check again; a confirmed one the link to its page.
    At most one such e-mail every ten minutes, so that the form cannot flood an inbox.
    """
    from django.core.cache import cache

    if not cache.add(f"events:resend-link:{registration.pk}", 1, timeout=RESEND_INTERVAL_SECONDS):
        return
    template = "event_email_check" if registration.email_confirmed_at is None else "event_registration_link"
    _render_and_queue(_Mail(registration.event, registration, template))


def confirm_email(*, token: str) -> Registration:
    """The guest followed the link in the e-mail check: now the registration counts."""
    with _locked_work() as outbox:
        registration = Registration.objects.select_related("event").filter(token=token).first()
        if registration is None:
            raise RegistrationError(_("This link is not valid."))
        event = _lock(registration.event)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status != Status.PENDING or registration.email_confirmed_at is not None:
            return registration
        if event.registration_state() != "open":
            raise RegistrationError(closed_reason(event.registration_state()))
        _after_email_confirmed(event, registration, actor=None, outbox=outbox)
    return registration


def _after_email_confirmed(event, registration, *, actor, outbox):
    registration.email_confirmed_at = timezone.now()
    registration.save(update_fields=["email_confirmed_at"])
    log(registration, "email_confirmed", actor=actor)
    if event.registration_policy == Event.Policy.APPLICATION:
        outbox.add(event, registration, "event_application_received")
    else:
        _allocate(event, registration, actor=actor, outbox=outbox)


def _confirmed_count(event) -> int:
    return event.registrations.filter(status=Status.CONFIRMED).count()


def _allocate(event, registration, *, actor, outbox, template="event_confirmation", note="", data=None):
    """Confirm `registration` if the event has a seat, else put it on the waiting list. The event is locked."""
    now = timezone.now()
    if event.capacity is None or _confirmed_count(event) < event.capacity:
        registration.confirmed_at = now
        registration.waitlisted_at = None
        transition(registration, Status.CONFIRMED, actor=actor, note=note, data=data,
                   update_fields=["confirmed_at", "waitlisted_at"])
        _allocate_sessions(registration)
        schedule_reminders(registration, event=event)
        outbox.add(event, registration, template, calendar=REQUEST)
    else:
        registration.waitlisted_at = now
        transition(registration, Status.WAITLISTED, actor=actor, note=note, data=data, update_fields=["waitlisted_at"])
        outbox.add(event, registration, "event_waitlisted")


def _allocate_sessions(registration):
    now = timezone.now()
    for choice in registration.session_choices.select_related("session").exclude(status=SessionChoice.Status.CONFIRMED):
        session = choice.session
        taken = session.choices.filter(status=SessionChoice.Status.CONFIRMED).count()
        if session.capacity is None or taken < session.capacity:
            choice.status = SessionChoice.Status.CONFIRMED
            choice.waitlisted_at = None
        else:
            choice.status = SessionChoice.Status.WAITLISTED
            choice.waitlisted_at = choice.waitlisted_at or now
        choice.save(update_fields=["status", "waitlisted_at"])


def _promote_waitlist(event, *, outbox, cause=None) -> list[Registration]:
    """Fill free seats from the waiting list, in `selectors.waiting_list` order. The event is locked."""
    promoted = []
    while event.capacity is None or _confirmed_count(event) < event.capacity:
        following = selectors.waiting_list(event).first()
        if following is None:
            break
        _allocate(event, following, actor=None, outbox=outbox, template="event_promoted",
                  data={"reason": "promoted", **_cause(cause)})
        promoted.append(following)
    return promoted


def _promote_session_waitlist(event, session, *, outbox, cause=None) -> None:
    while session.capacity is None or (
        session.choices.filter(status=SessionChoice.Status.CONFIRMED).count() < session.capacity
    ):
        following = selectors.session_waiting_list(session).select_related("registration").first()
        if following is None:
            break
        following.status = SessionChoice.Status.CONFIRMED
        following.waitlisted_at = None
        following.save(update_fields=["status", "waitlisted_at"])
        log(following.registration, "session_promoted", actor=None,
            data={"session": session.title, "session_id": session.pk, **_cause(cause)})
        outbox.add(event, following.registration, "event_session_promoted", extra={"session": session},
                   calendar=REQUEST)


# Cancelling, deciding, moving -------------------------------------------------------


def cancel_registration(*, registration: Registration, actor=None, reason: str = "") -> Registration:
    """Cancel by the attendee (link or own area), by a manager, or by the portal (actor None).

    `reason` is a code kept in the log (e.g. "account_deleted").

    The first on the waiting list moves up, while the event is published and has not started.
    """
    with _locked_work() as outbox:
        event = _lock(registration.event)
        registration = Registration.objects.get(pk=registration.pk)
        if actor is not None and registration.user_id != actor.pk and not can_manage_event(actor, event):
            raise PermissionDenied
        if registration.status not in ACTIVE:
            return registration
        was_confirmed = registration.status == Status.CONFIRMED
        freed_sessions = [
            c.session for c in registration.session_choices.select_related("session")
            if c.status == SessionChoice.Status.CONFIRMED
        ]
        registration.cancelled_at = timezone.now()
        transition(registration, Status.CANCELLED, actor=actor, update_fields=["cancelled_at"],
                   data={"reason": reason} if reason else None)
        registration.session_choices.all().delete()
        registration.reminders.filter(sent_at__isnull=True).delete()
        # Who held a seat has the event in their calendar: the file takes it out.
        outbox.add(event, registration, "event_registration_cancelled",
                   calendar=CANCEL if was_confirmed else None, sessions=freed_sessions)
        # Once the event is cancelled or has started, nobody gets the "good news" of a freed seat.
        if was_confirmed and event.status == Event.Status.PUBLISHED and event.start > timezone.now():
            # Session seats first: those already waiting for a session come before whoever the
            # event's waiting list promotes now, whose choices would otherwise take the freed seat.
            for session in freed_sessions:
                _promote_session_waitlist(event, session, outbox=outbox, cause=actor)
            _promote_waitlist(event, outbox=outbox, cause=actor)
    return registration


def decide_registration(*, registration: Registration, actor, approve: bool, reason: str = "") -> Registration:
    """Coordinators judge an application: approved ones get a seat or a place on the waiting list."""
    with _locked_work() as outbox:
        event = _lock(registration.event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status != Status.PENDING or registration.email_confirmed_at is None:
            raise RegistrationError(_("Only applications waiting for a decision can be decided."))
        reason = reason.strip()
        if approve:
            registration.decision_reason = reason
            registration.save(update_fields=["decision_reason"])
            _allocate(event, registration, actor=actor, outbox=outbox, note=reason)
        else:
            if not reason:
                raise RegistrationError(_("Please give the applicant a reason."))
            registration.decision_reason = reason
            transition(registration, Status.DECLINED, actor=actor, note=reason, update_fields=["decision_reason"])
            outbox.add(event, registration, "event_application_declined")
    return registration


def _to_waiting_list(event, registration, *, actor, outbox, template, waitlisted_at, data=None) -> list[Session]:
    """A confirmed registration gives its seat back; returns the sessions whose seats it freed."""
    registration.waitlisted_at = waitlisted_at
    transition(registration, Status.WAITLISTED, actor=actor, data=data, update_fields=["waitlisted_at"])
    freed = [c.session for c in registration.session_choices.select_related("session")
             if c.status == SessionChoice.Status.CONFIRMED]
    registration.session_choices.update(status=SessionChoice.Status.REQUESTED, waitlisted_at=None)
    registration.reminders.filter(sent_at__isnull=True).delete()
    outbox.add(event, registration, template, calendar=CANCEL, sessions=freed)
    return freed


def move_registration(*, registration: Registration, actor, to: str) -> Registration:
    """Move between the waiting list and the confirmed, within the capacity."""
    with _locked_work() as outbox:
        event = _lock(registration.event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        registration = Registration.objects.get(pk=registration.pk)
        if to == Status.CONFIRMED and registration.status == Status.WAITLISTED:
            if event.capacity is not None and _confirmed_count(event) >= event.capacity:
                raise RegistrationError(_("The event is full: raise the number of seats or free one first."))
            _allocate(event, registration, actor=actor, outbox=outbox, template="event_promoted")
        elif to == Status.WAITLISTED and registration.status == Status.CONFIRMED:
            freed = _to_waiting_list(event, registration, actor=actor, outbox=outbox, template="event_waitlisted",
                                     waitlisted_at=timezone.now())
            for session in freed:
                _promote_session_waitlist(event, session, outbox=outbox, cause=actor)
        else:
            raise RegistrationError(_("This registration cannot be moved there."))
    return registration


def check_in(*, registration: Registration, actor, undo: bool = False) -> Registration:
    with transaction.atomic():
        registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        if not can_manage_event(actor, registration.event):
            raise PermissionDenied
        if registration.status != Status.CONFIRMED:
            raise RegistrationError(_("Only confirmed attendees can be checked in."))
        before = registration.checked_in_at
        registration.checked_in_at = None if undo else (registration.checked_in_at or timezone.now())
        if registration.checked_in_at != before:
            registration.save(update_fields=["checked_in_at"])
            log(registration, "check_in_undone" if undo else "checked_in", actor=actor)
    return registration


# The event and its programme: plain data in ---------------------------------------------


class _Keep:
    """The default of every EventData field: leave the event's value as it is."""

    def __repr__(self):
        return "KEEP"

    def __bool__(self):
        return False


KEEP = _Keep()

EVENT_FIELDS = (
    "title", "kind", "summary", "description", "venue_name", "address", "city", "province", "region",
    "online_url", "step_free_access", "interpretation", "accessibility_notes", "start", "end", "capacity",
    "cover_image", "programme_pdf", "language", "registration_policy", "registration_opens_at",
    "registration_closes_at", "reminder_offsets", "project", "pathway_stage",
)
EVENT_M2M = ("organizers", "themes")
DATE_FIELDS = ("start", "end", "registration_opens_at", "registration_closes_at")


@dataclass(kw_only=True)
class EventData:
    """The event's own fields as an editor gives them; a field left at KEEP is not touched.

    `cover_image` and `programme_pdf` take a file to store, False to remove
    the stored one, or KEEP. `organizers` and `themes` take lists of rows.
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
    organizers: list = KEEP
    themes: list = KEEP

    @classmethod
    def from_mapping(cls, values: dict) -> "EventData":
        """From a dict such as a form's cleaned_data: the known keys, the rest ignored."""
        return cls(**{name: values[name] for name in (*EVENT_FIELDS, *EVENT_M2M) if name in values})


@dataclass(kw_only=True)
class SpeakerData:
    """A speaker of the event: `pk` None for a new one."""

    pk: int | None = None
    name: str
    role: str = ""
    affiliation: str = ""
    to_be_confirmed: bool = False
    bio: str = ""


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
    if errors:
        raise ValidationError(errors)


def _as_value(value):
    """For the log's JSON: datetimes in UTC, whatever time zone they came in."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def save_event(*, event: Event | None, actor, data: EventData, programme: Programme | None = None,
               confirm_moves: bool = False) -> SaveResult:
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
        old_capacity, old_offsets = event.capacity, list(event.reminder_offsets or [])
        sessions_before = {s.pk: s for s in event.sessions.all()}
        seats_before = {pk: s.capacity for pk, s in sessions_before.items()}
        _apply(event, data)
        _check_event(event)
        programme = programme or Programme()
        problems = _displacements(event, programme, sessions_before)
        if problems and not confirm_moves:
            raise DisplacementError(problems)

        changed = any(before[name] != getattr(event, name) for name in CHANGE_FIELDS)
        if changed or _programme_moves_in_time(programme, sessions_before):
            event.sequence += 1
        event.save()
        for name in EVENT_M2M:
            if getattr(data, name) is not KEEP:
                getattr(event, name).set(getattr(data, name))
        if changed:
            log(event, "changed", actor=actor, data={
                "from": {name: _as_value(before[name]) for name in CHANGE_FIELDS if before[name] != getattr(event, name)},
                "to": {name: _as_value(getattr(event, name)) for name in CHANGE_FIELDS
                       if before[name] != getattr(event, name)},
            })
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
                outbox.add(event, registration, "event_changed",
                           calendar=REQUEST if registration.status == Status.CONFIRMED else None,
                           extra={"previous": before})
    return SaveResult(event=event, created=False, changed=changed, moved=tuple(moved))


def _create_event(*, actor, data: EventData, programme: Programme | None) -> SaveResult:
    if not can_create_events(actor):
        raise PermissionDenied
    with _locked_work() as outbox:
        event = Event()
        _apply(event, data)
        _check_event(event)
        event.slug = unique_event_slug(event.title)
        event.created_by = _actor(actor)
        event.status = Event.Status.DRAFT
        event.save()
        for name in EVENT_M2M:
            if getattr(data, name) is not KEEP:
                getattr(event, name).set(getattr(data, name))
        log(event, "created", actor=actor)
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
        problems.append(Displacement(
            kind="seats", count=surplus,
            message=ngettext(
                "%(confirmed)d people hold a confirmed seat, more than the %(seats)d seats you set: raise the "
                "number, or confirm below that the latest %(count)d confirmed moves to the waiting list.",
                "%(confirmed)d people hold a confirmed seat, more than the %(seats)d seats you set: raise the "
                "number, or confirm below that the latest %(count)d confirmed move to the waiting list.",
                surplus,
            ) % {"confirmed": confirmed, "seats": event.capacity, "count": surplus},
        ))
    removed = set(programme.removed_session_ids) & set(sessions_before)
    for data in programme.sessions:
        if data.pk in sessions_before and data.pk not in removed and data.capacity is not None:
            taken = SessionChoice.objects.filter(session_id=data.pk, status=SessionChoice.Status.CONFIRMED).count()
            if taken > data.capacity:
                surplus = taken - data.capacity
                problems.append(Displacement(
                    kind="session_seats", count=surplus, session_id=data.pk,
                    message=ngettext(
                        "“%(title)s” has %(taken)d confirmed seats, more than the %(seats)d you set: raise the "
                        "number, or confirm below that the latest %(count)d moves to its waiting list.",
                        "“%(title)s” has %(taken)d confirmed seats, more than the %(seats)d you set: raise the "
                        "number, or confirm below that the latest %(count)d move to its waiting list.",
                        surplus,
                    ) % {"title": sessions_before[data.pk].title, "taken": taken, "seats": data.capacity,
                         "count": surplus},
                ))
    for pk in sorted(removed):
        chosen = SessionChoice.objects.filter(session_id=pk, registration__status__in=ACTIVE).count()
        if chosen:
            problems.append(Displacement(
                kind="session_removed", count=chosen, session_id=pk,
                message=ngettext(
                    "%(count)d person chose “%(title)s”: to remove it, confirm below that their choice is dropped "
                    "(they are told by e-mail).",
                    "%(count)d people chose “%(title)s”: to remove it, confirm below that their choices are "
                    "dropped (they are told by e-mail).",
                    chosen,
                ) % {"count": chosen, "title": sessions_before[pk].title},
            ))
    return problems


def _programme_moves_in_time(programme: Programme, sessions_before: dict) -> bool:
    for data in programme.sessions:
        old = sessions_before.get(data.pk)
        if old is not None and (old.day, old.start_time, old.end_time, old.room) != (
            data.day, data.start_time, data.end_time, data.room
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
            raise ValidationError(_("%(names)s is not among the speakers of this event.")
                                  % {"names": ", ".join(unknown)})
        session.speakers.set([by_name[_normal(name)] for name in data.speaker_names])
        if data.pk and old_capacity != session.capacity:
            log(event, "session_seats_changed", actor=actor,
                data={"session": session.title, "session_id": session.pk, "from": old_capacity, "to": session.capacity})


def _remove_session(event, session, *, actor, outbox) -> None:
    """Remove a session; whoever chose it (seated or waiting) loses the choice and is told."""
    choices = list(
        session.choices.filter(registration__status__in=ACTIVE).select_related("registration")
    )
    snapshot = {"title": session.title, "day": session.day, "start_time": session.start_time,
                "end_time": session.end_time}
    for choice in choices:
        registration = choice.registration
        log(registration, "session_removed", actor=actor,
            data={"session": session.title, "session_id": session.pk, "choice": choice.status})
        if registration.email_confirmed_at is not None:
            outbox.add(event, registration, "event_session_removed",
                       extra={"removed_session": snapshot, "choice_status": choice.status})
    log(event, "session_removed", actor=actor, data={
        "session": session.title, "session_id": session.pk, "day": session.day.isoformat(), "people": len(choices),
    })
    session.delete()


def _move_session_surplus(event, session, *, actor, outbox) -> None:
    """More confirmed choices than seats: the latest confirmed go to the session's waiting list, first in line."""
    confirmed = session.choices.filter(status=SessionChoice.Status.CONFIRMED)
    surplus = confirmed.count() - session.capacity
    if surplus <= 0:
        return
    latest = list(confirmed.select_related("registration").order_by("-registration__confirmed_at", "-pk")[:surplus])
    for choice in latest:
        choice.status = SessionChoice.Status.WAITLISTED
        # The time they chose it puts them ahead of whoever was already waiting for this session.
        choice.waitlisted_at = choice.created_at
        choice.save(update_fields=["status", "waitlisted_at"])
        log(choice.registration, "session_waitlisted", actor=actor,
            data={"session": session.title, "session_id": session.pk, "reason": "seats_reduced"})
        outbox.add(event, choice.registration, "event_session_waitlisted", extra={"session": session})


def _move_event_surplus(event, *, actor, outbox) -> list[Registration]:
    """More confirmed than seats: the latest confirmed go to the waiting list, ahead of those already there."""
    if event.capacity is None:
        return []
    surplus = _confirmed_count(event) - event.capacity
    if surplus <= 0:
        return []
    latest = list(event.registrations.filter(status=Status.CONFIRMED).order_by("-confirmed_at", "-pk")[:surplus])
    freed = set()
    for registration in latest:
        # Their place in line is the moment they got their seat: before anyone who waited after it.
        freed.update(_to_waiting_list(
            event, registration, actor=actor, outbox=outbox, template="event_moved_to_waitlist",
            waitlisted_at=registration.confirmed_at or timezone.now(), data={"reason": "seats_reduced"},
        ))
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
        transition(event, Event.Status.CANCELLED, actor=actor, note=message.strip(),
                   update_fields=["cancelled_at", "sequence"])
        Reminder.objects.filter(registration__event=event, sent_at__isnull=True).delete()
        if was_published:
            for registration in event.registrations.filter(status__in=ACTIVE, email_confirmed_at__isnull=False):
                outbox.add(event, registration, "event_cancelled", calendar=CANCEL, extra={"message": message})
    return event


def duplicate_event(*, event: Event, actor) -> Event:
    """A draft copy with the same programme and speakers, for the next meeting of a series."""
    with transaction.atomic():
        if not can_manage_event(actor, event):
            raise PermissionDenied
        source = Event.objects.prefetch_related("sessions__speakers", "speakers", "organizers", "themes").get(
            pk=event.pk
        )
        copy = Event.objects.get(pk=event.pk)
        copy.pk = None
        copy.title = _("%(title)s (copy)") % {"title": source.title}
        copy.slug = unique_event_slug(copy.title)
        copy.status = Event.Status.DRAFT
        copy.published_at = copy.cancelled_at = None
        copy.sequence = 0
        copy.created_by = _actor(actor)
        copy.save()
        copy.organizers.set(source.organizers.all())
        copy.themes.set(source.themes.all())
        log(copy, "created", actor=actor, data={"copied_from": source.pk})
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
            session.save()
            session.speakers.set(session_speakers)
    return copy


def message_attendees(*, event: Event, actor, statuses: list[str], subject: str, body: str) -> int:
    """Write to the people registered with the given statuses; returns how many."""
    if not can_manage_event(actor, event):
        raise PermissionDenied
    with _locked_work() as outbox:
        # Never to an address that was not confirmed: it may not belong to whoever registered it.
        recipients = list(event.registrations.filter(status__in=statuses, email_confirmed_at__isnull=False))
        for registration in recipients:
            outbox.add(event, registration, "event_message",
                       extra={"message_subject": subject, "message_body": body})
        log(event, "message_sent", actor=actor,
            data={"subject": subject, "statuses": list(statuses), "recipients": len(recipients)})
    return len(recipients)


# Reminders ----------------------------------------------------------------------


def schedule_reminders(registration: Registration, event: Event | None = None) -> None:
    event = event or registration.event
    now = timezone.now()
    for offset in event.reminder_offsets or []:
        due = event.start - timedelta(minutes=int(offset))
        if due > now:
            Reminder.objects.update_or_create(
                registration=registration, offset_minutes=int(offset), defaults={"due_at": due}
            )


def _reschedule_reminders(event) -> None:
    # A new time means new reminders, also where the old ones were already sent.
    Reminder.objects.filter(registration__event=event).delete()
    for registration in event.registrations.filter(status=Status.CONFIRMED):
        schedule_reminders(registration, event=event)


def send_due_reminders(now=None, batch: int = 500) -> int:
    """Queue the reminders that are due. Safe to run twice at once: rows are claimed under SKIP LOCKED.

    The rows are claimed (marked sent) in a short transaction; the e-mails are rendered after it.
    """
    now = now or timezone.now()
    with _locked_work() as outbox:
        due = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sent_at__isnull=True, due_at__lte=now)
            .filter(registration__status=Status.CONFIRMED, registration__event__status=Event.Status.PUBLISHED,
                    registration__event__start__gt=now)
            .select_related("registration__event")
            .order_by("due_at")[:batch]
        )
        # If the task was away, several reminders of one registration may be due at once: only the
        # nearest to the start is sent ("in two hours", not "in two days"); the others are marked done.
        nearest = {}
        for reminder in due:
            current = nearest.get(reminder.registration_id)
            if current is None or reminder.offset_minutes < current.offset_minutes:
                nearest[reminder.registration_id] = reminder
        for reminder in nearest.values():
            registration = reminder.registration
            outbox.add(registration.event, registration, "event_reminder", extra={"offset": reminder.offset_minutes})
        for reminder in due:
            reminder.sent_at = now
        Reminder.objects.bulk_update(due, ["sent_at"])
    return len(nearest)
