"""Celery tasks of the outbox; the rules are in `alliance.services`."""

from celery import shared_task
from django.conf import settings

from .emails import dispatch_emails, resume_dispatching
from .services import deliver_emails, due_email_ids, reconcile_stalled


@shared_task(name="alliance.send_emails", acks_late=True, soft_time_limit=None, time_limit=900)
def send_emails_task(email_ids: list[int]) -> int:
    """Deliver a batch of rows. Rows already sent or claimed elsewhere are skipped, so a repeated
    task sends nothing twice; what the time budget leaves over goes back to the broker."""
    left = deliver_emails(email_ids, budget_seconds=settings.OUTBOX_TASK_BUDGET_SECONDS)
    if left:
        dispatch_emails(left)
    return len(email_ids) - len(left)


@shared_task(name="alliance.send_email", acks_late=True, soft_time_limit=None, time_limit=900)
def send_email_task(email_id: int) -> int:
    """One row (tasks published before the batches existed still arrive under this name)."""
    return send_emails_task(email_ids=[email_id])


@shared_task(name="alliance.requeue_stalled_emails")
def requeue_stalled_emails_task() -> int:
    """Every 30 seconds (beat): reconcile stale claims, then dispatch due and lost rows."""
    resume_dispatching()  # this task arrived through the broker: it works again
    reconcile_stalled()
    ids = due_email_ids()
    dispatch_emails(ids)
    return len(ids)


@shared_task(name="alliance.publish_open_data", soft_time_limit=None, time_limit=1800)
def publish_open_data_task() -> int:
    """Every night (beat): the open-data files (CSV and JSON of every public ally, project, event and
    pathway) written anew; the footer's "Open data" page links them. Returns how many were written."""
    from api.opendata import publish

    return len(publish())


# The nightly retention task lives with its rules; importing it here lets the worker find it.
from .retention import apply_retention  # noqa: E402,F401
