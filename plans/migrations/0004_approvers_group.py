"""The "Approvers" group: whoever is in it may approve, reject and release plan versions.

Operators grant the role by adding a user to the group (admin → Users), and
take it back the same way (docs/operations.md, "Roles").
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPROVERS = "Approvers"
# Approvers approve, and comment on what they approve (notes on plan versions and runs).
PERMISSIONS = (
    ("plans", "approve_planversion"),
    ("plans", "view_planversion"),
    ("runs", "view_run"),
)


def create_group(apps, schema_editor):
    # Permissions are made after migrations run; make those of this migration's
    # state now so the group can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=APPROVERS)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=APPROVERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_plan_lifecycle_and_baseline"),
        ("runs", "0006_run_lifecycle_tombstones_exported_runs"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
