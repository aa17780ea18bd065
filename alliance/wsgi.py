import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings.production")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, the URLconf with the views it imports) lives as long as the
# process: frozen, it is out of the garbage collector's reach. The process then collects between
# requests, not during them (alliance/collector.py). Issue 13: the events API's p95 went from 142 to
# 63 ms in-process with the freeze.
get_resolver().url_patterns  # noqa: B018 - loads the views

from alliance import collector  # noqa: E402

collector.install()
