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

subject_kind(ReplicationSet, key="replication_set", label=_("Replication set"))
job_type(REPLICATIONS, label=_("Replications"), subject=PlanVersion)(replication_set_run)
job_type(CHUNK, label=_("Replication chunk"), subject=ReplicationSet)(replication_chunk_run)
