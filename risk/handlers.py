"""The risk app's background work (jobs/registry.py): replication sets, their chunks'
Celery task, and stock-level optimisations."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _

from jobs.registry import job_type, subject_kind
from plans.models import PlanVersion
from risk.services.execution import (
    CHUNK_TASK,
    REPLICATIONS,
    replication_chunk_run,
    replication_set_run,
)
from risk.services.optimisation import LEVEL_OPTIMISATION, level_optimisation_run
from scenarios.models import Scenario

subject_kind(
    Scenario, key="scenario", label=_("Scenario"), api_url_name="scenarios-api:scenario-detail"
)
job_type(REPLICATIONS, label=_("Replications"), subject=PlanVersion)(replication_set_run)
job_type(LEVEL_OPTIMISATION, label=_("Stock-level optimisation"), subject=Scenario)(
    level_optimisation_run
)


# Acknowledged late, requeued when its process is lost, no result kept: the project's
# Celery defaults (config/settings.py). A database briefly away: the chunk runs again.
@shared_task(name=CHUNK_TASK, autoretry_for=(OperationalError, InterfaceError), max_retries=5)
def run_replication_chunk(job_id: int, start: int, stop: int) -> None:
    """One chunk of a replication set's Celery group (risk/services/execution.py)."""
    replication_chunk_run(job_id=job_id, start=start, stop=stop)
