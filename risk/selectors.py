"""Reads of the risk app: replication sets and what their replications say together."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, QuerySet

from plans.models import PlanVersion
from risk.models import ReplicationSet
from scpln.engine.risk import KPI_NAMES, histogram, miss_probability, summarise


def replication_set_list(*, plan_version: PlanVersion | str) -> QuerySet[ReplicationSet]:
    """A plan version's sets, newest first, with ``n_done`` and their job."""
    return (
        ReplicationSet.objects.filter(plan_version=plan_version)
        .select_related("job")
        .annotate(n_done=Count("replications"))
    )


def replication_set_get(*, plan_version_id: str, set_id: int) -> ReplicationSet:
    """One set of a plan version (``DoesNotExist`` when the pair does not match)."""
    return replication_set_list(plan_version=plan_version_id).get(pk=set_id)


@dataclass
class SetSummary:
    """What a set's replications so far say (docs/engine.md, "Replications")."""

    replication_set: ReplicationSet
    n_done: int
    status: str
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)
    histograms: dict[str, dict[str, list]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)
    bands: dict[str, Any] = field(default_factory=dict)


def replication_set_summary(*, replication_set: ReplicationSet) -> SetSummary:
    """Per KPI mean, sd, 95 % interval, quantiles and histogram; per store × item the
    probability of missing its target; weekly bands once the set is complete.

    Computed from the replications stored so far, so it is also the running summary of
    a set in progress (a pure function of the rows: the order they came in changes nothing).
    """
    rows = list(replication_set.replications.order_by("index").values_list(*KPI_NAMES, "service"))
    job = replication_set.job
    status = job.status if job is not None else "queued"
    out = SetSummary(replication_set=replication_set, n_done=len(rows), status=status)
    if not rows:
        return out
    values = np.array([row[: len(KPI_NAMES)] for row in rows], np.float64)
    for k, name in enumerate(KPI_NAMES):
        out.kpis[name] = summarise(values[:, k]).as_dict()
        h = histogram(values[:, k])
        out.histograms[name] = {"edges": h.edges, "counts": h.counts}
    targets = replication_set.targets
    if targets:
        service = np.stack([np.frombuffer(bytes(row[-1]), np.float64) for row in rows])
        goals = np.array([t[2] for t in targets], np.float64)
        probability = miss_probability(service, goals)
        out.misses = [
            {"node": node, "item": item, "target": target, "probability": float(p)}
            for (node, item, target), p in zip(targets, probability, strict=True)
        ]
    out.bands = replication_set.bands
    return out
