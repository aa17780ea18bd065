"""Writes of the alliance app: delivering the outbox.

What the outbox guarantees
==========================

Every `OutgoingEmail` row goes ``pending → sending → sent`` (or ``failed``), and
the database, not the broker, is the queue: Celery tasks only say "look at
these rows now". One delivery attempt is:

1. **Claim** — one ``UPDATE … WHERE status = 'pending'`` sets ``sending``, a new
   ``attempt_id`` and ``claimed_at``, and commits. Only one worker wins a row;
   no lock is held while the SMTP server is spoken to.
2. **Envelope** — connect, ``MAIL FROM``, ``RCPT TO``, ``DATA`` and the message
   body, except the final ``<CRLF>.<CRLF>``. Until that marker is sent the
   server cannot have accepted the message.
3. **Hand-over** — ``handed_over_at`` is committed, then the marker is sent.
4. **Result** — after the server's "250" the row becomes ``sent`` (the write is
   retried on a fresh connection if the database connection dropped); a refusal
   makes it ``pending`` again with a back-off (4xx, network and database
   errors) or ``failed`` with the reason (5xx).

A worker killed (``kill -9``, OOM, time limit) or a database lost in the middle
leaves the row in ``sending``. After ``OUTBOX_SENDING_TIMEOUT`` seconds (longer
than any live attempt can last: a live worker does not hand over once its claim
is that old) the periodic `reconcile_stalled` looks at it:

- no ``handed_over_at``: the server never received the end of the data, so
  nothing was delivered: the row is pending again and sent normally;
- ``handed_over_at`` set: the server may have said "250" just before the worker
  died. Nobody can know. With ``OUTBOX_RESEND_UNCERTAIN`` (the default) the row
  is sent again **with the same Message-ID**, so the receiving system and the
  reader see a repeat of the same message (many providers drop it); without
  it the row is marked failed with an explanation, for a person to decide.

So: every message is delivered at least once, and at most once except when the
worker loses track between the end-of-data marker and the commit of ``sent`` —
killed in those few milliseconds, the connection to the SMTP server broken
before its reply arrived, or the database away for longer than
``OUTBOX_DB_RETRY_SECONDS`` right after the "250" — where the message may come
a second time, always carrying the same Message-ID (or, with
``OUTBOX_RESEND_UNCERTAIN`` off and a dead worker, is left failed). A task
lost on the way (broker down at commit, worker killed before it claimed the
row) costs nothing: pending rows not claimed within ``OUTBOX_LOST_AFTER``
seconds are dispatched again by the beat task (every 30 seconds). Temporary
failures are retried with exponential back-off (capped) until
``OUTBOX_RETRY_HOURS`` after the message was queued (or sent again); only
then, or on a permanent refusal, does a row become ``failed``; `resend_emails`
(an admin action and ``manage.py resend_failed_emails``) queues failed rows again.
"""

import contextlib
import logging
import re
import smtplib
import socket
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from .emails import message_id_for
from .models import OutgoingEmail

logger = logging.getLogger(__name__)


class Interrupted(Exception):
    """The attempt stopped before the end of the data was handed over: nothing was delivered."""


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
    if isinstance(exc, (DatabaseError, Interrupted)):
        return True
    # Refused, reset, timed out, name not resolved, TLS failure: the server is away, not saying no.
    return isinstance(exc, OSError)


def describe_error(exc: BaseException) -> str:
    """The reason stored on the row: the SMTP code and text when there is one."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{address}: {code} {_text(message)}" for address, (code, message) in exc.recipients.items())
    elif isinstance(exc, smtplib.SMTPResponseException):
        detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        detail = str(exc)
    return f"{name}: {detail}"[:2000]


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def retry_delay(attempts: int) -> int:
    """Exponential back-off: base, 2×base, 4×base… capped at OUTBOX_RETRY_MAX_DELAY_SECONDS."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return int(min(base * 2 ** min(max(attempts - 1, 0), 20), settings.OUTBOX_RETRY_MAX_DELAY_SECONDS))


def give_up_at(start=None):
    return (start or timezone.now()) + timedelta(hours=settings.OUTBOX_RETRY_HOURS)


# Delivery --------------------------------------------------------------------------


def deliver_emails(email_ids, *, budget_seconds: float | None = None) -> list[int]:
    """Deliver the rows among `email_ids` that are still waiting, on one SMTP connection.

    Returns the ids left untouched because the time budget ran out (the caller
    dispatches them again); rows that failed for now are pending with a back-off.
    """
    started = time.monotonic()
    sender = Sender()
    try:
        for position, email_id in enumerate(email_ids):
            if budget_seconds is not None and time.monotonic() - started > budget_seconds:
                return list(email_ids[position:])
            _deliver(email_id, sender)
    finally:
        sender.close()
    return []


def deliver_email(email_id: int) -> OutgoingEmail | None:
    """Deliver one row if it is waiting (see the module docstring); return it as it is now."""
    sender = Sender()
    try:
        _deliver(email_id, sender)
    finally:
        sender.close()
    return OutgoingEmail.objects.filter(pk=email_id).first()


def _deliver(email_id: int, sender: "Sender") -> None:
    try:
        email = claim(email_id)
    except DatabaseError:
        # The row stays pending and dispatched: the beat task tries again after OUTBOX_LOST_AFTER.
        logger.warning("E-mail %s: database unavailable while claiming; it will be requeued", email_id)
        _reset_connection()
        return
    if email is None:
        return
    try:
        sender.send(email, before_end_of_data=lambda: _hand_over(email))
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
        sender.close()
        _record_failure(email, exc)
    else:
        _record_success(email)


def claim(email_id: int) -> OutgoingEmail | None:
    """Take the row for this worker: `sending`, committed, or None if it is not waiting."""
    now = timezone.now()
    attempt = uuid.uuid4()
    with transaction.atomic():
        claimed = (
            OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .update(
                status=OutgoingEmail.Status.SENDING,
                attempt_id=attempt,
                claimed_at=now,
                handed_over_at=None,
            )
        )
        if not claimed:
            return None
        email = OutgoingEmail.objects.get(pk=email_id)
        updates = {}
        if not email.message_id:
            updates["message_id"] = email.message_id = message_id_for(email.pk)
        if email.give_up_at is None:
            updates["give_up_at"] = email.give_up_at = give_up_at(email.created_at)
        if updates:
            OutgoingEmail.objects.filter(pk=email_id).update(**updates)
    return email


def _hand_over(email: OutgoingEmail) -> None:
    """Note, committed, that the end of the data goes to the server now; refuse if the claim is too old."""
    age = (timezone.now() - email.claimed_at).total_seconds()
    if age > settings.OUTBOX_SENDING_TIMEOUT - settings.EMAIL_TIMEOUT - 10:
        raise Interrupted(f"claim too old ({age:.0f}s) to hand the message over safely")
    now = timezone.now()
    updated = OutgoingEmail.objects.filter(
        pk=email.pk, status=OutgoingEmail.Status.SENDING, attempt_id=email.attempt_id
    ).update(handed_over_at=now)
    if not updated:
        raise Interrupted("the row was taken back by the reconciliation")
    email.handed_over_at = now


def _record_success(email: OutgoingEmail) -> None:
    now = timezone.now()

    def write():
        return OutgoingEmail.objects.filter(pk=email.pk, attempt_id=email.attempt_id).update(
            status=OutgoingEmail.Status.SENT,
            sent_at=now,
            attempts=email.attempts + 1,
            last_error="",
            next_attempt_at=None,
        )

    # The server said "250": the message left. Losing this write is what could cause a repeat,
    # so it is retried on a fresh connection for a while before giving up to the reconciliation.
    if _write_with_retries(write, email.pk, "sent") == 0:
        logger.error("E-mail %s was sent, but its row had been taken back meanwhile", email.pk)


def _record_failure(email: OutgoingEmail, exc: BaseException) -> None:
    now = timezone.now()
    attempts = email.attempts + 1
    error = describe_error(exc)
    fields = {"attempts": attempts, "last_error": error, "attempt_id": None, "claimed_at": None}
    if is_temporary_smtp_error(exc) and now < email.give_up_at:
        delay = retry_delay(attempts)
        fields.update(
            status=OutgoingEmail.Status.PENDING,
            next_attempt_at=now + timedelta(seconds=delay),
            dispatched_at=None,
        )
        logger.warning("E-mail %s: temporary failure (%s), retry in %ss", email.pk, error, delay)
    else:
        if is_temporary_smtp_error(exc):
            error = f"Gave up after {settings.OUTBOX_RETRY_HOURS:g} hours of temporary failures. Last: {error}"
            fields["last_error"] = error[:2000]
        fields.update(status=OutgoingEmail.Status.FAILED, next_attempt_at=None)
        logger.error("E-mail %s failed: %s", email.pk, error)
    # After a hand-over that ended in a broken connection, `handed_over_at` stays: the next
    # attempt is a possible repeat and carries the same Message-ID, as every attempt does.
    _write_with_retries(
        lambda: OutgoingEmail.objects.filter(pk=email.pk, attempt_id=email.attempt_id).update(**fields),
        email.pk,
        fields["status"],
    )


def _write_with_retries(write, email_id: int, what: str) -> int | None:
    delay = 0.2
    deadline = time.monotonic() + settings.OUTBOX_DB_RETRY_SECONDS
    while True:
        try:
            return write()
        except DatabaseError:
            _reset_connection()
            if time.monotonic() + delay > deadline:
                logger.exception("E-mail %s: could not record %s; the reconciliation will", email_id, what)
                return None
            time.sleep(delay)
            delay = min(delay * 2, 5)


def _reset_connection() -> None:
    try:
        connection.close()
    except DatabaseError:
        pass
    close_old_connections()


class Sender:
    """One SMTP connection reused for a batch; any backend that is not SMTP sends through Django."""

    def __init__(self):
        self.backend = None

    def build(self, email: OutgoingEmail) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            headers={
                "Message-ID": email.message_id,
                "Content-Language": email.language,
                "Auto-Submitted": "auto-generated",
            },
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        for attachment in email.attachments:
            message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
        return message

    def send(self, email: OutgoingEmail, *, before_end_of_data) -> None:
        message = self.build(email)
        if self.backend is None:
            self.backend = get_connection(timeout=settings.EMAIL_TIMEOUT)
        if not isinstance(self.backend, SMTPBackend):
            before_end_of_data()
            message.connection = self.backend
            message.send()
            return
        if self.backend.connection is None:
            self.backend.open()
            # The end-of-data marker is a small write right after the body: without this, Nagle's
            # algorithm holds it until the server acknowledges the body (up to 40 ms per message).
            with contextlib.suppress(OSError, AttributeError):
                self.backend.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        smtp = self.backend.connection
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        recipient = sanitize_address(email.to, encoding)
        data = message.message().as_bytes(linesep="\r\n")
        smtp.ehlo_or_helo_if_needed()
        options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, reply = smtp.mail(sender, options)
        if code != 250:
            self._reset(smtp)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            self._reset(smtp)
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        code, reply = smtp.docmd("data")
        if code != 354:
            self._reset(smtp)
            raise smtplib.SMTPDataError(code, reply)
        body = re.sub(rb"(?m)^\.", b"..", data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        smtp.send(body)
        # Until the next line the server cannot have accepted the message.
        before_end_of_data()
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    @staticmethod
    def _reset(smtp) -> None:
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            pass

    def close(self) -> None:
        if self.backend is not None and isinstance(self.backend, SMTPBackend):
            try:
                self.backend.close()
            except Exception:  # noqa: BLE001 - closing a broken connection is best effort
                logger.debug("Closing the SMTP connection failed", exc_info=True)
        self.backend = None


# The beat task: lost tasks, stale claims, due retries -------------------------------


def reconcile_stalled(now=None) -> dict:
    """Rows stuck in `sending` past OUTBOX_SENDING_TIMEOUT: their worker is gone (see the docstring)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)
    stale = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENDING, claimed_at__lt=cutoff)
    counts = {"released": 0, "uncertain": 0}
    for email in stale.only("pk", "attempt_id", "handed_over_at", "attempts")[:1000]:
        same_attempt = OutgoingEmail.objects.filter(
            pk=email.pk, status=OutgoingEmail.Status.SENDING, attempt_id=email.attempt_id
        )
        common = {
            "attempt_id": None,
            "claimed_at": None,
            "attempts": email.attempts + 1,
            "dispatched_at": None,
            "next_attempt_at": None,
        }
        if email.handed_over_at is None:
            counts["released"] += same_attempt.update(
                status=OutgoingEmail.Status.PENDING,
                last_error="Interrupted before the message was handed over: sent again.",
                **common,
            )
        elif settings.OUTBOX_RESEND_UNCERTAIN:
            counts["uncertain"] += same_attempt.update(
                status=OutgoingEmail.Status.PENDING,
                last_error=(
                    "Interrupted after the message was handed to the SMTP server: it may have arrived; "
                    "sent again with the same Message-ID."
                ),
                **common,
            )
        else:
            counts["uncertain"] += same_attempt.update(
                status=OutgoingEmail.Status.FAILED,
                last_error=(
                    "Interrupted after the message was handed to the SMTP server: it probably arrived. "
                    "Send it again only if the recipient did not receive it."
                ),
                **common,
            )
    if counts["released"] or counts["uncertain"]:
        logger.warning("Outbox reconciliation: %s", counts)
    return counts


def due_email_ids(now=None, limit: int = 2000) -> list[int]:
    """Pending rows due now whose task never came (or came and left them for later); marked dispatched."""
    now = now or timezone.now()
    lost = now - timedelta(seconds=settings.OUTBOX_LOST_AFTER)
    with transaction.atomic():
        ids = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutgoingEmail.Status.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lte=lost))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        OutgoingEmail.objects.filter(pk__in=ids).update(dispatched_at=now)
    return ids


# Sending again ----------------------------------------------------------------------


def resend_emails(*, email_ids, actor=None) -> int:
    """Queue failed rows again, with a fresh retry window; logged with the actor. Returns how many."""
    from .emails import dispatch_emails
    from .workflow import log

    now = timezone.now()
    with transaction.atomic():
        emails = list(
            OutgoingEmail.objects.select_for_update()
            .filter(pk__in=list(email_ids), status=OutgoingEmail.Status.FAILED)
            .order_by("pk")
        )
        for email in emails:
            previous_error = email.last_error
            email.status = OutgoingEmail.Status.PENDING
            email.next_attempt_at = None
            email.dispatched_at = now
            email.give_up_at = give_up_at(now)
            email.save(update_fields=["status", "next_attempt_at", "dispatched_at", "give_up_at"])
            log(email, "resent", actor=actor, data={"previous_error": previous_error[:500]})
        ids = [email.pk for email in emails]
        transaction.on_commit(lambda: dispatch_emails(ids))
    return len(ids)


def failed_email_count() -> int:
    """For the warning on the coordination pages."""
    return OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).count()


def failed_emails_for(user) -> int:
    """A coordination queue's count: failed e-mails, for whoever may see the outbox."""
    if not user.has_perm("alliance.view_outgoingemail"):
        return 0
    return failed_email_count()
