import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from alliance.wsgi import application  # noqa: E402,F401 - the portal's, with its frozen start-up objects
