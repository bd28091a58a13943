"""A trigram index over the normalised ФИО (participants.search): «содержит слово» searches —
name_key LIKE '%word%' — read the index instead of every row, which at 500 000 people took seconds.
PostgreSQL only (pg_trgm is a trusted extension since 13: the database owner may create it);
SQLite, the demo database, keeps the plain scan."""

from django.db import migrations

INDEX = "participant_name_key_trgm"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON participants_participant USING gin (name_key gin_trgm_ops)"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("participants", "0013_programme_document_frame")]

    operations = [migrations.RunPython(add, remove)]
