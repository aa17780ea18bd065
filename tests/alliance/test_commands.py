"""The commands a new installation runs: send_test_email delivers through a real SMTP server; the
demo loader fills a SQLite database whose search answers."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from alliance.models import OutgoingEmail

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "A test message for you@example.org"),
        ("it", "Un messaggio di prova per you@example.org"),
    ],
)
def test_send_test_email_reaches_the_smtp_server(smtp_server, django_capture_on_commit_callbacks, language, subject):
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_test_email", "you@example.org", "--language", language, stdout=out)

    email = OutgoingEmail.objects.get()
    assert out.getvalue().strip() == f"Queued outgoing e-mail #{email.pk} to you@example.org; the worker sends it."
    assert email.status == OutgoingEmail.Status.SENT
    [message] = smtp_server.parsed()
    assert (message["To"], message["Subject"], message["Content-Language"]) == ("you@example.org", subject, language)
    assert smtp_server.messages[0].rcpt_tos == ["you@example.org"]


@pytest.mark.django_db
def test_send_test_email_refuses_what_is_not_an_address(smtp_server):
    with pytest.raises(CommandError, match="Not an e-mail address: nobody"):
        call_command("send_test_email", "nobody")

    assert OutgoingEmail.objects.count() == 0
    assert smtp_server.messages == []


SEARCH = """
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
for path in ("/cerca/?q=cooperiamo", "/en/search/?q=verona", "/cerca/?q=generativita"):
    response = client.get(path)
    print(path, response.status_code, response.content.decode().count('class="search-hit '))
"""


def test_the_demo_loader_fills_a_sqlite_database_that_the_search_answers(tmp_path):
    """What `make demo` runs (migrate, load_demo) on SQLite, then the site search over it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alliance.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )

    assert manage("migrate", "--noinput", "-v0").returncode == 0
    loaded = manage("load_demo")
    again = manage("load_demo")
    searched = manage("shell", "--no-imports", "-c", SEARCH)

    assert loaded.returncode == 0, loaded.stderr
    assert "Demo content loaded." in loaded.stdout and "alleanza-demo" in loaded.stdout
    assert again.returncode == 0 and "0 added now" in again.stdout  # run again: what exists is reused
    assert searched.returncode == 0, searched.stderr
    hits = {line.split()[0]: (int(line.split()[1]), int(line.split()[2])) for line in searched.stdout.splitlines()}
    assert all(status == 200 and count >= 1 for status, count in hits.values()), hits
