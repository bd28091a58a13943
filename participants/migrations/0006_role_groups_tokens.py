from django.db import migrations


def sync_role_groups(apps, schema_editor):
    from participants.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Coordinators issue and revoke API tokens."""

    dependencies = [
        ("participants", "0005_role_groups"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
