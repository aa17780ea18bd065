from django.db import migrations

import alliance.models


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("UPDATE alliance_searchdocument SET vector = terms::tsvector")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS searchdoc_vector_gin ON alliance_searchdocument USING gin (vector)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS searchdoc_terms_tsv")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchdoc_vector_gin")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS searchdoc_terms_tsv ON alliance_searchdocument "
            "USING gin (to_tsvector('simple'::regconfig, terms))"
        )


class Migration(migrations.Migration):
    dependencies = [("alliance", "0007_search_terms_tsvector")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="vector",
            field=alliance.models.TermsVectorField(blank=True, default="", verbose_name="search vector"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
