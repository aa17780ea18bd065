import os

from celery import Celery

# Production unless told otherwise (as manage.py, wsgi.py and asgi.py): a worker started without
# DJANGO_SETTINGS_MODULE must not run with DEBUG on. bin/run-demo and the tests name their settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings.production")

app = Celery("alliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
