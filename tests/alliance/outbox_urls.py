"""The portal's URLs plus the failed e-mails page, until alliance/urls.py names it."""

from django.urls import path

from alliance.outbox_views import failed_emails
from alliance.urls import urlpatterns as portal_urlpatterns

urlpatterns = [path("coordination/e-mails/", failed_emails, name="test_failed_emails"), *portal_urlpatterns]
