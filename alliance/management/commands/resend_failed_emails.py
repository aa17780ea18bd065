"""Queues failed outbox rows again (after an SMTP outage or a rotated password, once fixed)."""

from django.core.management.base import BaseCommand, CommandError

from alliance.models import OutgoingEmail
from alliance.services import resend_emails


class Command(BaseCommand):
    help = "Sends failed outgoing e-mails again: the ids given, or --all of them (--since DAYS to limit)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int)
        parser.add_argument("--all", action="store_true", help="Every failed e-mail.")
        parser.add_argument("--since", type=int, metavar="DAYS", help="Only those queued in the last DAYS days.")
        parser.add_argument("--dry-run", action="store_true", help="Only list what would be sent again.")

    def handle(self, *args, ids, all, since, dry_run, **options):
        if not ids and not all:
            raise CommandError("Name the e-mails to send again, or use --all.")
        failed = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).order_by("pk")
        if ids:
            failed = failed.filter(pk__in=ids)
        if since is not None:
            from datetime import timedelta

            from django.utils import timezone

            failed = failed.filter(created_at__gte=timezone.now() - timedelta(days=since))
        rows = list(failed.values_list("pk", "to", "subject", "last_error"))
        for pk, to, subject, error in rows:
            self.stdout.write(f"#{pk} {to} “{subject}”: {error[:120]}")
        if dry_run:
            self.stdout.write(f"{len(rows)} failed e-mail(s) would be sent again.")
            return
        count = resend_emails(email_ids=[pk for pk, *_rest in rows])
        self.stdout.write(f"{count} failed e-mail(s) queued again.")
