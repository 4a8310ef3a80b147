"""What a set of replications says together: summaries, histograms, misses and bands.

Every function takes the per-replication values as arrays (one entry or row per
replication, in any order) and is a pure function of them, so aggregating a set as its
replications arrive, or all at once, gives the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
QUANTILES = {"p05": 0.05, "p50": 0.50, "p95": 0.95}
HISTOGRAM_BINS = 20


@dataclass(frozen=True)
class KpiSummary:
    """One KPI over ``n`` replications.

    ``sd`` is the sample standard deviation (n − 1); the confidence interval of the
    mean is ``mean ± t(0.975, n − 1) · sd / √n`` (None below two replications);
    quantiles interpolate linearly between order statistics (numpy's default).
    """

    n: int
    mean: float
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    quantiles: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Histogram:
    """Counts of replications per bin; bin ``i`` is ``[edges[i], edges[i+1])``, the last closed."""

    edges: list[float]
    counts: list[int]


@dataclass(frozen=True)
class QuantileBands:
    """Per period (week), the p05 / p50 / p95 of a series over the replications."""

    p05: list[float]
    p50: list[float]
    p95: list[float]


def summarise(values: np.ndarray, *, confidence: float = CONFIDENCE) -> KpiSummary:
    """Mean, sd, the two-sided ``confidence`` interval of the mean (Student t) and quantiles."""
    x = np.asarray(values, np.float64)
    n = len(x)
    if n == 0:
        raise ValueError("no replications to summarise")
    mean = float(x.mean())
    points = np.quantile(x, list(QUANTILES.values()))
    quantiles = {k: float(v) for k, v in zip(QUANTILES, points, strict=True)}
    if n < 2:
        return KpiSummary(n, mean, None, None, None, quantiles)
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return KpiSummary(n, mean, sd, mean - half, mean + half, quantiles)


@dataclass(frozen=True)
class Difference:
    """``other − base`` of one KPI over two sets of replications, with its 95 % interval.

    Paired (common random numbers: replication ``i`` of both sets drew the same demand):
    the interval of the mean of the ``n`` differences, ``mean ± t(0.975, n − 1)·sd/√n``.
    Unpaired: Welch's interval, ``Δ ± t(0.975, ν)·√(s²_b/n_b + s²_o/n_o)`` with the
    Welch–Satterthwaite degrees of freedom ν. ``ci_low > 0`` says "other is higher" at
    95 % confidence, ``ci_high < 0`` "other is lower"; otherwise the data cannot tell.
    """

    n: int
    paired: bool
    mean: float
    ci_low: float | None
    ci_high: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def difference(
    base: np.ndarray, other: np.ndarray, *, paired: bool, confidence: float = CONFIDENCE
) -> Difference:
    """The difference ``other − base`` of two sets' values (see :class:`Difference`)."""
    b, o = np.asarray(base, np.float64), np.asarray(other, np.float64)
    q = 0.5 + confidence / 2
    if paired:
        if len(b) != len(o):
            raise ValueError("paired differences need as many values on both sides")
        s = summarise(o - b, confidence=confidence)
        return Difference(s.n, True, s.mean, s.ci_low, s.ci_high)
    n = min(len(b), len(o))
    mean = float(o.mean() - b.mean())
    if len(b) < 2 or len(o) < 2:
        return Difference(n, False, mean, None, None)
    vb, vo = b.var(ddof=1) / len(b), o.var(ddof=1) / len(o)
    se = math.sqrt(vb + vo)
    if se == 0:
        return Difference(n, False, mean, mean, mean)
    dof = (vb + vo) ** 2 / (vb**2 / (len(b) - 1) + vo**2 / (len(o) - 1))
    half = float(stats.t.ppf(q, dof)) * se
    return Difference(n, False, mean, mean - half, mean + half)


def histogram(values: np.ndarray, *, bins: int = HISTOGRAM_BINS) -> Histogram:
    """Equal-width bins between the smallest and the largest value."""
    counts, edges = np.histogram(np.asarray(values, np.float64), bins=bins)
    return Histogram(edges=[float(e) for e in edges], counts=[int(c) for c in counts])


def miss_probability(service: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per column (store customer), the share of replications (rows) below its target."""
    service = np.asarray(service, np.float64)
    if service.ndim != 2 or service.shape[1] != len(targets):
        raise ValueError("service must be replications × customers, one target a customer")
    if len(service) == 0:
        return np.full(len(targets), np.nan)
    return (service < np.asarray(targets, np.float64)[None, :]).mean(axis=0)


def quantile_bands(series: np.ndarray) -> QuantileBands:
    """p05 / p50 / p95 per column of a replications × periods array."""
    x = np.asarray(series, np.float64)
    q = np.quantile(x, list(QUANTILES.values()), axis=0)
    return QuantileBands(*([float(v) for v in row] for row in q))
