"""Rebuilds the site-wide search index from the content (after a bulk import, say)."""

from django.core.management.base import BaseCommand

from alliance import search


class Command(BaseCommand):
    help = "Rebuilds the search index: every ally, project, event (with sessions and speakers), pathway and place."

    def handle(self, *args, **options):
        total = 0
        for label in search.INDEXERS:
            count = search.reindex(label)
            total += count
            self.stdout.write(f"  {label}: {count} documents")
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {total} documents."))
