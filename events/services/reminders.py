"""Reminders: rows planned per registration, sent by the periodic task when due."""

from datetime import timedelta

from django.utils import timezone

from ..models import Event, Registration, Reminder
from .base import Status, _locked_work

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
