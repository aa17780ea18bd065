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

Inputs are plain data (keyword arguments and dataclasses such as Attendee,
EventData, SessionData, SpeakerData, Programme), never forms or requests;
results are the rows or small result objects (RegistrationResult,
SaveResult). Import from `events.services`; the modules are:

- `base`: RegistrationError, the closed reasons, the row lock, the Outbox.
- `registrations`: register, confirm_email, change the chosen sessions (or
  meetings; by the attendee, or for them by an organizer), decide, cancel, move, check in;
  the waiting lists move here, in the order of `events.selectors.waiting_list`.
- `event_life`: save_event (with the seat and session rules), publish,
  cancel, duplicate, message the people registered.
- `reminders`: planning and sending the reminders.
- `admission`: who may register and how (set_admission; `admission.refusal` for pages).
- `questions`: an event's registration questions (save_questions) and the rules of the answers, which
  `register` checks and stores with the registration; `registrations.decide_registrations` decides
  several requests at once.
"""

from .admission import set_admission
from .base import ACTIVE, CLOSED_REASONS, Outbox, RegistrationError, Status, closed_reason
from .event_life import (
    CHANGE_FIELDS,
    DATE_FIELDS,
    EVENT_FIELDS,
    EVENT_M2M,
    KEEP,
    Displacement,
    DisplacementError,
    EventData,
    Programme,
    SaveResult,
    SessionData,
    SpeakerData,
    cancel_event,
    duplicate_event,
    message_attendees,
    publish_event,
    save_event,
    unique_event_slug,
)
from .registrations import (
    RESEND_INTERVAL_SECONDS,
    Attendee,
    RegistrationResult,
    SessionChange,
    cancel_registration,
    change_sessions,
    check_in,
    choosable_sessions,
    confirm_email,
    decide_registration,
    has_verified_email,
    move_registration,
    register,
    resend_registration_link,
)
from .reminders import schedule_reminders, send_due_reminders

__all__ = [
    "ACTIVE",
    "CHANGE_FIELDS",
    "CLOSED_REASONS",
    "DATE_FIELDS",
    "EVENT_FIELDS",
    "EVENT_M2M",
    "KEEP",
    "RESEND_INTERVAL_SECONDS",
    "Attendee",
    "Displacement",
    "DisplacementError",
    "EventData",
    "Outbox",
    "Programme",
    "RegistrationError",
    "RegistrationResult",
    "SaveResult",
    "SessionChange",
    "SessionData",
    "SpeakerData",
    "Status",
    "cancel_event",
    "cancel_registration",
    "change_sessions",
    "check_in",
    "choosable_sessions",
    "closed_reason",
    "confirm_email",
    "decide_registration",
    "duplicate_event",
    "has_verified_email",
    "message_attendees",
    "move_registration",
    "publish_event",
    "register",
    "resend_registration_link",
    "save_event",
    "schedule_reminders",
    "send_due_reminders",
    "unique_event_slug",
    "set_admission",
]
