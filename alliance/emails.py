"""The one way the portal sends e-mail: render, store a row, deliver after commit.

Every domain calls `queue_email` with a template name; the template lives in
`templates/emails/<template>/{subject.txt,body.txt,body.html}` and is
rendered in the recipient's language.

The rows stored in one transaction are handed to Celery together once it
commits: one task per OUTBOX_BATCH_SIZE rows, published without retries and
with a short broker timeout. When the broker is away nothing waits inside
the request: the rows stay pending and the beat task dispatches them (see
`alliance.services` for the delivery guarantees).
"""

import logging
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
        to=to, template=template, language=language, subject=subject, body_text=text, body_html=html,
        attachments=attachments,
    )


def store_email(
    *, to: str, template: str, language: str, subject: str, body_text: str, body_html: str,
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
    _dispatch_after_commit(email.pk)
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


def _dispatch_after_commit(email_id: int) -> None:
    if not connection.in_atomic_block:
        dispatch_emails([email_id])
        return
    # Append to this transaction's batch if its callback is still registered (a rolled back
    # savepoint drops callbacks with it), else register a new one.
    for _sids, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Batch) and not callback.done:
            callback.append(email_id)
            return
    transaction.on_commit(_Batch([email_id]))


def dispatch_emails(email_ids) -> int:
    """Publish one task per batch of rows; on a broker error stop and leave the rest to the beat task.

    Returns the number of rows handed to the broker.
    """
    from .tasks import send_emails_task

    email_ids = list(email_ids)
    size = max(settings.OUTBOX_BATCH_SIZE, 1)
    published = 0
    for start in range(0, len(email_ids), size):
        chunk = email_ids[start:start + size]
        try:
            send_emails_task.apply_async(args=[chunk], retry=False)
        except Exception:  # noqa: BLE001 - broker errors come in many types (kombu, redis, OSError)
            # The rows are stored and pending: the beat task dispatches them within OUTBOX_LOST_AFTER.
            logger.warning(
                "Broker unavailable; %s outgoing e-mail(s) will be dispatched by the beat task",
                len(email_ids) - published, exc_info=True,
            )
            break
        published += len(chunk)
    return published


def dispatch_email(email_id: int) -> None:
    dispatch_emails([email_id])
