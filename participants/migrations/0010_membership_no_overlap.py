"""At most one membership in force per person and programme on any day, enforced by PostgreSQL
itself (Membership.clean says the same in Russian before saving): concurrent writers that both passed
validation cannot both commit. An exclusion constraint over the date range [included_on, left_on)
— left_on is the first day out, an open membership has no upper bound. It needs the btree_gist
extension (for «=» on the ids inside a GiST index). SQLite, the demo database, serialises writers."""

from django.db import migrations

CONSTRAINT = "membership_no_overlap"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE participants_membership ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(participant_id WITH =, programme_id WITH =, daterange(included_on, left_on, '[)') WITH &&)"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE participants_membership DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("participants", "0009_renormalise_names")]

    operations = [migrations.RunPython(add, remove)]
