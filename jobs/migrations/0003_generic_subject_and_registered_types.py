"""Jobs know no app: a generic subject replaces the plan-version foreign key, job
types come from the registry, and the archive record moves to the runs app."""

import django.db.models.deletion
from django.db import migrations, models

import jobs.registry


def plan_version_to_subject(apps, schema_editor):
    """Every job that pointed at a plan version now has it as its subject."""
    Job = apps.get_model("jobs", "Job")
    ContentType = apps.get_model("contenttypes", "ContentType")
    jobs = Job.objects.exclude(plan_version__isnull=True)
    if not jobs.exists():
        return
    plan_version_type, _ = ContentType.objects.get_or_create(app_label="plans", model="planversion")
    for job_id, plan_version_id in jobs.values_list("pk", "plan_version_id").iterator():
        Job.objects.filter(pk=job_id).update(
            subject_type=plan_version_type, subject_id=plan_version_id
        )


def subject_to_plan_version(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    for job in Job.objects.filter(subject_type__app_label="plans", subject_type__model="planversion"):
        Job.objects.filter(pk=job.pk).update(plan_version_id=job.subject_id)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("jobs", "0002_heartbeat_enqueue_archive"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="subject_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="subject id"),
        ),
        migrations.AddField(
            model_name="job",
            name="subject_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="subject type",
            ),
        ),
        migrations.RunPython(plan_version_to_subject, subject_to_plan_version),
        migrations.RemoveField(model_name="job", name="plan_version"),
        migrations.AlterField(
            model_name="job",
            name="type",
            field=models.CharField(
                choices=jobs.registry.job_type_choices, max_length=32, verbose_name="type"
            ),
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(
                fields=["subject_type", "subject_id", "-created_at"], name="job_subject_idx"
            ),
        ),
        # The archive record now belongs to runs (runs/migrations/0003): the
        # table stays, only the model's home changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ArchivedRun")],
        ),
    ]
