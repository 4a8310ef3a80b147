"""The RunRegistry's background jobs: exporting runs and retention (jobs/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jobs.registry import OutputKind, job_type, register_output_kind
from runs.archive import EXPORT, RETENTION, export_job, retention_due, retention_job
from runs.models import Run, RunTombstone

# Runs point at the job that recorded them (Run.job): the job API lists them as run_ids.
register_output_kind(
    OutputKind(
        Run,
        key="run",
        label=_("Runs"),
        ordering=("-started_at",),
        api_list_url_name="runs-api:list",
    )
)
# ... and a run the job recorded that retention removed since still says so.
register_output_kind(
    OutputKind(
        RunTombstone,
        key="removed_run",
        label=_("Removed runs"),
        job_field="job_id",
        ordering=("-removed_at",),
    )
)

job_type(EXPORT, label=_("Run export"))(export_job)
job_type(RETENTION, label=_("Retention"), due=retention_due)(retention_job)
