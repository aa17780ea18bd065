"""The test suite: PostgreSQL and Redis, as in production (see tests/conftest.py)."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alleanza")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")

from .base import *  # noqa: E402,F403

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not os.environ.get("EMAIL_URL"):
    # A test that starts a real worker process hands it EMAIL_URL (its local SMTP server).
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in the test's thread unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
# The cache gets its own Redis database, next to the broker's, so that the
# tests can empty it (allauth's rate limits live there) without touching queues.
_cache_url = urlsplit(REDIS_URL)._replace(path="/" + str(int(urlsplit(REDIS_URL).path.strip("/") or 0) + 1))  # noqa: F405
CACHES["default"]["LOCATION"] = urlunsplit(_cache_url)  # noqa: F405
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
OPEN_DATA_ROOT = BASE_DIR / "var" / "test-open-data"  # noqa: F405 - tests/api/conftest.py: one per test
LOGGING["loggers"] = {"mail.log": {"level": "WARNING"}}  # noqa: F405 - aiosmtpd's chatter

# whitenoise serves from the finders here; it only wants the folder to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# The page cache is tested on its own (tests/alliance/test_pagecache.py turns it on);
# PAGE_CACHE_ENABLED=true runs the whole suite through it.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=False)  # noqa: F405
