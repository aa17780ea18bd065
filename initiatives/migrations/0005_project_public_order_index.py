"""An index for the public projects list's order (initiatives.filters.ProjectFilterSet: newest start
first, those without a start last, then title): its first page is read from the index instead of
sorting every published project (84 ms → 8 ms at 3,000 projects, bench/RESULTS.md).

PostgreSQL only: SQLite cannot index `NULLS LAST`, and the demo's few projects need no index.
"""

from django.db import migrations

CREATE = (
    'CREATE INDEX IF NOT EXISTS "project_public_order" ON "initiatives_project" '
    '("start_date" DESC NULLS LAST, "title", "id") WHERE "publication" = \'published\''
)
DROP = 'DROP INDEX IF EXISTS "project_public_order"'


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0004_workflow_fields_and_sane_dates"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
