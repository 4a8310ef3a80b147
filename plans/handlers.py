"""The plans' background jobs (jobs/registry.py): generating a plan version, aggregating a run.

Both are about a plan version, the job's subject; the API and the UI show it
as ``plan_version_id`` and link it to the plan page.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jobs.models import Job
from jobs.registry import job_type, subject_kind
from plans.models import PlanVersion
from plans.services.aggregation import AGGREGATE, plan_aggregation_run
from plans.services.generation import PLANNING, plan_version_generate
from plans.workbench.recalculation import workbench_recalculate_run
from plans.workbench.services import RECALCULATE

subject_kind(
    PlanVersion, key="plan_version", label=_("Plan version"), api_url_name="plans-api:detail"
)
job_type(PLANNING, label=_("Planning"), subject=PlanVersion)(plan_version_generate)


def _aggregate_download(job: Job) -> list[tuple[str, str]]:
    """The aggregated table of a finished aggregate job, as CSV."""
    name = (job.result or {}).get("artifact")
    if not name or not job.subject_id:
        return []
    url = reverse("plans-api:artifact", args=[job.subject_id, name]) + "?format=csv"
    return [(gettext("Download the table %(name)s (CSV)") % {"name": name}, url)]


job_type(AGGREGATE, label=_("Aggregate"), subject=PlanVersion, result_links=_aggregate_download)(
    plan_aggregation_run
)
job_type(RECALCULATE, label=_("Recalculate an edited plan"), subject=PlanVersion)(
    workbench_recalculate_run
)
