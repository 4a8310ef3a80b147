"""The planning pipeline as stages a job runner can drive one by one.

Each stage is a pure function of the inputs, the parameters and earlier stages' outputs;
each output holds only DataFrames (``frames()``) plus, for the last, plain-dict KPIs — what a
plan version stores, one transaction per stage. ``STAGES`` names the stages in order with the
plan-version state reached once a stage's artifacts are stored; :func:`run_pipeline` runs
them all in process and calls ``on_stage`` after each, where a runner stores artifacts,
reports progress and checks for cancellation (by raising: the pipeline does not catch).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from .aggregate import AggregatePlan, run_aggregate
from .allocate import Allocation, run_allocate
from .inputs import PlanningInputs
from .mrp import MrpPlan, run_mrp
from .parameters import PlanParameters, PlanParametersError, validate_parameters
from .plan_final import FinalPlan, run_plan_final
from .reconcile import Reconciliation, run_reconcile


class StageOutput(Protocol):
    def frames(self) -> dict[str, pd.DataFrame]: ...


@dataclass(frozen=True)
class Stage:
    """A stage's name, the plan-version state once its artifacts are stored, and the
    :class:`PlanResult` field that holds its output."""

    name: str
    state: str
    result_field: str


STAGES: tuple[Stage, ...] = (
    Stage("aggregate", "aggregated", "aggregate"),
    Stage("allocate", "disaggregated", "allocation"),
    Stage("mrp", "disaggregated", "mrp"),
    Stage("reconcile", "scheduled", "reconciliation"),
    Stage("plan_final", "executed", "final"),
)


@dataclass(frozen=True)
class StageEvent:
    """What ``on_stage`` receives after a stage: ``index`` counts from 1 up to ``total``."""

    stage: Stage
    index: int
    total: int
    output: StageOutput
    seconds: float

    @property
    def progress(self) -> int:
        """Percent of the pipeline done, for a job's progress bar."""
        return round(100 * self.index / self.total)


@dataclass(frozen=True)
class PlanResult:
    parameters: PlanParameters
    aggregate: AggregatePlan
    allocation: Allocation
    mrp: MrpPlan
    reconciliation: Reconciliation
    final: FinalPlan
    seconds: dict[str, float]

    @property
    def kpis(self) -> dict[str, Any]:
        return self.final.kpis

    def artifacts(self) -> dict[str, dict[str, pd.DataFrame]]:
        """Stage name → artifact name → table, in pipeline order."""
        return {stage.name: getattr(self, stage.result_field).frames() for stage in STAGES}


def run_pipeline(
    inputs: PlanningInputs,
    params: PlanParameters,
    on_stage: Callable[[StageEvent], None] | None = None,
) -> PlanResult:
    """Validate the parameters, then run every stage in order (raises
    :class:`PlanParametersError` before any stage when a parameter does not fit)."""
    problems = validate_parameters(params, inputs)
    if problems:
        raise PlanParametersError(problems)
    seconds: dict[str, float] = {}
    outputs: dict[str, Any] = {}
    steps: dict[str, Callable[[], StageOutput]] = {
        "aggregate": lambda: run_aggregate(inputs, params),
        "allocate": lambda: run_allocate(inputs, params, outputs["aggregate"]),
        "mrp": lambda: run_mrp(inputs, params, outputs["allocate"]),
        "reconcile": lambda: run_reconcile(
            inputs, params, outputs["aggregate"], outputs["allocate"], outputs["mrp"]
        ),
        "plan_final": lambda: run_plan_final(
            inputs, params, outputs["allocate"], outputs["reconcile"]
        ),
    }
    for index, stage in enumerate(STAGES, start=1):
        began = time.perf_counter()
        outputs[stage.name] = steps[stage.name]()
        seconds[stage.name] = time.perf_counter() - began
        if on_stage is not None:
            on_stage(
                StageEvent(stage, index, len(STAGES), outputs[stage.name], seconds[stage.name])
            )
    return PlanResult(
        parameters=params,
        seconds=seconds,
        **{stage.result_field: outputs[stage.name] for stage in STAGES},
    )
