"""What every events service shares: the error for people, the closed reasons, the row lock, and the
outbox that sends a service's e-mails once its transaction has ended (see the package's docstring)."""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from alliance.emails import queue_email

from ..calendar import CANCEL, ics_attachment, removed_attachment_name
from ..models import Event, Registration, SessionChoice
from ..selectors import session_waitlist_position

Status = Registration.Status
ACTIVE = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)


class RegistrationError(ValidationError):
    """A rule about registrations refused; the message is for the person."""


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
    attachments: list = field(default_factory=list)  # other files, e.g. an attendance certificate
    # Sessions or meetings the person no longer holds: a second file, METHOD:CANCEL, takes them out.
    cancelled_sessions: list = field(default_factory=list)
    # The registration's session choices when the service knows them (none, for one written in the same
    # transaction without any); None: they are read when the e-mail is rendered.
    choices: list | None = None


class Outbox:
    """The e-mails a service decided to send, rendered and queued only when `send()` is called."""

    def __init__(self):
        self.mails: list[_Mail] = []

    def add(
        self,
        event,
        registration,
        template,
        *,
        calendar=None,
        extra=None,
        sessions=None,
        attachments=None,
        cancelled_sessions=None,
        choices=None,
    ) -> None:
        self.mails.append(
            _Mail(
                event,
                registration,
                template,
                calendar,
                extra or {},
                sessions,
                attachments or [],
                cancelled_sessions or [],
                choices,
            )
        )

    def send(self) -> None:
        mails, self.mails = self.mails, []
        if not mails:
            return
        # One short transaction of its own for the outbox rows (no lock of the event's): they are
        # handed to Celery together when it commits.
        with transaction.atomic():
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
    choices = mail.choices
    if choices is None:
        choices = list(
            registration.session_choices.select_related("session").order_by("session__day", "session__start_time")
        )
    # The chosen sessions where the person waits: the subjects and texts tell the truth about each one.
    waitlisted = [c for c in choices if c.status == SessionChoice.Status.WAITLISTED]
    for choice in waitlisted:  # each one's place in its session's line
        choice.position = session_waitlist_position(choice)
    # Where the person holds a seat: in a series registered per meeting, none at all is said as such.
    seated = [c for c in choices if c.status == SessionChoice.Status.CONFIRMED]
    context = {
        "event": event,
        "registration": registration,
        "choices": choices,
        "waitlisted_choices": waitlisted,
        "seated_choices": seated,
        "calendar_attached": False,
        **mail.extra,
    }
    # An attachment may be given as a callable that makes it (a PDF): it is made here, after the lock.
    attachments = [item() if callable(item) else item for item in mail.attachments]
    if mail.calendar:
        sessions = mail.sessions
        if sessions is None:
            sessions = [c.session for c in choices if c.status == SessionChoice.Status.CONFIRMED]
        # A series registered per meeting: the file holds the person's meetings, and none if they hold no seat.
        if sessions or not event.per_meeting:
            attachments.append(
                ics_attachment(
                    event, sessions, method=mail.calendar, language=registration.language, attendee=registration
                )
            )
            context["calendar_attached"] = True  # the texts speak of the file only when there is one
    if mail.cancelled_sessions:
        removed = ics_attachment(
            event,
            mail.cancelled_sessions,
            method=CANCEL,
            language=registration.language,
            attendee=registration,
            sessions_only=True,
        )
        attachments.append({**removed, "filename": removed_attachment_name(registration.language)})
    attachments = attachments or None
    queue_email(
        to=registration.email,
        template=mail.template,
        context=context,
        language=registration.language,
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
    # FOR NO KEY UPDATE: services exclude each other on the event's row all the same, but rows written
    # before the lock that refer to the event (a first registration, events.services.registrations) never
    # wait on it through their foreign key's KEY SHARE lock.
    return Event.objects.select_for_update(no_key=True).get(pk=event.pk)
