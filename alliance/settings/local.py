"""The demo and local development: SQLite, console e-mail, DEBUG on."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SECRET_KEY", "demo-only-not-secret-alleanza")
os.environ.setdefault("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")

from .base import *  # noqa: E402,F403

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# whitenoise serves from the finders here; it only wants the folder to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# One web process (runserver): the in-memory cache is shared by every request.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)  # noqa: F405
# SQLite cannot make the reminder rows' unique constraint with NULLS NOT DISTINCT: on the demo,
# reminders are planned with update_or_create inside immediate (serialized) transactions instead.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
