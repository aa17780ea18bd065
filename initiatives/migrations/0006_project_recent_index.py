"""An index for the home page's projects under way (initiatives.home.recent_projects: the last
published first): its four are read from the index instead of sorting every published project
joined to its lead ally (15 ms → under 0.1 ms at 3,000 projects). PostgreSQL only, as
0005_project_public_order_index: SQLite cannot index `NULLS LAST`, and the demo's few projects
need no index.
"""

from django.db import migrations

CREATE = (
    'CREATE INDEX IF NOT EXISTS "project_recent" ON "initiatives_project" '
    '("published_at" DESC NULLS LAST, "id" DESC) WHERE "publication" = \'published\''
)
DROP = 'DROP INDEX IF EXISTS "project_recent"'


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0005_project_public_order_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
