"""The diagnostic summaries of reports/aggregates.py (reports_diagnosticsum), created by SQL as the
summary of memberships is, with the triggers that keep them in step and the summary of the
diagnostics already there. PostgreSQL only; SQLite computes from the records."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import aggregates

    schema_editor.execute(aggregates.CREATE_DIAGNOSTIC_TABLE_SQL)
    schema_editor.execute(aggregates.diagnostic_trigger_sql())
    aggregates.rebuild_diagnostics()


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from reports import aggregates

        schema_editor.execute(aggregates.DROP_DIAGNOSTIC_TRIGGERS_SQL)
        schema_editor.execute(f"DROP TABLE IF EXISTS {aggregates.DIAGNOSTIC_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_inforce_triggers")]

    operations = [migrations.RunPython(install, uninstall)]
