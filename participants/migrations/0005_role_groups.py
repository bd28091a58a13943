from django.db import migrations


def create_role_groups(apps, schema_editor):
    from participants.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0004_import_upload"),
        ("events", "0002_coverage_ordering"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
