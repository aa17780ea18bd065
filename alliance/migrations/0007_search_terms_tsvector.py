from django.db import migrations

# PostgreSQL only. Its planner does not trust a trigram index for `terms LIKE '% word %'` and
# scans the table; the words of `terms` are single lexemes of the 'simple' configuration, so a
# GIN index on their tsvector answers the same question exactly and is used. SQLite keeps LIKE.
CREATE = "CREATE INDEX IF NOT EXISTS searchdoc_terms_tsv ON alliance_searchdocument USING gin (to_tsvector('simple'::regconfig, terms))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("DROP INDEX IF EXISTS searchdoc_terms_trgm")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchdoc_terms_tsv")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS searchdoc_terms_trgm ON alliance_searchdocument USING gin (terms gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("alliance", "0006_outbox_sending_state")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
