"""bench/settings.py with the static files exactly as in production: hashed names, gzip and Brotli
(whitenoise's CompressedManifestStaticFilesStorage), collected into the run's own folder."""

import os
from pathlib import Path

from bench.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405
STATIC_ROOT = Path(os.environ["LIGHTHOUSE_STATIC_ROOT"])
