"""Triggers keeping reports_inforcechange in step (a migration of its own: the table's unique
constraint is created at the end of the migration that creates the table)."""

from django.db import migrations


def install(apps, schema_editor):
    """Triggers that keep the summary in step, then the summary of the records already there.
    SQLite has neither: the справка computes from the raw records there."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import aggregates

    schema_editor.execute(aggregates.trigger_sql())
    aggregates.rebuild()


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from reports import aggregates

        schema_editor.execute(aggregates.DROP_TRIGGERS_SQL)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_inforce_summary")]

    operations = [migrations.RunPython(install, uninstall)]
