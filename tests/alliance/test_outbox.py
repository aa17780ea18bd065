"""The outbox: one row per e-mail, sent once, retried while the SMTP server says 'later'."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from alliance.celery import app as celery_app
from alliance.emails import queue_email
from alliance.models import OutgoingEmail
from alliance.services import TemporaryDeliveryError, deliver_email, stalled_email_ids
from alliance.tasks import requeue_stalled_emails_task, send_email_task
from tests.conftest import free_port
from tests.factories.alliance import OutgoingEmailFactory

pytestmark = pytest.mark.django_db


def test_queue_email_renders_in_the_recipient_language_and_sends_after_commit(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue_email(to="anna@example.org", template="test_message", context={"name": "Anna"}, language="en")
    assert smtp_server.messages == []  # nothing leaves before the transaction commits
    assert email.status == OutgoingEmail.Status.PENDING

    for callback in callbacks:
        callback()

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 1
    [message] = smtp_server.parsed()
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == "A test message for Anna"
    assert message["Content-Language"] == "en"
    assert message.get_body(("plain",)).get_content().strip() == "Hello Anna, this is a test message."
    assert "<p>Hello Anna, this is a test message.</p>" in message.get_body(("html",)).get_content()


def test_queue_email_in_italian(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(to="anna@example.org", template="test_message", context={"name": "Anna"}, language="it")

    [message] = smtp_server.parsed()
    assert message["Subject"] == "Un messaggio di prova per Anna"
    assert message["Content-Language"] == "it"


def test_a_row_is_delivered_once_however_often_the_task_runs(smtp_server):
    email = OutgoingEmailFactory()

    send_email_task.apply(args=[email.pk])
    send_email_task.apply(args=[email.pk])
    deliver_email(email.pk)

    email.refresh_from_db()
    assert len(smtp_server.messages) == 1
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 1)


def test_temporary_smtp_refusals_are_retried_with_growing_delays(smtp_server, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    smtp_server.refusals = ["421 Service not available, try later", "451 Local error, try later"]
    email = OutgoingEmailFactory()

    with pytest.raises(TemporaryDeliveryError) as first:
        deliver_email(email.pk)
    with pytest.raises(TemporaryDeliveryError) as second:
        deliver_email(email.pk)
    deliver_email(email.pk)

    email.refresh_from_db()
    assert (first.value.countdown, second.value.countdown) == (60, 120)
    assert (email.status, email.attempts, email.last_error) == (OutgoingEmail.Status.SENT, 3, "")
    assert len(smtp_server.messages) == 1


def test_the_celery_task_retries_until_the_server_accepts(smtp_server, monkeypatch):
    # Eager retries re-apply with the app's propagation setting: let them run.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    smtp_server.refusals = ["421 Try again later", "421 Try again later"]
    email = OutgoingEmailFactory()

    # Eager mode runs the retries at once instead of after the countdown.
    result = send_email_task.apply(args=[email.pk], throw=False)

    email.refresh_from_db()
    assert result.successful()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 3)
    assert [m["Subject"] for m in smtp_server.parsed()] == [email.subject]


def test_a_permanent_refusal_is_not_retried(smtp_server):
    smtp_server.refusals = ["550 Mailbox unavailable"]
    email = OutgoingEmailFactory()

    deliver_email(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.FAILED, 1)
    assert "550" in email.last_error
    assert smtp_server.messages == []


def test_giving_up_after_the_last_attempt(smtp_server, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    smtp_server.refusals = ["421 Later", "421 Later", "421 Later"]
    email = OutgoingEmailFactory()

    with pytest.raises(TemporaryDeliveryError):
        deliver_email(email.pk)
    deliver_email(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.FAILED, 2)


def test_an_unreachable_server_is_a_temporary_failure(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    email = OutgoingEmailFactory()

    with pytest.raises(TemporaryDeliveryError):
        deliver_email(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert email.last_error.startswith("ConnectionRefusedError")


def test_stalled_rows_are_found_and_requeued(smtp_server):
    stalled = OutgoingEmailFactory()
    OutgoingEmail.objects.filter(pk=stalled.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    fresh = OutgoingEmailFactory()
    sent = OutgoingEmailFactory(status=OutgoingEmail.Status.SENT)
    OutgoingEmail.objects.filter(pk=sent.pk).update(created_at=timezone.now() - timedelta(minutes=30))

    assert stalled_email_ids() == [stalled.pk]
    assert requeue_stalled_emails_task.apply().get() == 1

    stalled.refresh_from_db()
    fresh.refresh_from_db()
    assert (stalled.status, fresh.status) == (OutgoingEmail.Status.SENT, OutgoingEmail.Status.PENDING)
    assert [m["To"] for m in smtp_server.parsed()] == [stalled.to]


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_row_send_it_once(smtp_server):
    email = OutgoingEmailFactory(subject="Una volta sola")
    start = threading.Barrier(4)

    def worker():
        try:
            start.wait()
            deliver_email(email.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    email.refresh_from_db()
    assert len(smtp_server.messages) == 1
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 1)


@pytest.mark.parametrize(
    "error",
    [
        __import__("socket").gaierror(-2, "Name or service not known"),
        __import__("ssl").SSLError("handshake failed"),
        __import__("smtplib").SMTPAuthenticationError(535, b"Authentication failed"),
        OSError(101, "Network is unreachable"),
    ],
)
def test_network_and_credential_failures_are_retried_not_dropped(error):
    from alliance.services import is_temporary_smtp_error

    assert is_temporary_smtp_error(error) is True
