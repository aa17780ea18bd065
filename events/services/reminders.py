"""Reminders: rows planned per registration, sent by the periodic task when due.

For a series of meetings (`Event.is_series`) there are reminders before each meeting: one row per
registration, meeting (`Reminder.session`) and offset, each sent once; a cancelled meeting has none.
A series registered per meeting (`Event.per_meeting`) reminds each attendee only of the meetings where
they hold a seat.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from ..models import Event, Registration, Reminder, SessionChoice
from .base import Status, _locked_work

ROME = ZoneInfo("Europe/Rome")

# Reminders ----------------------------------------------------------------------


def meeting_start(session) -> datetime:
    return datetime.combine(session.day, session.start_time, tzinfo=ROME)


def _starts(event: Event) -> list:
    """(session or None, start) of what is reminded of: each meeting of a series, else the event."""
    if event.is_series:
        return [(s, meeting_start(s)) for s in event.sessions.filter(cancelled_at__isnull=True)]
    return [(None, event.start)]


def _chosen_meetings(registration: Registration) -> set:
    """The meetings where `registration` holds a seat (a series registered per meeting)."""
    return set(
        registration.session_choices.filter(status=SessionChoice.Status.CONFIRMED).values_list("session_id", flat=True)
    )


def schedule_reminders(
    registration: Registration, event: Event | None = None, starts: list | None = None, planned=None
) -> None:
    """Plan the reminders of a confirmed registration; in a series registered per meeting, only before the
    meetings where it holds a seat (and none left for the others). `planned`: its reminders, when the
    caller knows them (`()` for a registration written in the same transaction); else they are read."""
    event = event or registration.event
    now = timezone.now()
    starts = starts if starts is not None else _starts(event)
    if event.per_meeting:
        chosen = _chosen_meetings(registration)
        starts = [(session, start) for session, start in starts if session is not None and session.pk in chosen]
        if planned is None or planned:  # nothing to take away when it is known to have none
            registration.reminders.filter(sent_at__isnull=True).exclude(session_id__in=chosen).delete()
    rows = []
    for session, start in starts:
        for offset in event.reminder_offsets or []:
            due = start - timedelta(minutes=int(offset))
            if due > now:
                rows.append(
                    Reminder(registration=registration, session=session, offset_minutes=int(offset), due_at=due)
                )
    if not rows:
        return
    # One read and at most one insert and one update, whatever the number of meetings and offsets.
    planned = {
        (r.session_id, r.offset_minutes): r for r in (registration.reminders.all() if planned is None else planned)
    }
    new, moved = [], []
    for row in rows:
        existing = planned.get((row.session_id, row.offset_minutes))
        if existing is None:
            new.append(row)
        elif existing.due_at != row.due_at:
            existing.due_at = row.due_at
            moved.append(existing)
    Reminder.objects.bulk_create(new)
    Reminder.objects.bulk_update(moved, ["due_at"])


def _reschedule_reminders(event) -> None:
    # A new time means new reminders, also where the old ones were already sent.
    Reminder.objects.filter(registration__event=event).delete()
    starts = _starts(event)
    for registration in event.registrations.filter(status=Status.CONFIRMED):
        schedule_reminders(registration, event=event, starts=starts)


def send_due_reminders(now=None, batch: int = 500) -> int:
    """Queue the reminders that are due. Safe to run twice at once: rows are claimed under SKIP LOCKED.

    The rows are claimed (marked sent) in a short transaction; the e-mails are rendered after it. The
    scan reads the unsent rows by `due_at` (its index) and joins only the rows found.
    """
    now = now or timezone.now()
    with _locked_work() as outbox:
        due = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sent_at__isnull=True, due_at__lte=now)
            .filter(registration__status=Status.CONFIRMED, registration__event__status=Event.Status.PUBLISHED)
            .select_related("registration__event", "session")
            .order_by("due_at")[:batch]
        )
        # If the task was away, several reminders of one registration (and meeting) may be due at once: only
        # the nearest to the start is sent ("in two hours", not "in two days"); the others are marked done.
        # Nothing is sent for what has already started, or for a cancelled meeting.
        nearest = {}
        for reminder in due:
            start = meeting_start(reminder.session) if reminder.session else reminder.registration.event.start
            if start <= now or (reminder.session and reminder.session.cancelled_at):
                continue
            key = (reminder.registration_id, reminder.session_id)
            current = nearest.get(key)
            if current is None or reminder.offset_minutes < current.offset_minutes:
                nearest[key] = reminder
        for reminder in nearest.values():
            registration = reminder.registration
            outbox.add(
                registration.event,
                registration,
                "event_reminder",
                extra={"offset": reminder.offset_minutes, "meeting": reminder.session},
            )
        for reminder in due:
            reminder.sent_at = now
        Reminder.objects.bulk_update(due, ["sent_at"])
    return len(nearest)
