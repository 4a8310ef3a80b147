"""The scenarios' background jobs (jobs/registry.py): large config imports and diffs.

A diff is about its "from" config, the job's subject (``config_version_id`` in
the jobs API); an import has no subject (its config does not exist yet) and
links to the config it made once it has. scenarios/uploads.py explains why
these run as jobs.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jobs.models import Job
from jobs.registry import job_type, subject_kind
from scenarios.models import ConfigVersion
from scenarios.uploads import CONFIG_DIFF, CONFIG_IMPORT, config_diff_job, config_import_job

subject_kind(
    ConfigVersion,
    key="config_version",
    label=_("Config version"),
    api_url_name="scenarios-api:config-detail",
)


def _imported_config(job: Job) -> list[tuple[str, str]]:
    config_id = (job.result or {}).get("config_version_id")
    if not config_id:
        return []
    return [
        (
            gettext("Config version #%(id)s") % {"id": config_id},
            reverse("scenarios:config-detail", args=[config_id]),
        )
    ]


def _diff_page(job: Job) -> list[tuple[str, str]]:
    if job.status != Job.Status.SUCCEEDED or not job.subject_id:
        return []
    query = urlencode({"from": job.subject_id, "to": job.params.get("to", "")})
    return [(gettext("Show the diff"), f"{reverse('scenarios:config-diff')}?{query}")]


job_type(CONFIG_IMPORT, label=_("Config import"), result_links=_imported_config)(config_import_job)
job_type(CONFIG_DIFF, label=_("Config diff"), subject=ConfigVersion, result_links=_diff_page)(
    config_diff_job
)
