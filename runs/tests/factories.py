from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import factory
import numpy as np
import pandas as pd
import pyarrow as pa
from django.utils import timezone

from plans.tests.factories import PlanVersionFactory
from runs.models import Run


class RunFactory(factory.django.DjangoModelFactory[Run]):
    class Meta:
        model = Run

    plan_version = factory.SubFactory(PlanVersionFactory)
    scenario = factory.LazyAttribute(lambda o: o.plan_version.base_scenario)
    config_version = factory.LazyAttribute(lambda o: o.plan_version.config_version)
    fill_rate = 0.95
    profit_total = 1000.0
    duration_ms = 120
    summary = factory.LazyAttribute(
        lambda o: {"fill_rate": o.fill_rate, "profit_total": o.profit_total}
    )


@dataclass
class FakeSimulationResult:
    """Stands in for the engine's SimulationResult (same attributes)."""

    psi: pd.DataFrame
    pl: pd.DataFrame
    trace: pd.DataFrame
    kpis: dict[str, Any] = field(default_factory=dict)
    schema_version: str = "psi-1"
    engine_version: str = "1.0.0"
    input_hash: str = "0" * 64
    seed: int | None = 7

    def trace_table(self) -> pa.Table:
        return pa.Table.from_pandas(self.trace, preserve_index=False)


def psi_frame(days: int = 3, nodes=("DC-1", "STORE-1"), items=("SKU-1",)) -> pd.DataFrame:
    """A long-format daily PSI: flows grow with the day, on_hand = 100 + day."""
    rows = []
    for day in range(days):
        for node in nodes:
            for item in items:
                rows.append(
                    {
                        "day": day,
                        "node": node,
                        "item": item,
                        "demand": 10.0,
                        "sales": 9.0,
                        "shortage": 1.0,
                        "receipts": float(day),
                        "on_hand": 100.0 + day,
                        "backlog": float(day % 2),
                        "in_transit": 5.0 * day,
                    }
                )
    return pd.DataFrame(rows)


def pl_frame(days: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"day": np.arange(days), "revenue": 100.0, "cogs": 60.0, "profit": 40.0})


def trace_frame(days: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": np.repeat(np.arange(days), 2),
            "account": ["storage", "transport"] * days,
            "node": "DC-1",
            "amount": 1.5,
        }
    )


def fake_result(days: int = 3, **kpis: Any) -> FakeSimulationResult:
    base = {
        "fill_rate": 0.9,
        "cycle_service_level": 0.8,
        "avg_on_hand": 101.0,
        "avg_backlog": 0.5,
        "shortage_total": 3.0,
        "profit_total": 120.0,
        "costs": {"storage": 4.5, "transport": 4.5},
    }
    base.update(kpis)
    return FakeSimulationResult(
        psi=psi_frame(days), pl=pl_frame(days), trace=trace_frame(days), kpis=base
    )


def record_simulation(network, scenario, overrides, result) -> Run:
    """A real simulation run outside any plan, recorded directly (``overrides``: the
    scenario's, in the engine's shape)."""
    from runs.services import run_record

    return run_record(
        config_version=network,
        scenario=scenario,
        plan_version=None,
        job=None,
        result=result,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        seed=result.seed,
        stochastic=result.stochastic,
        overrides=overrides.to_dict(),
        source=Run.Source.OTHER,
    )


def record(plan_version=None, *, started_at=None, result=None, **kwargs: Any) -> Run:
    """Record a run through the registry service, as the planning job does."""
    from runs.services import run_record

    plan_version = plan_version or PlanVersionFactory.create()
    started_at = started_at or timezone.now()
    return run_record(
        config_version=kwargs.pop("config_version", plan_version.config_version),
        scenario=kwargs.pop("scenario", plan_version.base_scenario),
        plan_version=plan_version,
        job=kwargs.pop("job", None),
        result=result or fake_result(),
        started_at=started_at,
        finished_at=kwargs.pop("finished_at", started_at + timedelta(milliseconds=250)),
        seed=kwargs.pop("seed", 7),
        stochastic=kwargs.pop("stochastic", False),
        overrides=kwargs.pop("overrides", None),
        **kwargs,
    )
