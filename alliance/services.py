"""Writes of the alliance app: delivering the outbox."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_SECONDS = 3600
STALLED_AFTER = timedelta(minutes=10)


class TemporaryDeliveryError(Exception):
    """The SMTP server refused for now; try again after `countdown` seconds."""

    def __init__(self, message: str, countdown: int):
        super().__init__(message)
        self.countdown = countdown


def is_temporary_smtp_error(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # A rotated password is fixed by an administrator: keep the messages until then.
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500 or exc.smtp_code < 0
    # Refused, reset, timed out, name not resolved, TLS failure: the server is away, not saying no.
    return isinstance(exc, OSError)


def retry_delay(attempts: int) -> int:
    """Exponential back-off: base, 2×base, 4×base… capped at an hour."""
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY_SECONDS)


def deliver_email(email_id: int) -> OutgoingEmail | None:
    """Send one outbox row if it is still pending.

    The row stays locked while the SMTP server is spoken to, so two workers
    handed the same id deliver it once: the second one finds it sent.
    Raises TemporaryDeliveryError when the caller should try again later.
    """
    retry_in = None
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutgoingEmail.Status.PENDING:
            return email
        email.attempts += 1
        try:
            send_message(email)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if is_temporary_smtp_error(exc) and email.attempts < settings.OUTBOX_MAX_ATTEMPTS:
                retry_in = retry_delay(email.attempts)
                email.next_attempt_at = timezone.now() + timedelta(seconds=retry_in)
                logger.warning("E-mail %s: temporary failure (%s), retry in %ss", email.pk, exc, retry_in)
            else:
                email.status = OutgoingEmail.Status.FAILED
                email.next_attempt_at = None
                logger.error("E-mail %s failed for good: %s", email.pk, exc)
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = timezone.now()
            email.next_attempt_at = None
            email.last_error = ""
        email.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "sent_at"])
    if retry_in is not None:
        raise TemporaryDeliveryError(email.last_error, countdown=retry_in)
    return email


def send_message(email: OutgoingEmail) -> None:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Content-Language": email.language, "Auto-Submitted": "auto-generated"},
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    message.send()


def stalled_email_ids(now=None) -> list[int]:
    """Pending rows whose task should have run by now but did not."""
    now = now or timezone.now()
    cutoff = now - STALLED_AFTER
    return list(
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True, created_at__lt=cutoff) | Q(next_attempt_at__lt=cutoff))
        .values_list("pk", flat=True)[:500]
    )
