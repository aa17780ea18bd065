"""A real Celery worker, consuming from Redis, delivers an outbox row to a real SMTP server."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from alliance.celery import app as celery_app
from alliance.emails import queue_email
from alliance.models import OutgoingEmail


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
