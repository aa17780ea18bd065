"""Production settings on loopback, with the bare baseline view mounted."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

from alliance.settings.production import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# The page cache must be shared by gunicorn's workers: Redis when REDIS_URL is set,
# otherwise a folder of files that bench/run.py makes for the run.
if not REDIS_URL and os.environ.get("BENCH_CACHE_DIR"):  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ["BENCH_CACHE_DIR"],
        }
    }
PAGE_CACHE_ENABLED = os.environ.get("PAGE_CACHE_ENABLED", "false").lower() == "true"
# The benchmark is one client address sending thousands of requests: the API's limit per address
# would answer 429 and measure nothing.
API_RATE_LIMIT = "1000000/minute"
# The number of queries of each response, reported by bench/run.py (bench/middleware.py).
MIDDLEWARE = ["bench.middleware.CountQueries", *MIDDLEWARE]  # noqa: F405
