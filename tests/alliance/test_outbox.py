"""The outbox: one row per e-mail, claimed before SMTP, retried for hours, never sent twice unknowingly."""

import contextlib
import threading
from datetime import timedelta

import psycopg2
import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.management import call_command
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from alliance.admin import OutgoingEmailAdmin
from alliance.celery import app as celery_app
from alliance.emails import batch, queue_email, resume_dispatching
from alliance.models import LogEntry, OutgoingEmail
from alliance.services import (
    deliver_email,
    due_email_ids,
    failed_email_count,
    is_temporary_smtp_error,
    reconcile_stalled,
    resend_emails,
)
from alliance.tasks import requeue_stalled_emails_task, send_emails_task
from tests.conftest import free_port
from tests.factories.alliance import OutgoingEmailFactory

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status


def test_queue_email_renders_in_the_recipient_language_and_sends_after_commit(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue_email(to="anna@example.org", template="test_message", context={"name": "Anna"}, language="en")
    assert smtp_server.messages == []  # nothing leaves before the transaction commits
    assert email.status == Status.PENDING

    for callback in callbacks:
        callback()

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    [message] = smtp_server.parsed()
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == "A test message for Anna"
    assert message["Content-Language"] == "en"
    assert message["Message-ID"] == email.message_id
    assert email.message_id.startswith("<") and email.message_id.endswith("@alleanza.example.org>")
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

    send_emails_task.apply(args=[[email.pk]])
    send_emails_task.apply(args=[[email.pk, email.pk]])
    deliver_email(email.pk)

    email.refresh_from_db()
    assert len(smtp_server.messages) == 1
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert (email.attempt_id is not None, email.handed_over_at is not None) == (True, True)


def test_a_row_without_a_message_id_gets_one_derived_from_it(smtp_server):
    email = OutgoingEmailFactory()
    assert email.message_id == ""

    deliver_email(email.pk)

    email.refresh_from_db()
    assert email.message_id.startswith(f"<outbox.{email.pk}.")
    assert smtp_server.parsed()[0]["Message-ID"] == email.message_id


def test_temporary_refusals_back_off_and_the_row_waits_its_turn(smtp_server, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    smtp_server.refusals = ["421 Service not available, try later", "451 Local error, try later"]
    email = OutgoingEmailFactory()

    before = timezone.now()
    deliver_email(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 1)
    assert timedelta(seconds=59) < email.next_attempt_at - before < timedelta(seconds=62)
    assert "421" in email.last_error

    deliver_email(email.pk)  # not due yet: nobody talks to the server
    email.refresh_from_db()
    assert (email.attempts, len(smtp_server.refusals)) == (1, 1)

    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    deliver_email(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 2)
    assert timedelta(seconds=119) < email.next_attempt_at - before < timedelta(seconds=122)

    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    deliver_email(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 3, "")
    assert len(smtp_server.messages) == 1


def test_an_outage_longer_than_an_hour_loses_nothing(smtp_server, settings):
    """The old budget (6 attempts, ~31 minutes) dropped messages; now the window is OUTBOX_RETRY_HOURS."""
    settings.OUTBOX_RETRY_HOURS = 48
    smtp_server.refusals = ["421 Try later"] * 12
    email = OutgoingEmailFactory()

    for _ in range(12):  # twelve refusals, the later ones an hour apart
        OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        deliver_email(email.pk)
        email.refresh_from_db()
        assert email.status == Status.PENDING
    assert email.next_attempt_at - timezone.now() <= timedelta(seconds=settings.OUTBOX_RETRY_MAX_DELAY_SECONDS)

    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    deliver_email(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 13)
    assert len(smtp_server.messages) == 1


def test_after_the_retry_window_the_row_fails_with_its_reason(smtp_server):
    smtp_server.refusals = ["421 Later"]
    email = OutgoingEmailFactory()
    OutgoingEmail.objects.filter(pk=email.pk).update(give_up_at=timezone.now() - timedelta(seconds=1))

    deliver_email(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    assert "421 Later" in email.last_error
    assert failed_email_count() == 1


def test_a_permanent_refusal_fails_at_once_and_can_be_sent_again(
    smtp_server, django_capture_on_commit_callbacks, coordinator
):
    smtp_server.refusals = ["550 Mailbox unavailable"]
    email = OutgoingEmailFactory()

    deliver_email(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    assert "550" in email.last_error
    assert smtp_server.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        assert resend_emails(email_ids=[email.pk], actor=coordinator) == 1

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert len(smtp_server.messages) == 1
    entry = LogEntry.objects.get(object_id=email.pk, action="alliance.outgoingemail.resent")
    assert entry.actor == coordinator
    assert "550" in entry.data["previous_error"]


def test_sending_again_ignores_rows_that_did_not_fail(smtp_server, django_capture_on_commit_callbacks):
    sent = OutgoingEmailFactory(status=Status.SENT)
    pending = OutgoingEmailFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_emails(email_ids=[sent.pk, pending.pk]) == 0
    assert smtp_server.messages == []


def test_the_admin_action_sends_failed_rows_again(smtp_server, admin_user, django_capture_on_commit_callbacks):
    failed = OutgoingEmailFactory(status=Status.FAILED, last_error="SMTPAuthenticationError: 535")
    request = RequestFactory().post("/admin/alliance/outgoingemail/")
    request.user = admin_user
    request._messages = _Messages()
    model_admin = OutgoingEmailAdmin(OutgoingEmail, admin_site)

    with django_capture_on_commit_callbacks(execute=True):
        model_admin.send_again(request, OutgoingEmail.objects.filter(pk=failed.pk))

    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert [m["To"] for m in smtp_server.parsed()] == [failed.to]
    assert request._messages.messages


def test_the_command_sends_failed_rows_again(smtp_server, django_capture_on_commit_callbacks):
    failed = OutgoingEmailFactory(status=Status.FAILED)
    OutgoingEmailFactory(status=Status.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("resend_failed_emails", "--all", stdout=_Sink())

    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert len(smtp_server.messages) == 1


def test_an_unreachable_server_is_a_temporary_failure(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    email = OutgoingEmailFactory()

    deliver_email(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 1)
    assert email.last_error.startswith("ConnectionRefusedError")
    assert email.attempt_id is None and email.claimed_at is None


@pytest.mark.parametrize(
    "error",
    [
        __import__("socket").gaierror(-2, "Name or service not known"),
        __import__("ssl").SSLError("handshake failed"),
        __import__("smtplib").SMTPAuthenticationError(535, b"Authentication failed"),
        OSError(101, "Network is unreachable"),
        __import__("django.db").db.OperationalError("server closed the connection unexpectedly"),
    ],
)
def test_network_credential_and_database_failures_are_retried_not_dropped(error):
    assert is_temporary_smtp_error(error) is True


def test_a_5xx_recipient_refusal_is_permanent():
    import smtplib

    assert is_temporary_smtp_error(smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")})) is False


# Reconciliation and the beat task -----------------------------------------------------------


def _stuck(handed_over: bool, minutes: int = 10) -> OutgoingEmail:
    """A row left in `sending` by a worker that died `minutes` ago."""
    import uuid

    email = OutgoingEmailFactory(message_id="<stuck@alleanza.example.org>")
    claimed = timezone.now() - timedelta(minutes=minutes)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING,
        attempt_id=uuid.uuid4(),
        claimed_at=claimed,
        handed_over_at=claimed + timedelta(seconds=1) if handed_over else None,
        give_up_at=timezone.now() + timedelta(hours=1),
    )
    return email


def test_a_row_stuck_before_the_hand_over_is_sent_normally(smtp_server):
    email = _stuck(handed_over=False)

    assert reconcile_stalled() == {"released": 1, "uncertain": 0}
    requeue_stalled_emails_task.apply()

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(smtp_server.messages) == 1


def test_a_row_stuck_after_the_hand_over_is_sent_again_with_the_same_message_id(smtp_server, settings):
    settings.OUTBOX_RESEND_UNCERTAIN = True
    email = _stuck(handed_over=True)

    assert reconcile_stalled() == {"released": 0, "uncertain": 1}
    email.refresh_from_db()
    assert "same Message-ID" in email.last_error
    requeue_stalled_emails_task.apply()

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert [m["Message-ID"] for m in smtp_server.parsed()] == ["<stuck@alleanza.example.org>"]


def test_or_is_left_failed_for_a_person_to_decide(smtp_server, settings):
    settings.OUTBOX_RESEND_UNCERTAIN = False
    email = _stuck(handed_over=True)

    assert reconcile_stalled() == {"released": 0, "uncertain": 1}
    requeue_stalled_emails_task.apply()

    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "probably arrived" in email.last_error
    assert smtp_server.messages == []


def test_a_live_claim_is_not_taken_back(smtp_server):
    email = _stuck(handed_over=True, minutes=0)

    assert reconcile_stalled() == {"released": 0, "uncertain": 0}
    requeue_stalled_emails_task.apply()

    email.refresh_from_db()
    assert email.status == Status.SENDING
    assert smtp_server.messages == []


def test_lost_and_due_rows_are_dispatched_within_a_minute_and_fresh_ones_left_alone(smtp_server, settings):
    settings.OUTBOX_LOST_AFTER = 60
    now = timezone.now()
    lost = OutgoingEmailFactory(dispatched_at=now - timedelta(seconds=61))
    never_dispatched = OutgoingEmailFactory(dispatched_at=None)
    fresh = OutgoingEmailFactory(dispatched_at=now - timedelta(seconds=5))
    due_retry = OutgoingEmailFactory(next_attempt_at=now - timedelta(seconds=1), dispatched_at=None)
    later_retry = OutgoingEmailFactory(next_attempt_at=now + timedelta(minutes=5), dispatched_at=None)
    OutgoingEmailFactory(status=Status.SENT, dispatched_at=now - timedelta(hours=1))

    assert sorted(due_email_ids()) == sorted([lost.pk, never_dispatched.pk, due_retry.pk])
    assert due_email_ids() == []  # marked dispatched: not twice in a row

    OutgoingEmail.objects.filter(pk__in=[lost.pk, never_dispatched.pk, due_retry.pk]).update(dispatched_at=None)
    assert requeue_stalled_emails_task.apply().get() == 3
    assert sorted(m["To"] for m in smtp_server.parsed()) == sorted([lost.to, never_dispatched.to, due_retry.to])
    fresh.refresh_from_db()
    later_retry.refresh_from_db()
    assert (fresh.status, later_retry.status) == (Status.PENDING, Status.PENDING)


# Concurrency and database faults -------------------------------------------------------------


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
    assert (email.status, email.attempts) == (Status.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_a_database_connection_terminated_after_the_250_sends_nothing_twice(smtp_server, settings):
    """The SMTP server kills the worker's database session while it accepts the message."""
    email = OutgoingEmailFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        worker_pid = cursor.fetchone()[0]
    db = settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    admin.autocommit = True

    def terminate(envelope):
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [worker_pid])

    smtp_server.on_data = terminate
    try:
        deliver_email(email.pk)
        requeue_stalled_emails_task.apply()
    finally:
        admin.close()

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert len(smtp_server.messages) == 1


# Fan-out -------------------------------------------------------------------------------------


def test_hundreds_of_emails_in_one_transaction_are_a_few_tasks(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    from celery.signals import task_prerun

    settings.OUTBOX_BATCH_SIZE = 50
    runs = []

    def count(sender=None, args=None, **kwargs):
        if sender.name == "alliance.send_emails":
            runs.append(len(args[0]))

    task_prerun.connect(count)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            for n in range(120):
                queue_email(to=f"p{n}@example.org", template="test_message", context={"name": n}, language="en")
    finally:
        task_prerun.disconnect(count)

    assert len(callbacks) == 1
    assert runs == [50, 50, 20]
    assert len(smtp_server.messages) == 120
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 120


def test_a_rolled_back_savepoint_does_not_lose_the_batch(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    queue_email(to="gone@example.org", template="test_message", context={"name": 1}, language="en")
                    raise RuntimeError
            except RuntimeError:
                pass
            queue_email(to="kept@example.org", template="test_message", context={"name": 2}, language="en")

    assert [m["To"] for m in smtp_server.parsed()] == ["kept@example.org"]


def test_with_the_broker_down_queueing_300_emails_is_quick_and_the_beat_task_delivers_them(
    smtp_server, monkeypatch, settings, django_capture_on_commit_callbacks, caplog
):
    import time

    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with _broker(monkeypatch, dead):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for n in range(300):
                queue_email(to=f"p{n}@example.org", template="test_message", context={"name": n}, language="en")
        elapsed = time.monotonic() - started

    # One failed publish, not 300 with retries (it was 30 s).
    assert [r.message for r in caplog.records if r.name == "alliance.emails"] == [
        "Broker unavailable; 300 outgoing e-mail(s) will be dispatched by the beat task"
    ]
    assert elapsed < 20, elapsed
    assert OutgoingEmail.objects.filter(status=Status.PENDING).count() == 300
    assert smtp_server.messages == []

    # The broker is back (eager here); a minute later the beat task dispatches them all, once.
    settings.OUTBOX_LOST_AFTER = 0
    requeue_stalled_emails_task.apply()
    requeue_stalled_emails_task.apply()
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 300
    received = [m["To"] for m in smtp_server.parsed()]
    assert len(received) == len(set(received)) == 300


@contextlib.contextmanager
def _broker(monkeypatch, url):
    """Publish to `url` (not eagerly) inside the block; fresh connection pools before and after."""

    def reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    reset_pools()
    try:
        yield
    finally:
        monkeypatch.undo()
        reset_pools()
        resume_dispatching()


@pytest.fixture
def coordinator(db):
    from tests.factories.members import UserFactory

    return UserFactory()


class _Messages:
    def __init__(self):
        self.messages = []

    def add(self, level, message, extra_tags=""):
        self.messages.append(str(message))


class _Sink:
    def write(self, text):
        pass

    def flush(self):
        pass


def test_failed_rows_are_counted_for_those_who_may_see_the_outbox():
    from django.contrib.auth.models import Group, Permission

    from alliance.services import failed_emails_for
    from tests.factories.members import UserFactory

    OutgoingEmailFactory(status=Status.FAILED)
    OutgoingEmailFactory(status=Status.SENT)
    reader = UserFactory()
    group = Group.objects.create(name="outbox readers")
    group.permissions.add(Permission.objects.get(codename="view_outgoingemail"))
    reader.groups.add(group)

    assert failed_emails_for(UserFactory()) == 0
    assert failed_emails_for(reader) == 1


def test_two_transactions_in_a_row_each_dispatch_their_own_batch(smtp_server, django_capture_on_commit_callbacks):
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            queue_email(to=f"p{n}@example.org", template="test_message", context={"name": n}, language="en")
        assert len(callbacks) == 1

    assert [m["To"] for m in smtp_server.parsed()] == ["p0@example.org", "p1@example.org"]


@pytest.mark.django_db(transaction=True)
def test_redis_away_during_a_message_to_300_attendees_and_back_again(smtp_server, monkeypatch, settings, caplog):
    """Cache and broker both on a closed port: the coordinator's message returns at once, nothing
    fails; when Redis is back the beat task delivers every e-mail, once."""
    import time

    from events.services import message_attendees
    from tests.factories.events import EventFactory, RegistrationFactory
    from tests.factories.members import CoordinatorFactory

    event = EventFactory()
    RegistrationFactory.create_batch(300, event=event)
    coordinator = CoordinatorFactory()
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "alliance.cache.FailOpenRedisCache", "LOCATION": dead}}
    with _broker(monkeypatch, dead):
        started = time.monotonic()
        sent = message_attendees(
            event=event,
            actor=coordinator,
            statuses=["confirmed"],
            subject="Cambio di sala",
            body="Ci vediamo in sala B.",
        )
        elapsed = time.monotonic() - started

    assert sent == 300
    # One failed publish, no retries: this process then leaves the rows to the beat task for a while
    # (the service queues its e-mails after its transaction, one by one).
    assert len([r for r in caplog.records if r.name == "alliance.emails"]) == 1
    assert elapsed < 30, elapsed
    assert OutgoingEmail.objects.filter(status=Status.PENDING).count() == 300
    assert smtp_server.messages == []

    settings.OUTBOX_LOST_AFTER = 0
    requeue_stalled_emails_task.apply()  # Redis is back (eager here)
    requeue_stalled_emails_task.apply()
    received = [m["To"] for m in smtp_server.parsed()]
    assert len(received) == len(set(received)) == 300
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 300


@pytest.mark.django_db(transaction=True)
def test_emails_queued_outside_a_transaction_can_still_leave_as_one_batch(smtp_server, settings):
    from celery.signals import task_prerun

    settings.OUTBOX_BATCH_SIZE = 50
    runs = []

    def count(sender=None, args=None, **kwargs):
        if sender.name == "alliance.send_emails":
            runs.append(len(args[0]))

    task_prerun.connect(count)
    try:
        with batch():
            for n in range(60):
                queue_email(to=f"p{n}@example.org", template="test_message", context={"name": n}, language="en")
            assert runs == []  # nothing before the end of the block
    finally:
        task_prerun.disconnect(count)

    assert runs == [50, 10]
    assert len(smtp_server.messages) == 60


def test_the_emails_of_one_request_leave_as_one_batch_even_outside_a_transaction(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    from celery.signals import task_prerun
    from django.http import HttpResponse

    from alliance.middleware import OutboxBatchMiddleware

    settings.OUTBOX_BATCH_SIZE = 50
    runs = []

    def view(request):
        for n in range(120):
            queue_email(to=f"p{n}@example.org", template="test_message", context={"name": n}, language="en")
        return HttpResponse("ok")

    def count(sender=None, args=None, **kwargs):
        if sender.name == "alliance.send_emails":
            runs.append(len(args[0]))

    task_prerun.connect(count)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            OutboxBatchMiddleware(view)(RequestFactory().post("/"))
    finally:
        task_prerun.disconnect(count)

    assert runs == [50, 50, 20]
    assert len(smtp_server.messages) == 120
