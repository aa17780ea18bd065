"""Registrations: registering, confirming the address, deciding, cancelling, moving, checking in.

The waiting lists move here (`_promote_waitlist`, `_promote_session_waitlist`), in the order
`events.selectors.waiting_list` and `session_waiting_list` give.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.workflow import log, transition

from .. import selectors
from ..calendar import CANCEL, REQUEST
from ..models import Event, Registration, Session, SessionChoice, new_token
from ..permissions import can_manage_event
from . import admission, questions
from .base import (
    ACTIVE,
    RegistrationError,
    Status,
    _actor,
    _cause,
    _lock,
    _locked_work,
    _Mail,
    _render_and_queue,
    closed_reason,
)
from .reminders import schedule_reminders


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
    answers: list = field(default_factory=list)  # questions.AnswerData, one per answered question


@dataclass(frozen=True)
class RegistrationResult:
    """What `register` did.

    `created` is False when an active registration of the address existed and
    was returned as it was. `may_see_token_page` says whether the caller may be
    shown the registration's page (its link is the key to it): only the
    signed-in owner of the verified address, or the account that made a
    registration whose address is confirmed. `waitlist_position`: the place on
    the waiting list this registration was given, read under the event's lock
    (the number its e-mail says); None when it was not put on the list.
    """

    registration: Registration
    created: bool
    may_see_token_page: bool
    waitlist_position: int | None = None


# Registering ---------------------------------------------------------------------


def choosable_sessions(event):
    """Sessions an attendee picks: those with their own seats; in a series registered per meeting
    (`Event.per_meeting`), every meeting not cancelled."""
    if event.per_meeting:
        return event.sessions.filter(cancelled_at__isnull=True)
    return event.sessions.filter(capacity__isnull=False)


def _check_session_choice(event, session_ids) -> list[Session]:
    try:
        wanted = {int(i) for i in session_ids}
    except (TypeError, ValueError) as exc:
        raise RegistrationError(_("One of the chosen sessions is not part of this event.")) from exc
    if not wanted and not event.per_meeting:
        return []
    sessions = list(choosable_sessions(event).filter(pk__in=wanted))
    if len(sessions) != len(wanted):
        if event.per_meeting:
            raise RegistrationError(_("One of the chosen meetings is not part of this series, or is cancelled."))
        raise RegistrationError(_("One of the chosen sessions is not part of this event."))
    if event.per_meeting and not sessions:
        raise RegistrationError(_("Choose at least one meeting."))
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
    actor = _actor(user)
    # The PDFs are read and written before the lock; whatever no answer refers to afterwards goes.
    documents = questions.prepare_documents(event, attendee.answers)
    try:
        result = _register_locked(event, attendee, actor)
    finally:
        questions.discard_unused_documents(documents)
    return result


def _register_locked(event, attendee, actor) -> RegistrationResult:
    email = attendee.email.strip().lower()
    if not Registration.objects.filter(event=event, email__iexact=email).exists():
        result = _register_new(event, attendee, actor, email)
        if result is not None:
            return result
    return _register_again(event, attendee, actor, email)


def _open_or_refuse(event) -> None:
    state = event.registration_state()
    if state != "open":
        raise RegistrationError(closed_reason(state))


def _fill(registration, attendee, actor) -> None:
    """What the person gave, on a new registration or one that comes back to life."""
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


def _register_new(event, attendee, actor, email) -> RegistrationResult | None:
    """The first registration of an address: what does not depend on the seats is checked and written
    first, and the event's row is locked last, for the seat only. A burst of people registering at once
    waits on each other for the few statements that count and take a seat, not for whole registrations.

    None when the same address was registered in the same moment by another request: the caller
    answers as for an address registered before (`_register_again`).
    """
    _open_or_refuse(event)  # the row as read; the locked row is checked again below
    admission.check(event, actor)  # who may register (events.services.admission)
    address_owner = actor is not None and has_verified_email(actor, email)
    sessions = _check_session_choice(event, attendee.session_ids)
    answers = questions.clean_answers(event, attendee.answers)
    with _locked_work() as outbox:
        registration = Registration(event=event, email=email)
        _fill(registration, attendee, actor)
        if address_owner:
            # Confirmed with the row (no update under the lock), and logged below, before the lock.
            registration.email_confirmed_at = timezone.now()
        try:
            with transaction.atomic():  # a savepoint: the one-per-address constraint may refuse the row
                registration.save()
        except IntegrityError:
            return None
        log(registration, "created", actor=actor, data=_chosen(sessions))
        if address_owner:
            log(registration, "email_confirmed", actor=actor)
        _store_choices_and_answers(registration, sessions, answers, new=True)
        # The seat: from here to the commit the event's row is locked, and every request for this event's seats
        # waits. Only what depends on the seats is done under it: a few statements, none that can be done before.
        event = _lock(event)
        _open_or_refuse(event)
        # What was checked before the lock holds under it too: the organizers (who change an event under its
        # lock) may meanwhile have changed who may register, cancelled or removed a chosen meeting, or
        # changed the questions. Anything refused here undoes the whole registration.
        admission.check(event, actor)
        if sessions:
            _check_session_choice(event, attendee.session_ids)
        if [q.pk for q, *_ in questions.clean_answers(event, attendee.answers)] != [q.pk for q, *_ in answers]:
            raise RegistrationError(
                _("The questions of this event changed while you were registering: please look at the form again.")
            )
        if address_owner:
            # Confirmed and logged above; its only session choices are `sessions`, and it has no reminders yet.
            position = _review_or_allocate(event, registration, actor=actor, outbox=outbox, fresh=sessions)
        else:
            outbox.add(event, registration, "event_email_check", choices=_known_choices(sessions))
            position = None
    owner = address_owner or actor is not None
    return RegistrationResult(
        registration,
        created=True,
        may_see_token_page=owner and registration.email_confirmed_at is not None,
        waitlist_position=position,
    )


def _register_again(event, attendee, actor, email) -> RegistrationResult:
    """An address registered before: its active registration is returned as it is, a cancelled or
    declined one comes back to life. All under the event's lock, taken first (the order every service
    locks in: the event, then its registrations)."""
    with _locked_work() as outbox:
        event = _lock(event)
        _open_or_refuse(event)
        admission.check(event, actor)  # who may register (events.services.admission)
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
            answers = questions.clean_answers(event, attendee.answers)
            registration = existing or Registration(event=event, email=email)
            if existing is not None:
                # A cancelled or declined row comes back to life: old links must not open it.
                registration.token = new_token()
            _fill(registration, attendee, actor)
            registration.save()
            if existing is not None:
                data = {"reason": "registered_again", **_chosen(sessions)}
                transition(registration, Status.PENDING, actor=actor, data=data)
            else:
                log(registration, "created", actor=actor, data=_chosen(sessions))
            registration.session_choices.all().delete()
            _store_choices_and_answers(registration, sessions, answers)
            position = _seat_or_email_check(
                event, registration, address_owner=address_owner, actor=actor, outbox=outbox
            )
            owner = address_owner or (actor is not None and registration.user_id == actor.pk)
            result = RegistrationResult(
                registration,
                created=True,
                may_see_token_page=owner and registration.email_confirmed_at is not None,
                waitlist_position=position,
            )
    return result


def _chosen(sessions) -> dict:
    """What the log keeps of the sessions chosen."""
    return {"sessions": [s.title for s in sessions]} if sessions else {}


def _store_choices_and_answers(registration, sessions, answers, *, new=False) -> None:
    """`new`: the registration was just written, so it has no answers to replace."""
    SessionChoice.objects.bulk_create(SessionChoice(registration=registration, session=s) for s in sessions)
    questions.store_answers(registration, answers, replace=not new)


def _seat_or_email_check(event, registration, *, address_owner, actor, outbox) -> int | None:
    """The owner of the verified address gets a seat (or the review) at once; anyone else is sent the
    e-mail that confirms the address first. The event is locked."""
    if address_owner:
        return _after_email_confirmed(event, registration, actor=actor, outbox=outbox)
    outbox.add(event, registration, "event_email_check")
    return None


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
        _open_or_refuse(event)
        _after_email_confirmed(event, registration, actor=None, outbox=outbox)
    return registration


def _after_email_confirmed(event, registration, *, actor, outbox) -> int | None:
    """The address is confirmed: the review, or a seat or the waiting list (its place returned)."""
    if registration.email_confirmed_at is None:  # else written with the row (a first registration's owner)
        registration.email_confirmed_at = timezone.now()
        registration.save(update_fields=["email_confirmed_at"])
    log(registration, "email_confirmed", actor=actor)
    return _review_or_allocate(event, registration, actor=actor, outbox=outbox)


def _review_or_allocate(event, registration, *, actor, outbox, fresh=None) -> int | None:
    """A confirmed address: the review if the event has one, else a seat or the waiting list (its place returned).
    `fresh`: see `_allocate`."""
    if event.admission_review:
        outbox.add(event, registration, "event_application_received", choices=_known_choices(fresh))
        return None
    return _allocate(event, registration, actor=actor, outbox=outbox, fresh=fresh)


def _known_choices(fresh) -> list | None:
    """The session choices an e-mail about a registration written in this transaction shows, when known
    without reading them: none, if it chose no session; else None (the e-mail reads them, with their seats)."""
    return [] if fresh is not None and not fresh else None


def _confirmed_count(event) -> int:
    return event.registrations.filter(status=Status.CONFIRMED).count()


def _allocate(
    event, registration, *, actor, outbox, template="event_confirmation", note="", data=None, fresh=None
) -> int | None:
    """Confirm `registration` if the event has a seat, else put it on the waiting list and return its place
    there. The event is locked.

    `fresh`: the sessions of a registration written in this transaction, which are all its session choices; it
    has no reminders yet. Neither is read again under the lock.
    """
    now = timezone.now()
    if event.capacity is None or _confirmed_count(event) < event.capacity:
        registration.confirmed_at = now
        registration.waitlisted_at = None
        transition(
            registration,
            Status.CONFIRMED,
            actor=actor,
            note=note,
            data=data,
            update_fields=["confirmed_at", "waitlisted_at"],
        )
        _allocate_sessions(registration, sessions=fresh)
        schedule_reminders(registration, event=event, planned=() if fresh is not None else None)
        outbox.add(event, registration, template, calendar=REQUEST, choices=_known_choices(fresh))
    else:
        registration.waitlisted_at = now
        transition(registration, Status.WAITLISTED, actor=actor, note=note, data=data, update_fields=["waitlisted_at"])
        # The position in the order the promotion follows, read under the event's lock: the e-mail's, and the
        # page's that answers the registration (RegistrationResult.waitlist_position).
        position = selectors.waitlist_position(registration)
        outbox.add(event, registration, "event_waitlisted", extra={"position": position}, choices=_known_choices(fresh))
        return position
    return None


def _seats_taken(session) -> int:
    return session.choices.filter(status=SessionChoice.Status.CONFIRMED).count()


def _allocate_sessions(registration, sessions=None):
    """A seat in each chosen session that has one free, else its waiting list; `sessions`: only those."""
    if sessions is not None and not sessions:
        return
    now = timezone.now()
    choices = registration.session_choices.select_related("session").exclude(status=SessionChoice.Status.CONFIRMED)
    if sessions is not None:
        choices = choices.filter(session__in=sessions)
    for choice in choices:
        session = choice.session
        if session.capacity is None or _seats_taken(session) < session.capacity:
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
        _allocate(
            event,
            following,
            actor=None,
            outbox=outbox,
            template="event_promoted",
            data={"reason": "promoted", **_cause(cause)},
        )
        promoted.append(following)
    return promoted


def _promote_session_waitlist(event, session, *, outbox, cause=None) -> None:
    while session.capacity is None or _seats_taken(session) < session.capacity:
        following = selectors.session_waiting_list(session).select_related("registration").first()
        if following is None:
            break
        following.status = SessionChoice.Status.CONFIRMED
        following.waitlisted_at = None
        following.save(update_fields=["status", "waitlisted_at"])
        log(
            following.registration,
            "session_promoted",
            actor=None,
            data={"session": session.title, "session_id": session.pk, **_cause(cause)},
        )
        if event.per_meeting:  # reminders before the meeting they now go to
            schedule_reminders(following.registration, event=event)
        outbox.add(
            event, following.registration, "event_session_promoted", extra={"session": session}, calendar=REQUEST
        )


# Changing the chosen sessions ------------------------------------------------------


@dataclass(frozen=True)
class SessionChange:
    """What `change_sessions` did: the sessions added and removed (kept ones are untouched)."""

    registration: Registration
    added: tuple = ()
    removed: tuple = ()

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def _session_start(session):
    from .reminders import meeting_start

    return meeting_start(session)


def change_sessions(
    *, registration: Registration, session_ids, actor=None, by_link: bool = False, by_organizer: bool = False
) -> SessionChange:
    """The attendee changes their workshops (or, in a series registered per meeting, their meetings), or an
    organizer changes them for the attendee (`by_organizer`).

    The same rules as at registration (one session per time slot; at least one meeting). Sessions kept
    keep their seat or their place in line; a new one gets a seat if it has one free, else the end of its
    waiting list; a seat given up goes to the first of that session's waiting list, who is told. Only
    sessions that have not begun can be added or given up. `actor` is the signed-in person acting, kept in
    the log (None for a guest); `by_link` says the caller holds the registration's link, its key (as for
    cancelling); otherwise only the account that owns it and the event's managers may. A confirmed attendee gets
    an e-mail with the new calendar file (the event's SEQUENCE grows) and a second one that takes out
    the sessions given up.

    `by_organizer`: one of the event's managers (`actor`, checked here) places the person, who asked them
    to. The same rules hold (one session per slot, at least one meeting, sessions that have begun stay as
    they are), with two differences: registration being closed does not stop them, and, as when they
    move someone from the waiting list (`move_registration`), they never exceed a session's seats: a
    confirmed attendee is placed in a new session only where a seat is free, else nothing changes.
    """
    actor = _actor(actor)
    with _locked_work() as outbox:
        event = _lock(registration.event)
        registration = Registration.objects.get(pk=registration.pk)
        if by_organizer:
            if actor is None or not can_manage_event(actor, event):
                raise PermissionDenied
        elif not by_link and (
            actor is None
            or (
                registration.user_id != actor.pk
                and not has_verified_email(actor, registration.email)
                and not can_manage_event(actor, event)
            )
        ):
            raise PermissionDenied
        if registration.status not in ACTIVE:
            raise RegistrationError(_("This registration is no longer active."))
        if event.status != Event.Status.PUBLISHED or event.end <= timezone.now():
            raise RegistrationError(
                closed_reason("past" if event.status == Event.Status.PUBLISHED else event.registration_state())
            )
        # The choice of a session that can no longer be chosen (a cancelled meeting, a workshop whose seat limit
        # was removed) is neither given up nor refused when sent again: it stays as it is.
        choosable = set(choosable_sessions(event).values_list("pk", flat=True))
        current = {}
        fixed = set()
        for choice in registration.session_choices.select_related("session"):
            if choice.session_id in choosable:
                current[choice.session_id] = choice
            else:
                fixed.add(str(choice.session_id))
        wanted = {
            s.pk: s for s in _check_session_choice(event, [pk for pk in session_ids if str(pk).strip() not in fixed])
        }
        added = [wanted[pk] for pk in sorted(wanted.keys() - current.keys(), key=lambda pk: _session_start(wanted[pk]))]
        removed = [
            current[pk]
            for pk in sorted(current.keys() - wanted.keys(), key=lambda pk: _session_start(current[pk].session))
        ]
        if not added and not removed:
            return SessionChange(registration)
        now = timezone.now()
        if added and not by_organizer and event.registration_closes_at and now >= event.registration_closes_at:
            # Once registration is closed, a session (or meeting) may still be given up, not added.
            more = (
                _("You may still give up a meeting, but no longer add one.")
                if event.per_meeting
                else _("You may still give up a session, but no longer add one.")
            )
            raise RegistrationError(f"{closed_reason('closed')} {more}")
        for session in [*added, *(c.session for c in removed)]:
            if _session_start(session) <= now:
                raise RegistrationError(
                    _("“%(title)s” has already begun: it can no longer be chosen or given up.")
                    % {"title": session.title}
                )
        confirmed = registration.status == Status.CONFIRMED
        if by_organizer and confirmed:
            for session in added:
                if session.capacity is not None and _seats_taken(session) >= session.capacity:
                    raise RegistrationError(
                        _("“%(title)s” is full: raise its seats or free one first.") % {"title": session.title}
                    )
        freed = [c.session for c in removed if c.status == SessionChoice.Status.CONFIRMED]
        SessionChoice.objects.filter(pk__in=[c.pk for c in removed]).delete()
        if freed:
            registration.reminders.filter(session__in=freed, sent_at__isnull=True).delete()
        SessionChoice.objects.bulk_create(
            SessionChoice(registration=registration, session=session) for session in added
        )
        if confirmed:
            _allocate_sessions(registration, sessions=added)
        log(
            registration,
            "sessions_changed",
            actor=actor,
            data={
                "added": [s.title for s in added],
                "added_ids": [s.pk for s in added],
                "removed": [c.session.title for c in removed],
                "removed_ids": [c.session_id for c in removed],
                "choices": {str(c.session_id): c.status for c in registration.session_choices.all()},
                **({"by_organizer": True} if by_organizer else {}),
            },
        )
        changed = {"added": added, "removed": [c.session for c in removed], "by_organizer": by_organizer}
        # Whoever waited for a seat given up takes it, before anything else moves.
        for session in freed:
            _promote_session_waitlist(event, session, outbox=outbox, cause=actor)
        if confirmed:
            if event.per_meeting:
                schedule_reminders(registration, event=event)
            # Same UIDs, a higher SEQUENCE: calendar programs replace what they hold.
            event.sequence += 1
            event.save(update_fields=["sequence", "updated_at"])
            outbox.add(
                event,
                registration,
                "event_sessions_changed",
                calendar=REQUEST,
                cancelled_sessions=freed,
                extra=changed,
            )
        elif registration.email_confirmed_at is not None:
            outbox.add(event, registration, "event_sessions_changed", extra=changed)
    return SessionChange(registration, tuple(added), tuple(c.session for c in removed))


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
            c.session
            for c in registration.session_choices.select_related("session")
            if c.status == SessionChoice.Status.CONFIRMED
        ]
        registration.cancelled_at = timezone.now()
        transition(
            registration,
            Status.CANCELLED,
            actor=actor,
            update_fields=["cancelled_at"],
            data={"reason": reason} if reason else None,
        )
        registration.session_choices.all().delete()
        registration.reminders.filter(sent_at__isnull=True).delete()
        # Who held a seat has the event in their calendar: the file takes it out.
        outbox.add(
            event,
            registration,
            "event_registration_cancelled",
            calendar=CANCEL if was_confirmed else None,
            sessions=freed_sessions,
        )
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
        _decide(event, registration, actor=actor, approve=approve, reason=reason, outbox=outbox)
    return registration


def _decide(event, registration, *, actor, approve: bool, reason: str, outbox) -> None:
    """One decision, under the event's lock: the rules `decide_registration` and `decide_registrations` share."""
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


@dataclass(frozen=True)
class DecisionReport:
    """What `decide_registrations` did: how many got a seat, went to the waiting list, were declined,
    and how many of the chosen were not waiting for a decision (left as they were)."""

    confirmed: int = 0
    waitlisted: int = 0
    declined: int = 0
    skipped: int = 0


def decide_registrations(*, event: Event, ids, decision: str, reason: str = "", actor) -> DecisionReport:
    """Approve ("approve") or decline ("decline", with a reason for the e-mail) several requests at once,
    in the order they were made, under one lock of the event: seats go while there are seats, then the
    waiting list. Requests not waiting for a decision are skipped."""
    if decision not in ("approve", "decline"):
        raise RegistrationError(_("Choose approve or decline."))
    if decision == "decline" and not reason.strip():
        raise RegistrationError(_("Please give the applicants a reason."))
    try:
        wanted = {int(pk) for pk in ids}
    except (TypeError, ValueError) as exc:
        raise RegistrationError(_("Choose the requests to decide.")) from exc
    if not wanted:
        raise RegistrationError(_("Choose the requests to decide."))
    counts = {"confirmed": 0, "waitlisted": 0, "declined": 0, "skipped": 0}
    with _locked_work() as outbox:
        event = _lock(event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        chosen = list(Registration.objects.filter(event=event, pk__in=wanted).order_by("created_at", "pk"))
        counts["skipped"] = len(wanted) - len(chosen)
        for registration in chosen:
            if registration.status != Status.PENDING or registration.email_confirmed_at is None:
                counts["skipped"] += 1
                continue
            _decide(event, registration, actor=actor, approve=decision == "approve", reason=reason, outbox=outbox)
            counts[str(registration.status)] += 1
    return DecisionReport(**counts)


def _to_waiting_list(
    event, registration, *, actor, outbox, template, waitlisted_at, data=None, notify=True
) -> list[Session]:
    """A confirmed registration gives its seat back; returns the sessions whose seats it freed.

    With `notify` False the caller sends the e-mail (`_waitlisted_mail`), e.g. once several people moved and
    their places in line are final."""
    registration.waitlisted_at = waitlisted_at
    transition(registration, Status.WAITLISTED, actor=actor, data=data, update_fields=["waitlisted_at"])
    freed = [
        c.session
        for c in registration.session_choices.select_related("session")
        if c.status == SessionChoice.Status.CONFIRMED
    ]
    registration.session_choices.update(status=SessionChoice.Status.REQUESTED, waitlisted_at=None)
    registration.reminders.filter(sent_at__isnull=True).delete()
    if notify:
        _waitlisted_mail(event, registration, outbox=outbox, template=template, freed=freed)
    return freed


def _waitlisted_mail(event, registration, *, outbox, template, freed) -> None:
    """The e-mail to someone who gave their seat back: their place in line, a file that takes the event out."""
    outbox.add(
        event,
        registration,
        template,
        calendar=CANCEL,
        sessions=freed,
        extra={"position": selectors.waitlist_position(registration)},
    )


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
            freed = _to_waiting_list(
                event,
                registration,
                actor=actor,
                outbox=outbox,
                template="event_waitlisted",
                waitlisted_at=timezone.now(),
            )
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
