"""Shared set-up: the suite runs against the real PostgreSQL and Redis.

A missing service stops the run with an error that names it: no test is
skipped because something was not there.
"""

import importlib
import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# calls from the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _check_services():
    import psycopg2
    import redis
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return f"The tests need PostgreSQL: DATABASE_URL points to {db['ENGINE']}."
    try:
        psycopg2.connect(
            dbname="postgres",
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            connect_timeout=5,
        ).close()
    except psycopg2.OperationalError as exc:
        return f"PostgreSQL is not reachable at {db.get('HOST')}:{db.get('PORT')} (DATABASE_URL): {exc}".strip()
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {settings.REDIS_URL} (REDIS_URL): {exc}"
    return None


def pytest_sessionstart(session):
    problem = _check_services()
    if problem:
        pytest.exit(problem + "\nStart the service (see README.md) and run the tests again.", returncode=3)


@pytest.fixture(autouse=True)
def _fresh_state():
    # allauth's rate limits live in the cache: every test starts with none,
    # and in the default language whatever the previous test requested.
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    translation.activate("it")
    yield
    translation.deactivate()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPRecorder:
    """An aiosmtpd handler that keeps what it receives and can refuse on demand."""

    def __init__(self):
        self.messages = []
        self.refusals = []  # replies such as "421 Try later", used one per DATA command
        # Fault hooks (called in the server's thread): on_rcpt(address) before the "250" to RCPT TO,
        # on_data(envelope) after the message is recorded and before the "250" that accepts it.
        self.on_rcpt = None
        self.on_data = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.on_rcpt is not None:
            self.on_rcpt(address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            return self.refusals.pop(0)
        self.messages.append(envelope)
        if self.on_data is not None:
            self.on_data(envelope)
        return "250 Message accepted"

    def parsed(self):
        from email import message_from_bytes
        from email.policy import default

        return [message_from_bytes(envelope.content, policy=default) for envelope in self.messages]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1, and the portal configured to send through it."""
    from aiosmtpd.controller import Controller

    recorder = SMTPRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference rows that data migrations write (taxonomy, principles, the coordinators' group),
    written again once per run. With `--reuse-db` the migrations do not run again, and the previous run's
    transactional tests have emptied the tables: no test may depend on a migration's rows being there."""
    with django_db_blocker.unblock():
        from alliance.italy import seed_taxonomy
        from alliance.models import Province, Region, Theme
        from alliance.roles import ensure_coordinator_group
        from members.models import Principles

        first_principles = importlib.import_module("members.migrations.0003_first_principles")

        seed_taxonomy(theme_model=Theme, region_model=Region, province_model=Province)
        Principles.objects.get_or_create(
            version=1, defaults={"title": first_principles.TITLE, "body": first_principles.BODY}
        )
        ensure_coordinator_group()


@pytest.fixture
def taxonomy(db):
    """The seeded themes, regions and provinces, also after a transactional test emptied the tables."""
    from alliance.italy import seed_taxonomy
    from alliance.models import Province, Region, Theme

    seed_taxonomy(theme_model=Theme, region_model=Region, province_model=Province)


@pytest.fixture
def principles(db):
    """The published principles (version 1 comes from a data migration; a transactional test may have emptied it)."""
    from members.models import Principles

    return Principles.objects.get_or_create(
        version=1, defaults={"title": "I principi dell'alleanza", "body": "Generare, connettere, co-progettare."}
    )[0]


def pytest_addoption(parser):
    parser.addoption(
        "--fast",
        action="store_true",
        help="leave out the browser journeys and the transactional tests (threads, real workers): `make test-fast`",
    )


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--fast"):
        return
    kept, left_out = [], []
    for item in items:
        db = item.get_closest_marker("django_db")
        slow = item.get_closest_marker("browser") or (db is not None and db.kwargs.get("transaction"))
        slow = slow or "transactional_db" in getattr(item, "fixturenames", ())
        (left_out if slow else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
