from django.db import migrations


def sync_role_groups(apps, schema_editor):
    from participants.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Coordinators only read regions, diagnostic instruments and competences."""

    dependencies = [("participants", "0007_participant_created_by")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
