"""The summary table of reports/aggregates.py, created by SQL and not as a model: it is derived
from the memberships, so it is not one of the bank's tables (the Excel backup neither writes nor
expects it) and it has no row ids of its own. PostgreSQL only; SQLite computes from the records."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from reports import aggregates

        schema_editor.execute(aggregates.CREATE_TABLE_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS reports_inforcechange")


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0014_name_trigram_index"),
        ("reports", "0001_narrative_and_versions"),
    ]

    operations = [migrations.RunPython(create, drop)]
