"""Every write about events and registrations.

Seats are counted under a row lock on the event: every change that can
confirm, waitlist or free a seat (registering, confirming an e-mail,
deciding, cancelling, moving, changing capacity) locks the event row first,
so however many requests arrive at once, the confirmed registrations never
exceed the capacity of the event or of any session.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from alliance.emails import queue_email
from alliance.text import unique_slug

from .calendar import ics_attachment
from .models import Event, Registration, Reminder, Session, SessionChoice, new_token
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


def _lock(event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


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


# Registering ---------------------------------------------------------------------


def register(*, event: Event, attendee: Attendee, user=None) -> Registration:
    """Register `attendee`; registering twice returns the registration that exists."""
    from members.permissions import is_member

    with transaction.atomic():
        event = _lock(event)
        state = event.registration_state()
        if state != "open":
            raise RegistrationError(closed_reason(state))
        if event.registration_policy == Event.Policy.MEMBERS and (user is None or not is_member(user)):
            raise RegistrationError(
                _("This event is for members of the alliance: sign in with the account of an approved ally.")
            )
        email = attendee.email.strip().lower()
        existing = Registration.objects.filter(event=event, email__iexact=email).first()
        if existing is not None and existing.status in ACTIVE:
            signed_in_owner = user is not None and user.is_authenticated and has_verified_email(user, email)
            if existing.status == Status.PENDING and existing.email_confirmed_at is None and signed_in_owner:
                # A guest who registered earlier now signs in with that verified address.
                existing.user = user
                existing.save(update_fields=["user"])
                _after_email_confirmed(event, existing)
            return existing
        sessions = _check_session_choice(event, attendee.session_ids)
        registration = existing or Registration(event=event, email=email)
        if existing is not None:
            # A cancelled or declined row comes back to life: old links must not open it.
            registration.token = new_token()
        registration.user = user if user is not None and user.is_authenticated else None
        registration.name = attendee.name.strip()
        registration.organization = attendee.organization.strip()
        registration.role = attendee.role.strip()
        registration.accessibility_needs = attendee.accessibility_needs.strip()
        registration.public_consent = attendee.public_consent
        registration.language = attendee.language
        registration.privacy_accepted_at = timezone.now()
        registration.status = Status.PENDING
        registration.decision_reason = ""
        registration.email_confirmed_at = None
        registration.confirmed_at = registration.waitlisted_at = registration.cancelled_at = None
        registration.save()
        registration.session_choices.all().delete()
        SessionChoice.objects.bulk_create(
            SessionChoice(registration=registration, session=session) for session in sessions
        )
        if registration.user is not None and has_verified_email(registration.user, email):
            _after_email_confirmed(event, registration)
        else:
            _email(registration, "event_email_check")
    return registration


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
    if registration.email_confirmed_at is None:
        _email(registration, "event_email_check")
    else:
        _email(registration, "event_registration_link")


def confirm_email(*, token: str) -> Registration:
    """The guest followed the link in the e-mail check: now the registration counts."""
    with transaction.atomic():
        registration = Registration.objects.select_related("event").filter(token=token).first()
        if registration is None:
            raise RegistrationError(_("This link is not valid."))
        event = _lock(registration.event)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status != Status.PENDING or registration.email_confirmed_at is not None:
            return registration
        if event.registration_state() != "open":
            raise RegistrationError(closed_reason(event.registration_state()))
        _after_email_confirmed(event, registration)
    return registration


def _after_email_confirmed(event, registration):
    registration.email_confirmed_at = timezone.now()
    registration.save(update_fields=["email_confirmed_at"])
    if event.registration_policy == Event.Policy.APPLICATION:
        _email(registration, "event_application_received")
    else:
        _allocate(event, registration)


def _confirmed_count(event) -> int:
    return event.registrations.filter(status=Status.CONFIRMED).count()


def _allocate(event, registration, *, template="event_confirmation"):
    """Confirm `registration` if the event has a seat, else put it on the waiting list. The event is locked."""
    now = timezone.now()
    if event.capacity is None or _confirmed_count(event) < event.capacity:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.waitlisted_at = None
        registration.save(update_fields=["status", "confirmed_at", "waitlisted_at"])
        _allocate_sessions(registration)
        schedule_reminders(registration)
        _email(registration, template, calendar=True)
    else:
        registration.status = Status.WAITLISTED
        registration.waitlisted_at = now
        registration.save(update_fields=["status", "waitlisted_at"])
        _email(registration, "event_waitlisted")


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


def _promote_waitlist(event) -> list[Registration]:
    promoted = []
    while event.capacity is None or _confirmed_count(event) < event.capacity:
        following = (
            event.registrations.filter(status=Status.WAITLISTED).order_by("waitlisted_at", "pk").first()
        )
        if following is None:
            break
        _allocate(event, following, template="event_promoted")
        promoted.append(following)
    return promoted


def _promote_session_waitlist(session) -> None:
    while session.capacity is None or (
        session.choices.filter(status=SessionChoice.Status.CONFIRMED).count() < session.capacity
    ):
        following = (
            session.choices.filter(status=SessionChoice.Status.WAITLISTED, registration__status=Status.CONFIRMED)
            .select_related("registration")
            .order_by("waitlisted_at", "pk")
            .first()
        )
        if following is None:
            break
        following.status = SessionChoice.Status.CONFIRMED
        following.waitlisted_at = None
        following.save(update_fields=["status", "waitlisted_at"])
        _email(following.registration, "event_session_promoted", extra={"session": session}, calendar=True)


# Cancelling and deciding ------------------------------------------------------------


def cancel_registration(*, registration: Registration, actor=None) -> Registration:
    """Cancel by the attendee (link or own area) or by a manager; the first on the waiting list moves up."""
    with transaction.atomic():
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
        registration.status = Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        registration.session_choices.all().delete()
        registration.reminders.filter(sent_at__isnull=True).delete()
        _email(registration, "event_registration_cancelled")
        # Once the event is cancelled or has started, nobody gets the "good news" of a freed seat.
        if was_confirmed and event.status == Event.Status.PUBLISHED and event.start > timezone.now():
            # Session seats first: those already waiting for a session come before whoever the
            # event's waiting list promotes now, whose choices would otherwise take the freed seat.
            for session in freed_sessions:
                _promote_session_waitlist(session)
            _promote_waitlist(event)
    return registration


def decide_registration(*, registration: Registration, actor, approve: bool, reason: str = "") -> Registration:
    """Coordinators judge an application: approved ones get a seat or a place on the waiting list."""
    with transaction.atomic():
        event = _lock(registration.event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status != Status.PENDING or registration.email_confirmed_at is None:
            raise RegistrationError(_("Only applications waiting for a decision can be decided."))
        if approve:
            registration.decision_reason = reason.strip()
            registration.save(update_fields=["decision_reason"])
            _allocate(event, registration)
        else:
            if not reason.strip():
                raise RegistrationError(_("Please give the applicant a reason."))
            registration.status = Status.DECLINED
            registration.decision_reason = reason.strip()
            registration.save(update_fields=["status", "decision_reason"])
            _email(registration, "event_application_declined")
    return registration


def move_registration(*, registration: Registration, actor, to: str) -> Registration:
    """Move between the waiting list and the confirmed, within the capacity."""
    with transaction.atomic():
        event = _lock(registration.event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        registration = Registration.objects.get(pk=registration.pk)
        if to == Status.CONFIRMED and registration.status == Status.WAITLISTED:
            if event.capacity is not None and _confirmed_count(event) >= event.capacity:
                raise RegistrationError(_("The event is full: raise the number of seats or free one first."))
            _allocate(event, registration, template="event_promoted")
        elif to == Status.WAITLISTED and registration.status == Status.CONFIRMED:
            registration.status = Status.WAITLISTED
            registration.waitlisted_at = timezone.now()
            registration.save(update_fields=["status", "waitlisted_at"])
            freed = [c.session for c in registration.session_choices.select_related("session")
                     if c.status == SessionChoice.Status.CONFIRMED]
            registration.session_choices.update(status=SessionChoice.Status.REQUESTED)
            registration.reminders.filter(sent_at__isnull=True).delete()
            _email(registration, "event_waitlisted")
            for session in freed:
                _promote_session_waitlist(session)
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
        registration.checked_in_at = None if undo else (registration.checked_in_at or timezone.now())
        registration.save(update_fields=["checked_in_at"])
    return registration


# Event life ---------------------------------------------------------------------


def unique_event_slug(title: str, *, exclude_pk=None) -> str:
    return unique_slug(Event, title, fallback="evento", exclude_pk=exclude_pk)


CHANGE_FIELDS = ("start", "end", "venue_name", "address", "city", "online_url")


def save_event(*, event: Event, actor, previous: dict | None = None, save_programme=None) -> Event:
    """Save an edited event; if a published event changed time or place, tell everyone registered.

    `previous` holds the CHANGE_FIELDS values before the edit (None for a new event).
    `save_programme(event)`, if given, saves sessions and speakers in the same transaction,
    before seats are counted and people are told. More seats, for the event or a session,
    fill from the waiting lists; saving without a capacity change moves no one.
    """
    with transaction.atomic():
        if event.pk is None:
            if not can_create_events(actor):
                raise PermissionDenied
            event.slug = unique_event_slug(event.title)
            event.created_by = actor
            event.save()
            if save_programme:
                save_programme(event)
            return event
        old = Event.objects.select_for_update().get(pk=event.pk)
        if not can_manage_event(actor, old):
            raise PermissionDenied
        old_session_seats = dict(old.sessions.values_list("pk", "capacity"))
        # The life of the event is not the editor's: keep a publication or cancellation made meanwhile.
        event.status, event.published_at, event.cancelled_at = old.status, old.published_at, old.cancelled_at
        event.save()
        if save_programme:
            save_programme(event)
        if event.status == Event.Status.PUBLISHED:
            # Session seats first, as in cancel_registration; a session whose limit was removed empties its list.
            limited_before = [pk for pk, seats in old_session_seats.items() if seats is not None]
            for session in event.sessions.filter(pk__in=limited_before):
                if _more_seats(old_session_seats[session.pk], session.capacity):
                    _promote_session_waitlist(session)
            if _more_seats(old.capacity, event.capacity):
                _promote_waitlist(event)
        changed = previous is not None and any(previous[f] != getattr(event, f) for f in CHANGE_FIELDS)
        if not changed and old.reminder_offsets != event.reminder_offsets:
            # New offsets: plan the missing reminders, keep the ones already sent.
            Reminder.objects.filter(registration__event=event, sent_at__isnull=True).delete()
            for registration in event.registrations.filter(status=Status.CONFIRMED).select_related("event"):
                schedule_reminders(registration)
        if changed and event.status == Event.Status.PUBLISHED:
            _reschedule_reminders(event)
            for registration in event.registrations.filter(status__in=(Status.CONFIRMED, Status.WAITLISTED)):
                _email(registration, "event_changed", calendar=registration.status == Status.CONFIRMED,
                       extra={"previous": previous})
    return event


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
        event.status = Event.Status.PUBLISHED
        event.published_at = event.published_at or timezone.now()
        event.save(update_fields=["status", "published_at"])
    return event


def cancel_event(*, event: Event, actor, message: str = "") -> Event:
    """Cancel the event and tell everyone who registered."""
    with transaction.atomic():
        event = _lock(event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        if event.status == Event.Status.CANCELLED:
            return event
        was_published = event.status == Event.Status.PUBLISHED
        event.status = Event.Status.CANCELLED
        event.cancelled_at = timezone.now()
        event.save(update_fields=["status", "cancelled_at"])
        Reminder.objects.filter(registration__event=event, sent_at__isnull=True).delete()
        if was_published:
            for registration in event.registrations.filter(status__in=ACTIVE, email_confirmed_at__isnull=False):
                _email(registration, "event_cancelled", calendar=True, extra={"message": message})
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
        copy.created_by = actor
        copy.save()
        copy.organizers.set(source.organizers.all())
        copy.themes.set(source.themes.all())
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
    if not can_manage_event(actor, event):
        raise PermissionDenied
    with transaction.atomic():
        # Never to an address that was not confirmed: it may not belong to whoever registered it.
        recipients = list(event.registrations.filter(status__in=statuses, email_confirmed_at__isnull=False))
        for registration in recipients:
            _email(registration, "event_message", extra={"message_subject": subject, "message_body": body})
    return len(recipients)


# Reminders ----------------------------------------------------------------------


def schedule_reminders(registration: Registration) -> None:
    event = registration.event
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
    for registration in event.registrations.filter(status=Status.CONFIRMED).select_related("event"):
        schedule_reminders(registration)


def send_due_reminders(now=None, batch: int = 500) -> int:
    """Queue the reminders that are due. Safe to run twice at once: rows are claimed under SKIP LOCKED."""
    now = now or timezone.now()
    with transaction.atomic():
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
            _email(reminder.registration, "event_reminder", calendar=False, extra={"offset": reminder.offset_minutes})
        for reminder in due:
            reminder.sent_at = now
        Reminder.objects.bulk_update(due, ["sent_at"])
    return len(nearest)


# E-mails -------------------------------------------------------------------------


def _email(registration, template, *, calendar=False, extra=None):
    event = registration.event
    choices = list(registration.session_choices.select_related("session").order_by("session__day", "session__start_time"))
    context = {
        "event": event,
        "registration": registration,
        "choices": choices,
        **(extra or {}),
    }
    attachments = None
    if calendar:
        confirmed_sessions = [c.session for c in choices if c.status == SessionChoice.Status.CONFIRMED]
        attachments = [ics_attachment(event, confirmed_sessions)]
    queue_email(
        to=registration.email, template=template, context=context, language=registration.language,
        attachments=attachments,
    )
