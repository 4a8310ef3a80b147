"""The plans' Prometheus metrics (see core/metrics.py for how they are scraped)."""

from __future__ import annotations

from prometheus_client import Counter

plans_created_total = Counter("plans_created_total", "Plans created (first versions).")
