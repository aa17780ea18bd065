"""A real Celery worker, consuming from Redis, delivers an outbox row to a real SMTP server."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from alliance.celery import app as celery_app
from alliance.emails import queue_email
from alliance.models import OutgoingEmail
from alliance.tasks import requeue_stalled_emails_task


@pytest.fixture
def redis_worker(monkeypatch, settings):
    """A worker thread on a queue of this test's own, with tasks no longer run eagerly."""
    queue = f"test-{uuid.uuid4().hex}"
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    monkeypatch.setitem(celery_app.conf, "broker_url", settings.CELERY_BROKER_URL)
    assert celery_app.conf.broker_url.startswith("redis://")
    with start_worker(
        celery_app, pool="solo", concurrency=1, queues=[queue], perform_ping_check=False, shutdown_timeout=10
    ):
        yield


@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_delivers_the_email_once(redis_worker, smtp_server):
    with transaction.atomic():
        email = queue_email(to="lucia@example.org", template="test_message", context={"name": "Lucia"}, language="en")

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if email.status != OutgoingEmail.Status.PENDING:
            break
        time.sleep(0.1)

    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 1)
    assert [(m["To"], m["Subject"]) for m in smtp_server.parsed()] == [
        ("lucia@example.org", "A test message for Lucia")
    ]


# Real worker processes killed with SIGKILL in the middle of a batch ----------------------------


def _worker_process(settings, queue: str, smtp_port: int) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alliance.settings.test",
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "alliance",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("resend_uncertain", [True, False], ids=["same-message-id", "left-for-a-person"])
@pytest.mark.django_db(transaction=True)
def test_workers_killed_mid_batch_lose_nothing_and_repeat_nothing_unknowingly(
    smtp_server, settings, monkeypatch, resend_uncertain
):
    """Two SIGKILLs: one during RCPT TO (nothing handed over yet), one after the server has taken
    the message and before its "250" reaches the worker (the row cannot know it was delivered)."""
    settings.OUTBOX_BATCH_SIZE = 10
    settings.OUTBOX_LOST_AFTER = 0
    settings.OUTBOX_SENDING_TIMEOUT = 3
    settings.OUTBOX_RESEND_UNCERTAIN = resend_uncertain
    queue = f"test-{uuid.uuid4().hex}"
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    monkeypatch.setitem(celery_app.conf, "broker_url", settings.CELERY_BROKER_URL)
    port = settings.EMAIL_PORT
    workers = [_worker_process(settings, queue, port)]
    killed = []

    def kill(reason):
        if reason not in killed:
            killed.append(reason)
            os.kill(workers[-1].pid, signal.SIGKILL)

    smtp_server.on_rcpt = lambda address: kill("rcpt") if address == "p9@example.org" else None
    smtp_server.on_data = lambda envelope: kill("data") if envelope.rcpt_tos == ["p24@example.org"] else None
    try:
        with transaction.atomic():
            emails = [
                queue_email(to=f"p{n}@example.org", template="test_message", context={"name": n}, language="en")
                for n in range(40)
            ]
        for _kill in range(2):
            workers[-1].wait(timeout=60)  # the worker dies by the hook's SIGKILL
            assert workers[-1].returncode == -signal.SIGKILL
            workers.append(_worker_process(settings, queue, port))

        # The beat task, as every 30 seconds: reconcile stale claims, dispatch what is lost.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            requeue_stalled_emails_task()
            waiting = OutgoingEmail.objects.filter(
                status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.SENDING]
            ).count()
            if not waiting:
                break
            time.sleep(1)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)

    assert killed == ["rcpt", "data"]
    rows = {email.pk: email for email in OutgoingEmail.objects.all()}
    ids_by_recipient = {email.to: email.message_id for email in rows.values()}
    received = Counter(m["Message-ID"] for m in smtp_server.parsed())
    # Every message arrived, each under its row's Message-ID, none that the portal did not queue.
    assert set(received) == {email.message_id for email in rows.values()} and len(rows) == len(emails) == 40
    # Killed before the hand-over: sent again, and still exactly once.
    assert received[ids_by_recipient["p9@example.org"]] == 1
    uncertain = OutgoingEmail.objects.get(to="p24@example.org")
    if resend_uncertain:
        # The one message whose "250" was lost came again, recognisably the same message.
        assert received[uncertain.message_id] == 2
        assert uncertain.status == OutgoingEmail.Status.SENT
        assert sum(received.values()) == 41
        assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() == 40
    else:
        # Nothing twice: the uncertain row waits for a person, marked as probably delivered.
        assert received[uncertain.message_id] == 1
        assert uncertain.status == OutgoingEmail.Status.FAILED
        assert "probably arrived" in uncertain.last_error
        assert sum(received.values()) == 40
        assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() == 39
