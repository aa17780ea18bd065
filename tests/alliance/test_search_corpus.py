"""The same corpus gives the same answers on PostgreSQL (here) and on SQLite (the demo's engine,
in a separate process): accents, plurals and singulars, places, sessions, speakers; drafts and
private fields never found."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.alliance import search_corpus

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_corpus_on_postgresql(taxonomy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        search_corpus.build_corpus()
    assert search_corpus.answers() == search_corpus.expected()


def test_corpus_on_sqlite(tmp_path):
    """A fresh SQLite database, migrated (the taxonomy comes from a data migration), then the corpus."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alliance.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'search.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    python = sys.executable
    migrate = subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    run = subprocess.run(
        [python, "manage.py", "shell", "-c", "from tests.alliance.search_corpus import main; main()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    line = next(line for line in run.stdout.splitlines() if line.startswith("ANSWERS "))
    assert json.loads(line.removeprefix("ANSWERS ")) == search_corpus.expected()
