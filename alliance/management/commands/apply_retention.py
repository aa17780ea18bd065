"""Remove or blank the personal data older than its retention period (alliance/retention.py).

python manage.py apply_retention [--dry-run]
"""

from django.core.management.base import BaseCommand

from alliance import retention


class Command(BaseCommand):
    help = "Apply the retention periods to personal data; --dry-run only counts."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be removed, change nothing")

    def handle(self, *args, dry_run=False, **options):
        for outcome in retention.apply(dry_run=dry_run):
            verb = "would touch" if dry_run else "touched"
            self.stdout.write(f"{outcome.rule}: {verb} {outcome.count}")
