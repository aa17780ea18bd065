"""Settings: production passes `check --deploy`, refuses to start without its secrets, sends a strict CSP."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "alliance.settings.production",
    "DJANGO_SECRET_KEY": "k3y-for-the-deploy-check-" + "x7Qp9Lm2Vz8Rt4Wn6Bc1Hd5Jf3Gs0Ka" * 2,
    "DJANGO_ALLOWED_HOSTS": "alleanza.example.org",
    "DATABASE_URL": "sqlite:////tmp/alleanza-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/15",  # named, never reached by these commands
    "PATH": os.environ.get("PATH", ""),
}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_refuses_to_start_without_redis():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "REDIS_URL"}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "Set the REDIS_URL environment variable" in result.stderr


SHOW_SETTINGS = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"


def test_manage_py_without_a_settings_module_runs_production():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SETTINGS_MODULE"}

    result = manage("shell", "--no-imports", "-c", SHOW_SETTINGS, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "alliance.settings.production False"


def test_manage_py_in_a_checkout_with_no_environment_runs_the_local_settings():
    """No module and no production secret: a developer's checkout, where makemigrations must work."""
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": "sqlite:////tmp/alleanza-checkout.sqlite3"}

    shown = manage("shell", "--no-imports", "-c", SHOW_SETTINGS, env=env)
    migrations = manage("makemigrations", "--check", "--dry-run", env=env)

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "alliance.settings.local True"
    assert migrations.returncode == 0, migrations.stderr
    assert "No changes detected" in migrations.stdout


def test_the_celery_app_without_a_settings_module_runs_production():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SETTINGS_MODULE"}

    result = subprocess.run(
        [sys.executable, "-c", "import alliance.celery; " + SHOW_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "alliance.settings.production False"


def test_every_process_of_the_procfile_runs_production_unless_told_otherwise():
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]

    assert [line.split(":", 1)[0] for line in lines] == ["web", "worker", "beat", "release"]
    assert all(
        "DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-alliance.settings.production}" in line for line in lines
    )


def test_the_demo_script_names_the_local_settings():
    assert (
        "DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-alliance.settings.local}"
        in (ROOT / "bin" / "run-demo").read_text()
    )


def test_locale_and_time_zone():
    assert (settings.TIME_ZONE, settings.LANGUAGE_CODE) == ("Europe/Rome", "it")
    assert [code for code, _name in settings.LANGUAGES] == ["it", "en"]


@pytest.mark.django_db
def test_every_page_sends_a_strict_content_security_policy(client):
    response = client.get(reverse("alliance:home"))

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "http" not in response["Content-Security-Policy"]


def test_production_caches_compiled_templates_and_does_not_jit_compile_queries():
    """Issue 13: templates are compiled once per process (the cached loader, Django's default without
    DEBUG); PostgreSQL does not JIT-compile a page's queries (1.6 s each at 10,000 allies)."""
    code = (
        "import django; django.setup(); from django.template import engines; from django.conf import settings; "
        "print([type(l).__name__ for l in engines['django'].engine.template_loaders]); "
        "print(settings.DATABASES['default']['OPTIONS'].get('options'))"
    )
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/alleanza"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["['Loader']", "-c jit=off"]
    assert (
        "cached"
        in subprocess.run(
            [sys.executable, "-c", code.replace("type(l).__name__", "type(l).__module__")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    )


def test_the_web_process_freezes_what_it_loaded_at_start():
    """Issue 13: gunicorn's application (alliance.wsgi) loads the URLconf and freezes what is loaded, so
    that the garbage collector's full collections do not walk Django and the views; it collects between
    requests (alliance/collector.py), automatically only past a threshold no page reaches."""
    code = (
        "import gc; before = gc.get_freeze_count(); import alliance.wsgi, sys; "
        "from django.core.signals import request_finished, request_started; "
        "print(before, gc.get_freeze_count(), 'events.views.public' in sys.modules, gc.get_threshold()[0], "
        "request_started.disconnect(dispatch_uid='alliance.collector.begins') "
        "and request_finished.disconnect(dispatch_uid='alliance.collector.ends'))"
    )
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/alleanza"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    before, frozen, views_loaded, threshold, collects = result.stdout.split()
    assert (int(before), views_loaded) == (0, "True")
    assert int(frozen) > 10000
    assert (int(threshold), collects) == (20000, "True")
