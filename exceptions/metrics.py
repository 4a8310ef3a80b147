"""The exceptions' Prometheus series (see core/metrics.py for how they are scraped)."""

from __future__ import annotations

from prometheus_client import Counter

from scpln.engine.exceptions import KINDS

exceptions_total = Counter(
    "exceptions_total",
    "Exceptions recorded with plan versions and runs, by kind.",
    ["kind"],
)

# Every series exists (at 0) from the start: alerts and rate() need the zero.
for _kind in KINDS:
    exceptions_total.labels(kind=_kind)
