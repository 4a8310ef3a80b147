"""The recalculation job: an edited draft's downstream stages again, then its run.

The draft's SKU × week plan (allocate's ``sku_week``) takes the planners' cells; MRP,
reconcile and the final plan run on it (the aggregate stays the parent's), and the plan-driven
simulation is recorded against the draft — the same way a planning job records its run. How
the edits are honoured:

- an edited **demand** cell changes the week's requirement by the same amount (``supply`` in
  ``sku_week`` is the demand the plan serves, MRP's gross requirement);
- an edited **target stock** cell is the SKU's target for that week, which MRP keeps on hand
  (safety stock) and reconcile nets against;
- an edited **production** cell is the aggregate side of reconcile, and an edited or locked
  production cell is the final plan's receipt for that SKU-week as the planner set it (the
  planner's number wins over leveling, capacity included).

The stages' tables and the version's new state (executed) are stored in one transaction.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import event_record
from plans.models import CellEdit, PlanArtifact, PlanVersion, Workbench
from plans.services.artifacts import artifact_frame, artifacts_write
from plans.services.generation import plan_version_inputs, plan_version_simulate
from plans.services.lifecycle import plan_version_state_set
from plans.signals import plan_version_finalised
from plans.workbench.sheets import base_sheet, locks_of, sheet_load
from runs.models import Run
from runs.services.recording import json_safe
from scpln.engine import planning as engine_planning
from scpln.engine import workbench as wb
from scpln.engine.planning.aggregate import AggregatePlan
from scpln.engine.planning.allocate import Allocation
from scpln.engine.planning.tables import label_positions

if TYPE_CHECKING:
    from jobs.models import Job
    from jobs.runner import JobContext

# The stored tables recalculation starts from (the later stages' own tables are remade).
RECALCULATION_INPUTS = ("aggregate", "aggregate_capacity", "sku_week", "week_periods")
# Share of the job's progress bar taken by the stages; the simulation takes the rest.
STAGES_SHARE = 40


def workbench_recalculate_run(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Job handler for ``recalculate`` jobs (see the module docstring)."""
    # The config's document (megabytes of JSON for 10,000 SKUs) only when the planning inputs
    # are derived, not kept (plans/services/inputs.py): read then, as a deferred field.
    version = (
        PlanVersion.objects.select_related("plan", "base_scenario", "config_version", "input_set")
        .defer("config_version__document")
        .get(pk=job.subject_id)
    )
    done = Run.objects.filter(plan_version=version, job=job).first()
    if done is not None:  # a redelivered attempt: the run is already recorded
        return {"plan_version_id": version.pk, "run_id": str(done.run_id)}
    ctx.progress(1, "preparing inputs", force=True)
    seconds: dict[str, float] = {}
    clock = _Clock(seconds)
    context, params = plan_version_inputs(version)
    clock.lap("inputs")
    stages = recalculated_stages(version, context.inputs, params, seconds=seconds)
    final: engine_planning.FinalPlan = stages["plan_final"]
    clock = _Clock(seconds)
    with transaction.atomic():
        stages_store(version, stages)
        plan_version_state_set(
            version=version,
            target=PlanVersion.State.EXECUTED,
            changes={"kpis": json_safe(final.kpis), "error": ""},
        )
        Workbench.objects.filter(pk=version.pk).update(recalculated_at=timezone.now())
        clock.lap("store")
        plan_version_finalised.send(
            sender=PlanVersion,
            plan_version=version,
            final=final,
            inputs=context.inputs,
            reconciliation=stages["reconcile"],
        )
        event_record(
            obj=version,
            action="psi_recalculate",
            actor=job.created_by,
            from_state=PlanVersion.State.DRAFT,
            to_state=PlanVersion.State.EXECUTED,
            reason=_("recalculated (job %(job)s)") % {"job": job.pk},
            data={"job_id": job.pk},
        )
        clock.lap("exceptions")  # the signal's receiver records the plan's exceptions
    # The next grid page reads the new tables from the cache.
    base_sheet(version, inputs=context.inputs, stored=stages_tables(stages))
    clock.lap("sheet")
    ctx.progress(STAGES_SHARE, "plan_final done", force=True)
    return plan_version_simulate(
        version=version,
        ctx=ctx,
        context=context,
        params=params,
        final=final,
        stage_seconds=seconds,
        progress_from=STAGES_SHARE,
    )


def recalculated_stages(
    version: PlanVersion,
    inputs: engine_planning.PlanningInputs,
    params: engine_planning.PlanParameters,
    *,
    seconds: dict[str, float] | None = None,
) -> dict[str, Any]:
    """MRP, reconcile and the final plan of the draft's edited SKU × week plan, by stage name
    (``allocate`` is the edited detail plan itself). Reads, computes, writes nothing.

    ``seconds``, when given, receives each part's wall time (``read``: the stored tables, the
    sheet and its edits; then one entry per stage) — what bench/bench_workbench.py reports.
    ``inputs`` are the version's own planning inputs (they also give the sheet its targets)."""
    clock = _Clock(seconds)
    tables = {
        a.name: artifact_frame(a)
        for a in PlanArtifact.objects.filter(plan_version=version, name__in=RECALCULATION_INPUTS)
    }
    sheet = sheet_load(version, inputs=inputs)
    pinned = _pinned_production(version, sheet)
    allocation = Allocation(
        sku_week=edited_sku_week(tables["sku_week"], sheet), week_periods=tables["week_periods"]
    )
    aggregate = AggregatePlan(tables["aggregate"], tables["aggregate_capacity"])
    if CellEdit.objects.filter(plan_version=version, measure="target_stock").exists():
        inputs = with_targets(inputs, sheet)
    clock.lap("read")
    mrp = engine_planning.run_mrp(inputs, params, allocation)
    clock.lap("mrp")
    reconciliation = engine_planning.run_reconcile(inputs, params, aggregate, allocation, mrp)
    reconciliation = pin_final(reconciliation, sheet, pinned)
    clock.lap("reconcile")
    final = engine_planning.run_plan_final(inputs, params, allocation, reconciliation)
    clock.lap("plan_final")
    return {"allocate": allocation, "mrp": mrp, "reconcile": reconciliation, "plan_final": final}


class _Clock:
    """Laps of wall time into ``seconds`` (nothing when it is None)."""

    def __init__(self, seconds: dict[str, float] | None) -> None:
        self.seconds = seconds
        self.began = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.seconds is not None:
            self.seconds[name] = now - self.began
        self.began = now


def stages_store(version: PlanVersion, stages: dict[str, Any]) -> None:
    """Store the recalculated stages' tables (call inside the transaction of the new state)."""
    artifacts_write(
        plan_version=version,
        tables=[
            (kind, name, frame)
            for kind, output in stages.items()
            for name, frame in output.frames().items()
        ],
    )


def stages_tables(stages: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The recalculated stages' tables by name, as :func:`stages_store` stores them."""
    return {name: frame for output in stages.values() for name, frame in output.frames().items()}


def with_targets(
    inputs: engine_planning.PlanningInputs, sheet: wb.Sheet
) -> engine_planning.PlanningInputs:
    """The inputs with the sheet's target stock as the SKUs' weekly target profile (other
    items keep theirs), which MRP keeps on hand and reconcile nets against."""
    profile = inputs.target_stock
    others = profile[label_positions(sheet.skus, profile["item"]) < 0]
    weeks = len(sheet.weeks)
    mine = pd.DataFrame(
        {
            "item": np.repeat(np.asarray(sheet.skus, dtype=object), weeks),
            "week": np.tile(np.asarray(sheet.weeks, dtype=object), len(sheet.skus)),
            "target": sheet.values["target_stock"].reshape(-1),
        }
    )
    return replace(inputs, target_stock=pd.concat([others, mine], ignore_index=True))


def edited_sku_week(sku_week: pd.DataFrame, sheet: wb.Sheet) -> pd.DataFrame:
    """``sku_week`` with the sheet's demand and production; supply moves with demand."""
    out = sku_week.copy()
    rows = label_positions(sheet.skus, out["sku"])
    weeks = out["week_index"].to_numpy(dtype=int)
    demand = sheet.values["demand"][rows, weeks]
    out["supply"] = np.maximum(out["supply"].to_numpy() + demand - out["demand"].to_numpy(), 0.0)
    out["demand"] = demand
    out["production"] = sheet.values["production"][rows, weeks]
    return out


def _pinned_production(version: PlanVersion, sheet: wb.Sheet) -> np.ndarray:
    """``SKUs × weeks``: production cells a planner edited or locked."""
    pinned = sheet.locked_mask(locks_of(version))
    rows = {s: i for i, s in enumerate(sheet.skus)}
    weeks = {w: i for i, w in enumerate(sheet.weeks)}
    for sku, week in CellEdit.objects.filter(
        plan_version=version, measure="production"
    ).values_list("sku", "week"):
        if sku in rows and week in weeks:
            pinned[rows[sku], weeks[week]] = True
    return pinned


def pin_final(
    reconciliation: engine_planning.Reconciliation, sheet: wb.Sheet, pinned: np.ndarray
) -> engine_planning.Reconciliation:
    """The reconciled plan with the pinned production cells as the planner set them."""
    if not pinned.any():
        return reconciliation
    table = reconciliation.reconcile.copy()
    rows = label_positions(sheet.skus, table["sku"])
    weeks = table["week_index"].to_numpy(dtype=int)
    known = rows >= 0
    hit = np.zeros(len(table), dtype=bool)
    hit[known] = pinned[rows[known], weeks[known]]
    planned = np.zeros(len(table))
    planned[known] = sheet.values["production"][rows[known], weeks[known]]
    table.loc[hit, "final"] = planned[hit]
    return engine_planning.Reconciliation(
        reconcile=table,
        anchor_log=reconciliation.anchor_log,
        capacity=reconciliation.capacity,
        delta_log=reconciliation.delta_log,
    )
