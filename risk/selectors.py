"""Reads of the risk app: replication sets and what their replications say together."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

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


# Which way is better for each KPI: more service and profit, less stock held.
HIGHER_IS_BETTER = {
    "fill_rate": True,
    "cycle_service_level": True,
    "avg_on_hand": False,
    "profit_total": True,
}


def better_side(name: str, d: Difference) -> str | None:
    """``"other"``/``"base"``: that set is better on the KPI at 95 % confidence; None: no
    significant difference (the interval contains 0)."""
    direction = verdict(d)
    if direction == "undecided":
        return None
    return "other" if (direction == "higher") == HIGHER_IS_BETTER[name] else "base"


def replication_set_compare_body(*, base_id: int, other_id: int) -> dict[str, Any]:
    """The comparison of two sets as the APIs answer it (``/replications/compare`` and
    ``/runs/compare?sets=A,B``): per KPI both means, other − base with its 95 % interval,
    which set is better and a plain statement. ``method`` says which interval was used:
    ``paired`` (same seed: common random numbers) or ``welch``. Unknown ids are refused
    naming ``base`` / ``other``."""
    sets = {}
    for side, pk in (("base", base_id), ("other", other_id)):
        found = ReplicationSet.objects.filter(pk=pk).first()
        if found is None:
            raise ValidationError({side: _("No replication set %(id)s.") % {"id": pk}})
        sets[side] = found
    comparison = replication_set_compare(base=sets["base"], other=sets["other"])
    kpis = {}
    for name, d in comparison.kpis.items():
        better = better_side(name, d)
        if better is None:
            statement = _("No significant difference at 95 %.")
        else:
            statement = _("Set #%(id)s is better at 95 %%.") % {"id": sets[better].pk}
        kpis[name] = {
            "base_mean": comparison.means[name][0],
            "other_mean": comparison.means[name][1],
            **d.as_dict(),
            "verdict": verdict(d),
            "better": better,
            "statement": statement,
        }
    return {
        "base_id": base_id,
        "other_id": other_id,
        "paired": comparison.paired,
        "method": "paired" if comparison.paired else "welch",
        "kpis": kpis,
    }
