from celery import shared_task

from .emails import dispatch_email
from .services import TemporaryDeliveryError, deliver_email, stalled_email_ids


@shared_task(bind=True, name="alliance.send_email", max_retries=None, acks_late=True)
def send_email_task(self, email_id: int) -> None:
    try:
        deliver_email(email_id)
    except TemporaryDeliveryError as exc:
        # The row counts the attempts and decides when to give up.
        raise self.retry(countdown=exc.countdown, exc=exc) from exc


@shared_task(name="alliance.requeue_stalled_emails")
def requeue_stalled_emails_task() -> int:
    ids = stalled_email_ids()
    for email_id in ids:
        dispatch_email(email_id)
    return len(ids)
