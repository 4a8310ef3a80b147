"""Reads of the risk app: replication sets and what their replications say together."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, QuerySet

from plans.models import PlanVersion
from risk.models import ReplicationSet
from scpln.engine.risk import (
    KPI_NAMES,
    Difference,
    difference,
    histogram,
    miss_probability,
    summarise,
)


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


@dataclass
class SetComparison:
    """``other − base`` per KPI; paired by replication index when both sets share a seed
    (common random numbers), else Welch's unpaired interval (docs/engine.md)."""

    base: ReplicationSet
    other: ReplicationSet
    paired: bool
    means: dict[str, tuple[float, float]] = field(default_factory=dict)
    kpis: dict[str, Difference] = field(default_factory=dict)


def replication_set_compare(*, base: ReplicationSet, other: ReplicationSet) -> SetComparison:
    """Compare two sets' replications done so far (only indices both have, when paired)."""
    paired = base.seed == other.seed
    out = SetComparison(base=base, other=other, paired=paired)
    rows = {
        side: {r[0]: r[1:] for r in s.replications.values_list("index", *KPI_NAMES)}
        for side, s in (("base", base), ("other", other))
    }
    if paired:
        common = sorted(set(rows["base"]) & set(rows["other"]))
        left = np.array([rows["base"][i] for i in common], np.float64).reshape(-1, len(KPI_NAMES))
        right = np.array([rows["other"][i] for i in common], np.float64).reshape(-1, len(KPI_NAMES))
    else:
        left = np.array(list(rows["base"].values()), np.float64).reshape(-1, len(KPI_NAMES))
        right = np.array(list(rows["other"].values()), np.float64).reshape(-1, len(KPI_NAMES))
    if len(left) == 0 or len(right) == 0:
        return out
    for k, name in enumerate(KPI_NAMES):
        out.means[name] = (float(left[:, k].mean()), float(right[:, k].mean()))
        out.kpis[name] = difference(left[:, k], right[:, k], paired=paired)
    return out


def verdict(d: Difference) -> str:
    """``higher``/``lower`` when the 95 % interval of other − base excludes 0, else
    ``undecided``."""
    if d.ci_low is not None and d.ci_low > 0:
        return "higher"
    if d.ci_high is not None and d.ci_high < 0:
        return "lower"
    return "undecided"
