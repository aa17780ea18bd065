import django.db.models.deletion
from django.db import migrations, models

import alliance.models

# PostgreSQL only: SQLite leaves the table empty and searches its documents with LIKE.
FORWARDS = [
    "INSERT INTO alliance_searchwords (document_id, kind, is_public, object_id, vector, title_vector, regions) "
    "SELECT id, kind, is_public, object_id, vector, title_vector, regions FROM alliance_searchdocument",
    "CREATE INDEX IF NOT EXISTS searchwords_vector_gin ON alliance_searchwords "
    "USING gin (vector) WITH (fastupdate = off)",
    "ANALYZE alliance_searchwords",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("alliance", "0011_search_title_vector_and_order_index")]

    operations = [
        migrations.CreateModel(
            name="SearchWords",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="words",
                        serialize=False,
                        to="alliance.searchdocument",
                        verbose_name="document",
                    ),
                ),
                ("kind", models.CharField(max_length=20, verbose_name="kind")),
                ("is_public", models.BooleanField(default=True, verbose_name="public")),
                ("object_id", models.PositiveBigIntegerField(verbose_name="object")),
                ("vector", alliance.models.TermsVectorField(blank=True, default="", verbose_name="search vector")),
                (
                    "title_vector",
                    alliance.models.TermsVectorField(blank=True, default="", verbose_name="title search vector"),
                ),
                ("regions", models.CharField(blank=True, max_length=500, verbose_name="regions")),
            ],
            options={
                "verbose_name": "search words",
                "verbose_name_plural": "search words",
                "indexes": [
                    models.Index(
                        condition=models.Q(("is_public", True)),
                        fields=["kind", "object_id"],
                        name="searchwords_public_object_idx",
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
