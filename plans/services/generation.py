"""The planning job: generate a plan version stage by stage, then simulate it.

Each stage's tables are stored in one transaction together with the state the
stage reaches (draft → aggregated → disaggregated → scheduled → executed), so
a failure or a crash leaves complete stages and never half of one. After the
plan is executed the PSI simulation runs in plan-driven mode (factories follow
the plan's receipts) and the run is recorded against the plan version, unless
``SCPLN_SKIP_SIMULATION_API`` is set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import error_lines
from jobs.runner import JobCanceled
from plans.models import PlanArtifact, PlanVersion
from plans.services.artifacts import artifact_write
from plans.services.inputs import PlanningContext, planning_context
from plans.services.lifecycle import plan_version_state_set
from plans.signals import plan_version_finalised
from runs.models import Run
from runs.services import run_record
from runs.services.recording import json_safe
from scpln.engine import planning as engine_planning
from scpln.engine import psi

if TYPE_CHECKING:
    from jobs.models import Job
    from jobs.runner import JobContext

logger = logging.getLogger(__name__)

PLANNING = "planning"  # the job type (plans/handlers.py)
# Share of the job's progress bar taken by plan generation; the simulation takes the rest.
PIPELINE_SHARE = 60
HEADLINE = ("fill_rate", "cycle_service_level", "avg_on_hand", "profit_total")


class PlanGenerationError(Exception):
    """A plan version that cannot be generated, with a message for the planner."""


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "\n".join(error_lines(exc))
    return f"{type(exc).__name__}: {exc}"


def plan_version_generate(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Job handler for ``planning`` jobs.

    A retry of a failed generation starts the version again from draft (its
    earlier tables are removed in the same transaction as the reset).
    """
    # The config's document (megabytes of JSON for 10,000 SKUs) only when the planning inputs
    # are derived, not kept (plans/services/inputs.py): read then, as a deferred field.
    version = (
        PlanVersion.objects.select_related("plan", "base_scenario", "config_version", "input_set")
        .defer("config_version__document")
        .get(pk=job.subject_id)
    )
    done = Run.objects.filter(plan_version=version, job=job).first()
    if done is not None:
        # This job already recorded its run before its worker was lost: the
        # redelivered attempt reports it instead of making a second run.
        return _outcome(version=version, run=done)
    try:
        return _generate(version=version, ctx=ctx)
    except JobCanceled:
        _fail(version, _("Generation was canceled."))
        raise
    except Exception as exc:
        _fail(version, _error_text(exc))
        raise


def _fail(version: PlanVersion, message: str) -> None:
    plan_version_state_set(
        version=version, target=PlanVersion.State.FAILED, changes={"error": message[:8000]}
    )


def _outcome(*, version: PlanVersion, run: Run) -> dict[str, Any]:
    return {
        "plan_version_id": version.pk,
        "plan_kpis": version.kpis,
        "simulation": "recorded",
        "run_id": str(run.run_id),
        "kpis": {k: run.summary.get(k) for k in HEADLINE},
    }


def _generate(*, version: PlanVersion, ctx: JobContext) -> dict[str, Any]:
    if version.state != PlanVersion.State.DRAFT:
        with transaction.atomic():
            PlanArtifact.objects.filter(plan_version=version).exclude(
                kind=PlanArtifact.Kind.AGGREGATION
            ).delete()
            plan_version_state_set(
                version=version, target=PlanVersion.State.DRAFT, changes={"error": "", "kpis": {}}
            )
    ctx.progress(1, "preparing inputs", force=True)
    context, params = plan_version_inputs(version)

    outputs: dict[str, Any] = {}

    def store(event: engine_planning.StageEvent) -> None:
        outputs[event.stage.name] = event.output
        with transaction.atomic():
            for name, frame in event.output.frames().items():
                artifact_write(plan_version=version, kind=event.stage.name, name=name, frame=frame)
            changes: dict[str, Any] = {}
            final = event.output if isinstance(event.output, engine_planning.FinalPlan) else None
            if final is not None:  # the plan_final stage
                changes["kpis"] = json_safe(final.kpis)
            plan_version_state_set(version=version, target=event.stage.state, changes=changes)
            if final is not None:
                plan_version_finalised.send(
                    sender=PlanVersion,
                    plan_version=version,
                    final=final,
                    inputs=context.inputs,
                    reconciliation=outputs.get("reconcile"),
                )
        ctx.progress(event.progress * PIPELINE_SHARE / 100, f"{event.stage.name} done", force=True)

    try:
        result = engine_planning.run_pipeline(context.inputs, params, on_stage=store)
    except engine_planning.PlanParametersError as exc:
        raise PlanGenerationError("; ".join(str(p) for p in exc.problems)) from None
    return plan_version_simulate(
        version=version,
        ctx=ctx,
        context=context,
        params=params,
        final=result.final,
        stage_seconds=result.seconds,
        progress_from=PIPELINE_SHARE,
    )


def plan_version_inputs(
    version: PlanVersion,
) -> tuple[PlanningContext, engine_planning.PlanParameters]:
    """What a plan version is planned from: its inputs and its parameters. Shared by the
    planning job and the workbench's recalculation so both plan from the same things."""
    context = planning_context(
        config_version=version.config_version,
        scenario=version.base_scenario,
        input_set=version.input_set,
    )
    params, problems = engine_planning.parse_parameters(version.parameters)
    if params is None:
        raise PlanGenerationError("; ".join(str(p) for p in problems))
    return context, params


def plan_version_simulate(
    *,
    version: PlanVersion,
    ctx: JobContext,
    context: PlanningContext,
    params: engine_planning.PlanParameters,
    final: engine_planning.FinalPlan,
    stage_seconds: Mapping[str, float],
    progress_from: float,
) -> dict[str, Any]:
    """Run the plan-driven simulation of an executed version and record the run against it,
    together with the job's success (the result of ``ctx``'s job: the plan's KPIs and how
    long each stage took). Also used by the workbench's recalculation, so an edited draft's
    run is made, and its job's result written, the same way."""
    outcome: dict[str, Any] = {
        "plan_version_id": version.pk,
        "plan_kpis": json_safe(final.kpis),
        "stage_seconds": {k: round(v, 4) for k, v in stage_seconds.items()},
    }
    if settings.SCPLN_SKIP_SIMULATION_API:
        outcome["simulation"] = "skipped (SCPLN_SKIP_SIMULATION_API=1)"
        return _finish(ctx, outcome)

    # Plans derived from the config name each receipt's factory; an imported
    # input set's work centres are not nodes of the network.
    receipts, dropped = engine_planning.run_receipts(
        final.plan_final, context.config, by_node=version.input_set_id is None
    )
    if dropped and receipts.empty:
        outcome["simulation"] = _(
            "skipped: no factory of config version %(config)s makes any SKU of this plan "
            "(%(skus)s), so the plan cannot drive a run of that network"
        ) % {"config": version.config_version_id, "skus": ", ".join(dropped[:10])}
        return _finish(ctx, outcome)
    ctx.progress(progress_from, "simulating", force=True)
    started_at = timezone.now()
    began = time.perf_counter()
    days = engine_planning.run_days(params, context.inputs, context.config)
    simulation = psi.simulate_network(
        context.network(days),
        plan=psi.PlanSchedule.from_frame(
            receipts,
            start_date=context.config.start_date,
            **engine_planning.plan_execution(params),
        ),
        days=days,
        progress=lambda done: ctx.progress(
            progress_from + done * (99 - progress_from), "simulating"
        ),
    )
    seconds = outcome["stage_seconds"]
    seconds["simulate"] = round(time.perf_counter() - began, 4)
    warnings = list(simulation.warnings[:20])
    if dropped:
        warnings.insert(
            0,
            _("plan SKUs no factory of the network makes, left to their policies: %(skus)s")
            % {"skus": ", ".join(dropped)},
        )
    # The run and the job's success commit together: a worker lost before
    # this point leaves no run behind, one lost after it is never repeated.
    with ctx.finishing() as finished:
        run = run_record(
            config_version=version.config_version,
            scenario=version.base_scenario,
            plan_version=version,
            job=ctx.job,
            result=simulation,
            started_at=started_at,
            finished_at=timezone.now(),
            seed=simulation.seed,
            stochastic=simulation.stochastic,
            overrides=context.overrides.to_dict(),
            receipts=receipts,
            execution=engine_planning.execution_parameters(params),
        )
        # The run's tables and its exceptions (the run_recorded signal), not the job's commit.
        seconds["record"] = round(time.perf_counter() - began - seconds["simulate"], 4)
        version.refresh_from_db(fields=["kpis"])
        finished.update({**_outcome(version=version, run=run), **outcome, "warnings": warnings})
    return finished


def _finish(ctx: JobContext, outcome: dict[str, Any]) -> dict[str, Any]:
    with ctx.finishing() as finished:
        finished.update(outcome)
    return finished
