"""The risk app's background jobs (jobs/registry.py): replication sets and their chunks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jobs.registry import job_type, subject_kind
from plans.models import PlanVersion
from risk.models import ReplicationSet
from risk.services.execution import (
    CHUNK,
    REPLICATIONS,
    replication_chunk_run,
    replication_set_run,
)
from risk.services.optimisation import LEVEL_OPTIMISATION, level_optimisation_run
from scenarios.models import Scenario

subject_kind(ReplicationSet, key="replication_set", label=_("Replication set"))
subject_kind(
    Scenario, key="scenario", label=_("Scenario"), api_url_name="scenarios-api:scenario-detail"
)
job_type(REPLICATIONS, label=_("Replications"), subject=PlanVersion)(replication_set_run)
job_type(CHUNK, label=_("Replication chunk"), subject=ReplicationSet)(replication_chunk_run)
job_type(LEVEL_OPTIMISATION, label=_("Stock-level optimisation"), subject=Scenario)(
    level_optimisation_run
)
