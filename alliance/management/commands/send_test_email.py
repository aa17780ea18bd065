"""Sends a test e-mail through the outbox: checks the SMTP set-up of a new installation."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from alliance.emails import queue_email


class Command(BaseCommand):
    help = "Queues a test e-mail to ADDRESS through the outbox and the Celery worker."

    def add_arguments(self, parser):
        parser.add_argument("address")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, choices=[c for c, _n in settings.LANGUAGES])

    def handle(self, *args, address, language, **options):
        try:
            validate_email(address)
        except ValidationError as exc:
            raise CommandError(f"Not an e-mail address: {address}") from exc
        with transaction.atomic():
            email = queue_email(to=address, template="test_message", context={"name": address}, language=language)
        self.stdout.write(f"Queued outgoing e-mail #{email.pk} to {address}; the worker sends it.")
