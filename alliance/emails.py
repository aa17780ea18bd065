"""The one way the portal sends e-mail: render, store a row, deliver after commit.

Every domain calls `queue_email` with a template name; the template lives in
`templates/emails/<template>/{subject.txt,body.txt,body.html}` and is
rendered in the recipient's language.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from kombu.exceptions import OperationalError as BrokerError

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
    email = OutgoingEmail.objects.create(
        to=to,
        template=template,
        language=language,
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        attachments=attachments or [],
    )
    transaction.on_commit(lambda: dispatch_email(email.pk))
    return email


def dispatch_email(email_id: int) -> None:
    from .tasks import send_email_task

    try:
        send_email_task.delay(email_id)
    except BrokerError:
        # The row is stored: the periodic requeue task sends it when the broker is back.
        logger.exception("Broker unavailable; outgoing e-mail %s will be requeued", email_id)
