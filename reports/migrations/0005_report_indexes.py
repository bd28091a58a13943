"""Indexes the справка's record-reading queries scan instead of the tables (PostgreSQL only; the
demo on SQLite is small). Measured at scale 1000 (reports.aggregates docstring, README «Performance»):
- the achievements of a period: date, person, level and id from the index alone (the heap scan
  touched 107 000 buffers for 40 000 rows);
- people without consent: a partial index, read whole as a hashed set of 40 000 ids;
- «was the person a member (a resident) during the period»: a B-tree probe answered from the index
  (the exclusion constraint's GiST index also fetched each membership from the table)."""

from django.db import migrations

INDEXES = {
    "achievement_period_list_idx": "participants_achievement (achieved_on) INCLUDE (participant_id, level, id)",
    "participant_no_consent_idx": "participants_participant (id) WHERE NOT consent",
    "membership_person_span_idx": (
        "participants_membership (participant_id, programme_id, included_on) INCLUDE (left_on, category)"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_diagnostic_summary")]

    operations = [migrations.RunPython(create, drop)]
