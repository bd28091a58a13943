from django.db import migrations


def sync_role_groups(apps, schema_editor):
    from participants.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Coordinators issue and revoke API tokens. (It depended on DRF's authtoken app, whose tokens
    it gave coordinators; that app is gone and accounts 0002 gives them accounts.ApiToken instead.)"""

    dependencies = [("participants", "0005_role_groups")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
