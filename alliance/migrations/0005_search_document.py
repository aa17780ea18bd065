import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

# PostgreSQL only: trigram GIN indexes serve `terms LIKE '% word %'` (the search) and the
# typo-tolerant similarity on names. SQLite scans its small demo table instead.
POSTGRES_INDEXES = [
    "CREATE INDEX IF NOT EXISTS searchdoc_terms_trgm ON alliance_searchdocument USING gin (terms gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS searchdoc_title_trgm ON alliance_searchdocument USING gin (title_norm gin_trgm_ops)",
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_INDEXES:
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchdoc_terms_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS searchdoc_title_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0004_log_entry"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("object_id", models.PositiveBigIntegerField(verbose_name="object")),
                ("source", models.CharField(db_index=True, max_length=80, verbose_name="source")),
                ("kind", models.CharField(max_length=20, verbose_name="kind")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("subtitle", models.CharField(blank=True, max_length=300, verbose_name="subtitle")),
                ("text", models.TextField(blank=True, verbose_name="text")),
                ("url_name", models.CharField(max_length=80, verbose_name="page")),
                ("url_kwargs", models.JSONField(blank=True, default=dict, verbose_name="page arguments")),
                ("url_suffix", models.CharField(blank=True, max_length=300, verbose_name="anchor or query")),
                ("regions", models.CharField(blank=True, max_length=500, verbose_name="regions")),
                ("title_terms", models.TextField(blank=True, verbose_name="title terms")),
                ("title_norm", models.CharField(blank=True, max_length=300, verbose_name="normalized title")),
                ("terms", models.TextField(blank=True, verbose_name="terms")),
                ("is_public", models.BooleanField(default=True, verbose_name="public")),
                ("date", models.DateTimeField(blank=True, null=True, verbose_name="date")),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="kind of object",
                    ),
                ),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
                "ordering": ["kind", "title"],
                "indexes": [models.Index(fields=["is_public", "kind"], name="searchdoc_public_kind_idx")],
            },
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
