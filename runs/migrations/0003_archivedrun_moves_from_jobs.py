"""The archive record (which runs were exported where) moves from jobs to runs.

The table is kept as it is (state only) and then renamed to this app's name,
so no archived-run row is copied or lost.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("runs", "0002_registry_kpis_and_stable_order"),
        ("jobs", "0003_generic_subject_and_registered_types"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ArchivedRun",
                    fields=[
                        (
                            "run_id",
                            models.UUIDField(
                                primary_key=True, serialize=False, verbose_name="run id"
                            ),
                        ),
                        ("path", models.CharField(max_length=500, verbose_name="archive folder")),
                        (
                            "archived_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="archived at"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "archived run",
                        "verbose_name_plural": "archived runs",
                        "ordering": ["-archived_at"],
                        "indexes": [
                            models.Index(fields=["-archived_at"], name="archived_run_at_idx")
                        ],
                        "db_table": "jobs_archivedrun",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="archivedrun", table=None),
    ]
