"""Risk: many stochastic runs of one network, and what they say together.

A *replication set* is ``n`` stochastic runs of the same network, replication ``i``
seeded from child ``i`` of one :class:`numpy.random.SeedSequence` (:func:`replication_seed`),
so a set is reproducible bit for bit however its replications are spread over processes.
:func:`run_replication` reduces one run to what a set keeps (headline KPIs, each customer
node-item's cycle service level, weekly network totals); :mod:`.summary` turns the kept
values into means, confidence intervals, quantiles, histograms, probabilities of missing
a target and quantile bands. ``docs/engine.md`` ("Replications") gives the formulas.
"""

from .replicate import KPI_NAMES, SERIES_NAMES, Replication, customer_targets, run_replication
from .seeds import replication_seed
from .summary import (
    Difference,
    Histogram,
    KpiSummary,
    QuantileBands,
    difference,
    histogram,
    miss_probability,
    quantile_bands,
    summarise,
)

__all__ = [
    "KPI_NAMES",
    "SERIES_NAMES",
    "Difference",
    "Histogram",
    "KpiSummary",
    "QuantileBands",
    "Replication",
    "customer_targets",
    "difference",
    "histogram",
    "miss_probability",
    "quantile_bands",
    "replication_seed",
    "run_replication",
    "summarise",
]
