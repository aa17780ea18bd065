"""The one way the portal sends e-mail: render, store a row, deliver after commit.

Every domain calls `queue_email` with a template name; the template lives in
`templates/emails/<template>/{subject.txt,body.txt,body.html}` and is
rendered in the recipient's language.

The rows stored in one transaction (or inside ``with batch():``) are handed
to Celery together once it commits: one task per OUTBOX_BATCH_SIZE rows,
published without retries and with a short broker timeout. When the broker is
away nothing waits inside the request: the rows stay pending, this process
stops trying the broker for BROKER_PAUSE_SECONDS, and the beat task
dispatches them (see `alliance.services` for the delivery guarantees).
"""

import contextlib
import logging
import threading
import time
import uuid
from email.utils import parseaddr

from django.conf import settings
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def render_email(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of `template` in `language`."""
    with translation.override(language):
        ctx = {"site_name": settings.SITE_NAME, "language": language, **context}
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", ctx).split())
        text = render_to_string(f"emails/{template}/body.txt", ctx)
        html = render_to_string(f"emails/{template}/body.html", ctx)
    return subject, text, html


def render_html_from_text(*, subject: str, text: str, language: str) -> str:
    """An HTML body in the portal's e-mail layout for a message written as text."""
    with translation.override(language):
        return render_to_string(
            "emails/from_text.html",
            {"site_name": settings.SITE_NAME, "subject": subject, "text": text, "language": language},
        )


def queue_email(
    *, to: str, template: str, context: dict, language: str, attachments: list | None = None
) -> OutgoingEmail:
    subject, text, html = render_email(template=template, context=context, language=language)
    return store_email(
        to=to,
        template=template,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        attachments=attachments,
    )


def store_email(
    *,
    to: str,
    template: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str,
    attachments: list | None = None,
) -> OutgoingEmail:
    """Store the message and hand it to Celery once the surrounding transaction commits.

    `attachments`: text files such as an .ics, as [{"filename", "content", "mimetype"}].
    """
    from .services import give_up_at

    now = timezone.now()
    email = OutgoingEmail.objects.create(
        to=to,
        template=template,
        language=language,
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        attachments=attachments or [],
        message_id=new_message_id(),
        dispatched_at=now,
        give_up_at=give_up_at(now),
    )
    _dispatch_after_commit([email.pk])
    return email


def _message_domain() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return domain or "alleanza.invalid"


def new_message_id() -> str:
    """A Message-ID for a new row, kept on the row and used by every attempt to send it."""
    return f"<{uuid.uuid4().hex}@{_message_domain()}>"


def message_id_for(pk: int) -> str:
    """The Message-ID of a row stored without one: derived from its id, the same on every attempt."""
    digest = salted_hmac("alliance.outbox.message-id", str(pk)).hexdigest()[:16]
    return f"<outbox.{pk}.{digest}@{_message_domain()}>"


class _Batch(list):
    """The ids stored in one transaction, dispatched together when it commits."""

    done = False

    def __call__(self):
        self.done = True
        dispatch_emails(list(self))


_local = threading.local()


@contextlib.contextmanager
def batch():
    """Dispatch the e-mails stored inside the block together, at its end (or when the surrounding
    transaction commits): for code that queues many e-mails outside a transaction, e.g.
    ``with batch(): for person in people: queue_email(...)``. Nested blocks join the outer one."""
    if getattr(_local, "ids", None) is not None:
        yield
        return
    _local.ids = ids = []
    try:
        yield
    finally:
        _local.ids = None
        if ids:
            _dispatch_after_commit(ids)


def _dispatch_after_commit(email_ids: list[int]) -> None:
    collected = getattr(_local, "ids", None)
    if collected is not None:
        collected.extend(email_ids)
        return
    if not connection.in_atomic_block:
        dispatch_emails(email_ids)
        return
    # Append to this transaction's batch if its callback is still registered (a rolled back
    # savepoint drops callbacks with it), else register a new one.
    for _sids, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Batch) and not callback.done:
            callback.extend(email_ids)
            return
    transaction.on_commit(_Batch(email_ids))


# After a failed publish, this process leaves dispatching to the beat task for a while instead of
# trying (and waiting for) the broker again for every e-mail queued meanwhile.
BROKER_PAUSE_SECONDS = 30
_broker_down_until = 0.0


def dispatch_emails(email_ids) -> int:
    """Publish one task per batch of rows; on a broker error stop and leave the rest to the beat task.

    Returns the number of rows handed to the broker.
    """
    global _broker_down_until
    from .celery import app
    from .tasks import send_emails_task

    email_ids = list(email_ids)
    eager = app.conf.task_always_eager
    if not eager and time.monotonic() < _broker_down_until:
        logger.debug("Broker paused after a failure; %s e-mail(s) left to the beat task", len(email_ids))
        return 0
    size = max(settings.OUTBOX_BATCH_SIZE, 1)
    published = 0
    for start in range(0, len(email_ids), size):
        chunk = email_ids[start : start + size]
        try:
            send_emails_task.apply_async(args=[chunk], retry=False)
        except Exception:  # noqa: BLE001 - broker errors come in many types (kombu, redis, OSError)
            # The rows are stored and pending: the beat task dispatches them within OUTBOX_LOST_AFTER.
            if not eager:
                _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
            logger.warning(
                "Broker unavailable; %s outgoing e-mail(s) will be dispatched by the beat task",
                len(email_ids) - published,
                exc_info=True,
            )
            break
        published += len(chunk)
    return published


def resume_dispatching() -> None:
    """Forget a broker failure at once (the beat task calls it: it runs only when the broker works)."""
    global _broker_down_until
    _broker_down_until = 0.0


def dispatch_email(email_id: int) -> None:
    dispatch_emails([email_id])
