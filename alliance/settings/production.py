"""Production: everything from the environment, secure by default.

`DJANGO_SECRET_KEY` and `DJANGO_ALLOWED_HOSTS` have no default: a missing one
stops the portal at start-up rather than at the first request.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REDIS_URL, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# Celery's broker and the shared cache: without Redis the base settings fall back to the filesystem
# broker and a per-process cache, which only the demo can live with. A settings module built on these
# (bench.settings on one machine) decides for itself.
if not REDIS_URL and os.environ.get("DJANGO_SETTINGS_MODULE") == "alliance.settings.production":
    raise ImproperlyConfigured(
        "Set the REDIS_URL environment variable (e.g. redis://127.0.0.1:6379/0): production needs Redis "
        "as Celery's broker and the shared cache."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
