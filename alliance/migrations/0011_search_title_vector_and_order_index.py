from django.db import migrations

import alliance.models

# PostgreSQL only (SQLite keeps LIKE on `terms` and `title_terms` and needs none of these).
FORWARDS = [
    "UPDATE alliance_searchdocument SET title_vector = title_terms::tsvector",
    # "Every word in the title" from an index: a kind whose best results are the few documents
    # with the word in their title finds them without reading every match.
    "CREATE INDEX IF NOT EXISTS searchdoc_title_vector_gin ON alliance_searchdocument "
    "USING gin (title_vector) WITH (fastupdate = off)",
    # The order of the results inside one run (title matches, or the others) of one kind: a
    # common word's best documents are the first few rows of this index that match.
    "CREATE INDEX IF NOT EXISTS searchdoc_public_order_idx ON alliance_searchdocument "
    "(kind, date DESC NULLS LAST, title, id) WHERE is_public",
    # Without a pending list every search reads only the index's tree: with one (the default,
    # up to 4 MB) each search also scanned every entry added since the last vacuum. A document
    # changes when its object is saved, rarely: the writes can afford updating the tree.
    "ALTER INDEX searchdoc_vector_gin SET (fastupdate = off)",
    "SELECT gin_clean_pending_list('searchdoc_vector_gin'::regclass)",
    "ANALYZE alliance_searchdocument",
]

BACKWARDS = [
    "DROP INDEX IF EXISTS searchdoc_title_vector_gin",
    "DROP INDEX IF EXISTS searchdoc_public_order_idx",
    "ALTER INDEX searchdoc_vector_gin RESET (fastupdate)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARDS:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("alliance", "0010_searchdoc_sitemap_idx")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="title_vector",
            field=alliance.models.TermsVectorField(blank=True, default="", verbose_name="title search vector"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
