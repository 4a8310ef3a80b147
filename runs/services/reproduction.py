"""Re-running a run: the same inputs, seed and engine give the same KPIs.

A run keeps what its numbers depend on: the config version (frozen at
import), and with the run itself the scenario's overrides as they were, the
plan receipts its factories followed, the seed, the mode and the number of
days; ``input_hash`` is the engine's digest of all of them (a run recorded before the plan's
digest changed scheme is compared in its own: ``_same_inputs``). :func:`run_rerun`
rebuilds the engine's inputs from those alone — an edited scenario or a
deleted plan version changes nothing — simulates again and says whether the
result reproduces the recorded run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils import timezone

from runs.columnar import parquet_to_frame
from runs.models import Run
from runs.registry import get_registry
from runs.selectors.compare import flatten_kpis
from runs.services.recording import json_safe, run_record


@dataclass
class Reproduction:
    """How a re-run compares with the recorded run."""

    run: Run
    result: Any
    same_inputs: bool
    same_engine: bool
    kpi_differences: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    recorded: Run | None = None

    @property
    def reproduced(self) -> bool:
        """Same inputs on the same engine gave exactly the same KPIs."""
        return self.same_inputs and self.same_engine and not self.kpi_differences


def run_rerun(*, run: Run, record: bool = False) -> Reproduction:
    """Simulate ``run`` again from its stored inputs and compare the KPIs exactly.

    With ``record=True`` the re-run is recorded as a new run (source
    ``other``) tied to the same plan version, scenario and config.
    """
    from scpln.engine import psi

    config, plan, receipts = run_inputs(run)
    started_at = timezone.now()
    result = psi.simulate(
        config,
        seed=run.seed,
        days=run.horizon_days,
        stochastic=run.stochastic,
        plan=plan,
    )
    finished_at = timezone.now()
    old = flatten_kpis(run.summary)
    new = flatten_kpis(json_safe(result.kpis))
    differences = {
        name: (old.get(name), new.get(name))
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    }
    reproduction = Reproduction(
        run=run,
        result=result,
        same_inputs=_same_inputs(run, result, config, plan),
        same_engine=result.engine_version == run.engine_version,
        kpi_differences=differences,
    )
    if record:
        reproduction.recorded = run_record(
            config_version=run.config_version,
            scenario=run.scenario,
            plan_version=run.plan_version,
            job=None,
            result=result,
            started_at=started_at,
            finished_at=finished_at,
            seed=result.seed,
            stochastic=result.stochastic,
            overrides=run.inputs.get("overrides"),
            receipts=receipts,
            execution=run.inputs.get("execution"),
            source=Run.Source.OTHER,
        )
    return reproduction


def _same_inputs(run: Run, result: Any, config: Any, plan: Any) -> bool:
    """Whether the re-run's inputs are the recorded run's: its input hash as recorded, or — for a
    run recorded when the plan's digest was written another way (``PLAN_DIGEST_SCHEMES``) — the
    same inputs' hash written that way."""
    from scpln.engine.psi.api import input_hash
    from scpln.engine.psi.plan import PLAN_DIGEST, PLAN_DIGEST_SCHEMES

    if result.input_hash == run.input_hash:
        return True
    if plan is None:  # no plan digest in it: every scheme gave the same hash
        return False
    return any(
        input_hash(
            config,
            days=result.days,
            stochastic=result.stochastic,
            seed=result.seed,
            plan=plan,
            plan_scheme=scheme,
        )
        == run.input_hash
        for scheme in PLAN_DIGEST_SCHEMES
        if scheme != PLAN_DIGEST
    )


def run_inputs(run: Run) -> tuple[Any, Any, pd.DataFrame | None]:
    """The config with the recorded overrides applied, and the plan the run followed:
    the recorded receipts, executed under the recorded release rule and switches.

    Public because everything that runs a recorded run again (a re-run here, the
    replications and stock-level optimisation of the ``risk`` app) must start from
    exactly these inputs, never from the scenario or plan as they are now."""
    from scpln.engine import canonical, planning, psi

    config_version = run.config_version
    if "document" in config_version.get_deferred_fields():
        config_version.refresh_from_db(fields=["document"])
    config = canonical.load_config(config_version.document)
    overrides = run.inputs.get("overrides")
    if overrides:
        config = canonical.apply_overrides(config, canonical.ScenarioOverrides.from_dict(overrides))
    stored = get_registry().table(run, "receipts")
    if stored is None:
        return config, None, None
    receipts = parquet_to_frame(stored)
    params, _problems = planning.parse_parameters(run.inputs.get("execution") or {})
    plan = psi.PlanSchedule.from_frame(
        receipts,
        start_date=config.start_date,
        **planning.plan_execution(params or planning.PlanParameters()),
    )
    return config, plan, receipts
