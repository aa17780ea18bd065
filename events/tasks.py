from celery import shared_task

from .services import send_due_reminders


@shared_task(name="events.send_due_reminders")
def send_due_reminders_task() -> int:
    return send_due_reminders()
