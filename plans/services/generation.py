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
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.runner import JobCanceled
from plans.models import PlanArtifact, PlanVersion
from plans.services.artifacts import artifact_frame, artifact_write
from plans.services.inputs import planning_context
from runs.models import Run
from runs.services import run_record
from runs.services.recording import json_safe
from scpln.engine import planning as engine_planning
from scpln.engine import psi
from scpln.engine.canonical import CanonicalConfig
from scpln.engine.canonical.network import produced_items

if TYPE_CHECKING:
    from jobs.models import Job
    from jobs.runner import JobContext

logger = logging.getLogger(__name__)

# Share of the job's progress bar taken by plan generation; the simulation takes the rest.
PIPELINE_SHARE = 60
HEADLINE = ("fill_rate", "cycle_service_level", "avg_on_hand", "profit_total")


class PlanGenerationError(Exception):
    """A plan version that cannot be generated, with a message for the planner."""


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "\n".join(
                f"{field}: {m}" for field, msgs in exc.message_dict.items() for m in msgs
            )
        return "\n".join(exc.messages)
    return f"{type(exc).__name__}: {exc}"


def plan_version_generate(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Job handler for ``planning`` jobs.

    A retry of a failed generation starts the version again from draft (its
    earlier tables are removed in the same transaction as the reset).
    """
    version = PlanVersion.objects.select_related(
        "plan", "base_scenario", "config_version", "input_set"
    ).get(pk=job.plan_version_id)
    done = Run.objects.filter(plan_version=version, job=job).first()
    if done is not None:
        # This job already recorded its run before its worker was lost: the
        # redelivered attempt reports it instead of making a second run.
        return _outcome(version=version, run=done)
    try:
        return _generate(version=version, job=job, ctx=ctx)
    except JobCanceled:
        _fail(version, _("Generation was canceled."))
        raise
    except Exception as exc:
        _fail(version, _error_text(exc))
        raise


def _fail(version: PlanVersion, message: str) -> None:
    PlanVersion.objects.filter(pk=version.pk).update(
        state=PlanVersion.State.FAILED, error=message[:8000], updated_at=timezone.now()
    )


def plan_schedule(
    *, version: PlanVersion, final: engine_planning.FinalPlan, config: CanonicalConfig
) -> tuple[psi.PlanSchedule, list[str]]:
    """The production schedule a run of this plan version follows (plan-driven mode),
    under the version's release rule and constraint switches, and the plan's SKUs left out
    of it because no factory of the network makes them.

    Plans derived from the config name the factory (its work centre), so the
    run makes each SKU where the plan made it; an imported input set's work
    centres are not nodes of the network, so its plan is split by the engine,
    and its SKUs need not exist in the network at all. The planning job and
    re-runs (runs.services.reproduction) both use this, so a re-run follows
    exactly the schedule the recorded run followed.
    """
    by_node = version.input_set_id is None
    schedule = final.planned_receipts(pd.Timestamp(config.start_date), by_node=by_node)
    products = [item.code for item in config.items if item.item_type == "product"]
    made = {code for node in config.nodes for code in produced_items(node, products)}
    known = schedule["item"].isin(made)
    dropped = sorted(set(schedule.loc[~known, "item"]))
    params, _problems = engine_planning.parse_parameters(version.parameters or {})
    plan = psi.PlanSchedule.from_frame(
        schedule[known].reset_index(drop=True),
        start_date=config.start_date,
        **engine_planning.plan_execution(params or engine_planning.PlanParameters()),
    )
    return plan, dropped


def stored_plan_schedule(*, version: PlanVersion, config: CanonicalConfig) -> psi.PlanSchedule:
    """:func:`plan_schedule` rebuilt from the version's stored final plan."""
    artifact = PlanArtifact.objects.filter(plan_version=version, name="plan_final").first()
    if artifact is None:
        raise ValidationError(
            {
                "run": _("The final plan of plan version %(pv)s is gone; the run cannot be re-run.")
                % {"pv": version.pk}
            }
        )
    final = engine_planning.FinalPlan(
        plan_final=artifact_frame(artifact), plan_orders=pd.DataFrame(), kpis={}
    )
    schedule, _dropped = plan_schedule(version=version, final=final, config=config)
    return schedule


def _outcome(*, version: PlanVersion, run: Run) -> dict[str, Any]:
    return {
        "plan_version_id": version.pk,
        "plan_kpis": version.kpis,
        "simulation": "recorded",
        "run_id": str(run.run_id),
        "kpis": {k: run.summary.get(k) for k in HEADLINE},
    }


def _generate(*, version: PlanVersion, job: Job, ctx: JobContext) -> dict[str, Any]:
    if version.state != PlanVersion.State.DRAFT:
        with transaction.atomic():
            PlanArtifact.objects.filter(plan_version=version).exclude(
                kind=PlanArtifact.Kind.AGGREGATION
            ).delete()
            PlanVersion.objects.filter(pk=version.pk).update(
                state=PlanVersion.State.DRAFT, error="", kpis={}
            )
    ctx.progress(1, "preparing inputs", force=True)
    context = planning_context(
        config_version=version.config_version,
        scenario=version.base_scenario,
        input_set=version.input_set,
    )
    params, problems = engine_planning.parse_parameters(version.parameters)
    if params is None:
        raise PlanGenerationError("; ".join(str(p) for p in problems))

    def store(event: engine_planning.StageEvent) -> None:
        with transaction.atomic():
            for name, frame in event.output.frames().items():
                artifact_write(plan_version=version, kind=event.stage.name, name=name, frame=frame)
            changes: dict[str, Any] = {"state": event.stage.state, "updated_at": timezone.now()}
            if event.stage.name == "plan_final":
                changes["kpis"] = json_safe(event.output.kpis)
            PlanVersion.objects.filter(pk=version.pk).update(**changes)
        ctx.progress(event.progress * PIPELINE_SHARE / 100, f"{event.stage.name} done", force=True)

    try:
        result = engine_planning.run_pipeline(context.inputs, params, on_stage=store)
    except engine_planning.PlanParametersError as exc:
        raise PlanGenerationError("; ".join(str(p) for p in exc.problems)) from None
    outcome: dict[str, Any] = {
        "plan_version_id": version.pk,
        "plan_kpis": json_safe(result.kpis),
        "stage_seconds": {k: round(v, 4) for k, v in result.seconds.items()},
    }
    if settings.SCPLN_SKIP_SIMULATION_API:
        outcome["simulation"] = "skipped (SCPLN_SKIP_SIMULATION_API=1)"
        return outcome

    schedule, dropped = plan_schedule(version=version, final=result.final, config=context.config)
    if dropped and schedule.rows.empty:
        outcome["simulation"] = _(
            "skipped: no factory of config version %(config)s makes any SKU of this plan "
            "(%(skus)s), so the plan cannot drive a run of that network"
        ) % {"config": version.config_version_id, "skus": ", ".join(dropped[:10])}
        return outcome
    ctx.progress(PIPELINE_SHARE, "simulating", force=True)
    started_at = timezone.now()
    simulation = psi.simulate(
        context.config,
        plan=schedule,
        days=engine_planning.run_days(params, context.inputs, context.config),
        progress=lambda done: ctx.progress(
            PIPELINE_SHARE + done * (99 - PIPELINE_SHARE), "simulating"
        ),
    )
    run = run_record(
        config_version=version.config_version,
        scenario=version.base_scenario,
        plan_version=version,
        job=job,
        result=simulation,
        started_at=started_at,
        finished_at=timezone.now(),
        seed=simulation.seed,
        stochastic=simulation.stochastic,
    )
    version.refresh_from_db(fields=["kpis"])
    warnings = list(simulation.warnings[:20])
    if dropped:
        warnings.insert(
            0,
            _("plan SKUs no factory of the network makes, left to their policies: %(skus)s")
            % {"skus": ", ".join(dropped)},
        )
    return {**_outcome(version=version, run=run), **outcome, "warnings": warnings}
