"""Settings shared by every environment, read from the environment.

`local` (the demo), `test` and `production` only change what differs; see
README.md for the variables.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The network the portal serves: shown in the header, the e-mails and the titles.
SITE_NAME = env("ALLEANZA_SITE_NAME", default="Alleanza per la Generatività Sociale")
SITE_CONTACT_EMAIL = env("ALLEANZA_CONTACT_EMAIL", default="info@alleanza.example.org")
# Where the portal is reached: the links in e-mails sent outside a request start with it.
SITE_URL = env("ALLEANZA_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_filters",
    "csp",
    "alliance",
    "members",
    "initiatives",
    "events",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte in the path or the query string answers 400 before anything reads them.
    "alliance.middleware.RejectNulBytesMiddleware",
    # The e-mails a request queues leave together at its end, one task per batch.
    "alliance.middleware.OutboxBatchMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "alliance.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store for every response to a signed-in person and every personal page.
    "alliance.middleware.PrivateResponseMiddleware",
    # Renews a session in use every few minutes: the idle timeout (after SessionMiddleware).
    "alliance.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "alliance.urls"
WSGI_APPLICATION = "alliance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alliance.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'alleanza.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs the web server and a Celery worker on one SQLite file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Bursts of registrations: readers never wait for the writer (WAL), and every transaction
    # takes the write lock when it begins, so concurrent writers queue instead of failing with
    # "database is locked" half-way (SQLite has no SELECT ... FOR UPDATE).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays off for long reports, never for a page's queries. At 10,000 allies
    # the lists' search (a few ms of execution) was compiled for 1.6 s because its estimated cost
    # passed jit_above_cost (bench/RESULTS.md).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(filter(None, [_options.get("options", ""), "-c jit=off"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # At least 12 characters (OWASP ASVS level 2).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "alliance:home"

# django-allauth: e-mail is the login, verification is mandatory, rate limits on
# (allauth's defaults, kept in the cache).
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="https")
# The client address seen by allauth's rate limits and by `alliance.ratelimit`. Behind N
# reverse proxies that each append to X-Forwarded-For, set ALLAUTH_TRUSTED_PROXY_COUNT=N
# (1 for the nginx of the README); or name a header the proxy sets and the client cannot
# (ALLAUTH_TRUSTED_CLIENT_IP_HEADER=X-Real-IP). Without either, REMOTE_ADDR: never trust
# X-Forwarded-For when nothing in front of the portal overwrites it.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default=None)

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = "alliance.formats"
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap Italia from npm (see package.json), served by whitenoise with its fonts.
    ("vendor/bootstrap-italia", BASE_DIR / "node_modules" / "bootstrap-italia" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Whether the portal serves /media/ itself (alliance.media.serve_media, with sandboxing headers);
# in production the proxy normally does, with the same headers (see alliance/media.py).
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=DEBUG)
# Personal documents (answers to an event's questions): outside MEDIA_ROOT, never served by the proxy,
# only through views that check who asks (alliance.media.private_storage).
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files larger than this stay on disk while a request is parsed.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Redis, when configured, is the Celery broker and the cache. Without it the
# cache lives in memory and Celery uses a broker kept in files under var/ (see
# README.md): the demo needs no server.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Fails open when Redis is away (alliance/cache.py): no request fails because of the cache.
    CACHES = {
        "default": {
            "BACKEND": "alliance.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # Publishing gives up fast: the outbox's beat task dispatches what could not be published.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = BASE_DIR / "var" / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
# Workers keep reconnecting to a broker that went away.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Retention periods in days (alliance/retention.py; shown on the privacy page).
RETENTION_ACCESSIBILITY_DAYS = env.int("RETENTION_ACCESSIBILITY_DAYS", default=30)
RETENTION_UNCONFIRMED_GUEST_DAYS = env.int("RETENTION_UNCONFIRMED_GUEST_DAYS", default=7)
RETENTION_EMAIL_BODY_DAYS = env.int("RETENTION_EMAIL_BODY_DAYS", default=180)
RETENTION_DECLINED_APPLICATION_DAYS = env.int("RETENTION_DECLINED_APPLICATION_DAYS", default=365)
RETENTION_LOG_ANONYMIZE_DAYS = env.int("RETENTION_LOG_ANONYMIZE_DAYS", default=1095)

CELERY_BEAT_SCHEDULE = {
    # Picks up outbox rows whose task was lost (broker down at commit time,
    # worker killed): nothing the portal meant to send is forgotten.
    "requeue-stalled-emails": {
        "task": "alliance.requeue_stalled_emails",
        "schedule": 30.0,
    },
    # Event reminders are rows with a due time; this picks up the due ones.
    "send-event-reminders": {
        "task": "events.send_due_reminders",
        "schedule": 60.0,
    },
    # Personal data kept only as long as it serves (alliance/retention.py), every night at 3.
    "apply-retention": {
        "task": "alliance.apply_retention",
        "schedule": crontab(hour=3, minute=17),
    },
    # The open-data downloads (api/opendata.py) written anew every night.
    "publish-open-data": {
        "task": "alliance.publish_open_data",
        "schedule": crontab(hour=2, minute=41),
    },
}

# Outgoing mail. EMAIL_URL selects the backend (smtp://user:pass@host:587/?tls=True);
# without it e-mails are printed on the console.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@alleanza.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The outbox (alliance/services.py explains the guarantees). A temporary failure (4xx, network,
# credentials, database) is retried with back-off from OUTBOX_RETRY_BASE_SECONDS doubling up to
# OUTBOX_RETRY_MAX_DELAY_SECONDS, for OUTBOX_RETRY_HOURS after the message was queued.
OUTBOX_RETRY_HOURS = env.float("OUTBOX_RETRY_HOURS", default=48)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_DELAY_SECONDS = env.int("OUTBOX_RETRY_MAX_DELAY_SECONDS", default=1800)
# A pending row whose task has not claimed it after this many seconds is dispatched again.
OUTBOX_LOST_AFTER = env.int("OUTBOX_LOST_AFTER", default=60)
# A row claimed ("sending") longer than this belongs to a dead worker and is reconciled;
# it must exceed the longest SMTP conversation (several EMAIL_TIMEOUTs).
OUTBOX_SENDING_TIMEOUT = max(env.int("OUTBOX_SENDING_TIMEOUT", default=120), EMAIL_TIMEOUT * 3 + 15)
# A row whose worker died after handing the message over: send again with the same Message-ID
# (True) or mark it failed for a person to decide (False).
OUTBOX_RESEND_UNCERTAIN = env.bool("OUTBOX_RESEND_UNCERTAIN", default=True)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
OUTBOX_TASK_BUDGET_SECONDS = env.int("OUTBOX_TASK_BUDGET_SECONDS", default=240)
OUTBOX_DB_RETRY_SECONDS = env.int("OUTBOX_DB_RETRY_SECONDS", default=30)

# Messages live in a signed cookie: reading a page never opens a session.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
SESSION_COOKIE_HTTPONLY = True
# Idle timeout: a session ends after SESSION_IDLE_HOURS without a request. A session in use is
# saved again (and its cookie renewed) once it is SESSION_REFRESH_SECONDS old, not on every
# request (alliance/sessions.py); an anonymous reader's empty session is never saved nor sent.
SESSION_ENGINE = "alliance.sessions"
SESSION_COOKIE_AGE = int(env.float("SESSION_IDLE_HOURS", default=8) * 3600)
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=300)
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp 4): only the portal itself, no inline
# script or style, no third party.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}


# Open data (api/opendata.py): the licence of the downloads, and where the nightly task
# (alliance.publish_open_data) writes them.
OPEN_DATA_LICENSE = env("OPEN_DATA_LICENSE", default="CC BY 4.0")
OPEN_DATA_LICENSE_URL = env("OPEN_DATA_LICENSE_URL", default="https://creativecommons.org/licenses/by/4.0/")
OPEN_DATA_ROOT = env.path("OPEN_DATA_ROOT", default=BASE_DIR / "var" / "open-data")

# Whole-page cache of the public pages for anonymous readers (alliance/pagecache.py).
# The cache must be shared by every process: on by default with Redis.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=bool(REDIS_URL))
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=120)
PAGE_CACHE_VIEWS = {
    "alliance:home",
    "alliance:search",
    "alliance:privacy",
    "alliance:contacts",
    "members:ally_list",
    "members:ally_detail",
    "events:event_list",
    "events:event_detail",
    "events:event_ics",
    "events:feed",
    "initiatives:project_list",
    "initiatives:project_regions",
    "initiatives:project_detail",
    "initiatives:pathway_list",
    "initiatives:pathway_detail",
    "sitemap",
    "sitemap_section",
    "robots_txt",
    "api:open_data",
    "api:open_data_file",
    "api:events_feed",
    "api:projects_feed",
    "api:events_calendar",
    "api:docs",
    "api:network",
    "api:network_gexf",
    # The JSON API is anonymous and renders JSON only: a hit is also cheaper than its rate limit.
    "api_v1:ally_list",
    "api_v1:ally_detail",
    "api_v1:project_list",
    "api_v1:project_detail",
    "api_v1:event_list",
    "api_v1:event_detail",
    "api_v1:pathway_list",
    "api_v1:pathway_detail",
    "api_v1:schema",
}
