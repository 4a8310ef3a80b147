"""Stock levels for a scenario's targets: the engine's optimiser on a plan version's run.

:func:`levels_optimise` computes (nothing written). :func:`level_optimisation_create`
queues a ``level_optimisation`` job; its handler :func:`level_optimisation_run` writes the
levels as a NEW scenario (a child of the source, the levels as its ``inventory_levels``
override) and the report, in one transaction with the job's success. The source
scenario is never changed. The API, the UI and ``manage.py optimise_levels`` all go
through :func:`level_optimisation_create`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.runner import JobContext
from plans.models import PlanVersion
from risk.models import SEED_LIMIT, LevelOptimisation
from risk.services.sets import replication_set_validate, seed_or_random, with_job

# A run's inputs as they were recorded: what a re-run reads, and so what is optimised.
from runs.services.reproduction import run_inputs
from scenarios.models import Scenario
from scenarios.services import scenario_create
from scpln.engine.psi import Network, compile_network
from scpln.engine.risk.optimise import optimise_levels

LEVEL_OPTIMISATION = "level_optimisation"
MAX_ROUNDS = 20

LEVEL_COLUMNS = (
    "node",
    "item",
    "kind",
    "target",
    "first_guess",
    "level",  # the reorder point s; a base stock's order-up-to level
    "order_up_to",  # S = s + the order gap; = level for a base stock
    "service_before",
    "service_after",
)


@dataclass(frozen=True)
class LevelReport:
    """What :func:`levels_optimise` found; ``rows`` follow :data:`LEVEL_COLUMNS`."""

    rows: list[tuple[Any, ...]]
    kpis_before: dict[str, dict[str, Any]]
    kpis_after: dict[str, dict[str, Any]]
    rounds: int
    reached: bool
    n: int
    seed: int


def _validate_numbers(
    *, n: int, seed: int | None, rounds: int, service_level: float | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if n < 2 or n > settings.SCPLN_REPLICATIONS_MAX:
        errors["n"] = _("Use from 2 to %(max)s replications a round.") % {
            "max": settings.SCPLN_REPLICATIONS_MAX
        }
    if seed is not None and not 0 <= seed < SEED_LIMIT:
        errors["seed"] = _("The seed must be a whole number from 0 to 2⁶³ − 1.")
    if not 0 <= rounds <= MAX_ROUNDS:
        errors["rounds"] = _("Use from 0 to %(max)s refinement rounds.") % {"max": MAX_ROUNDS}
    if service_level is not None and not (math.isfinite(service_level) and 0 < service_level < 1):
        errors["service_level"] = _("A service level lies strictly between 0 and 1.")
    return errors


def levels_optimise(
    *,
    plan_version: PlanVersion,
    n: int = 30,
    seed: int = 1,
    rounds: int = 6,
    service_level: float | None = None,
    ctx: JobContext | None = None,
) -> LevelReport:
    """Levels reaching each store's target on the plan version's run (``docs/engine.md``).

    ``n`` replications a round (at least 2, for the confidence interval), the same seeds
    before, after and in every round (common random numbers). ``service_level``, when
    given, is every store's target instead of its own.
    """
    errors = _validate_numbers(n=n, seed=seed, rounds=rounds, service_level=service_level)
    if errors:
        raise ValidationError(errors)
    run = replication_set_validate(plan_version=plan_version, n=1, seed=seed)
    config, plan, _receipts = run_inputs(run)
    days = run.horizon_days
    network = compile_network(config, days=days)

    def progress(share: float) -> None:
        if ctx is not None:
            ctx.progress(100 * share, _("refinement round"))

    result = optimise_levels(
        network,
        seed=seed,
        n=n,
        rounds=rounds,
        days=days,
        plan=plan,
        progress=progress,
        target=service_level,
    )
    rows: list[tuple[Any, ...]] = []
    no_service = np.full(len(result.warehouses.ni), np.nan)  # measured at stores only
    for kind, sized, before, after in (
        ("store", result.stores, result.before.service, result.after.service),
        ("warehouse", result.warehouses, no_service, no_service),
    ):
        for k, ni in enumerate(sized.ni):
            level = float(result.levels[ni])
            rows.append(
                (
                    *_codes(network, int(ni)),
                    kind,
                    float(sized.target[k]),
                    float(result.first_guess[ni]),
                    level,
                    level + float(result.gap[ni]),
                    float(before[k]),
                    float(after[k]),
                )
            )
    return LevelReport(
        rows=rows,
        kpis_before={k: v.as_dict() for k, v in result.before.kpis.items()},
        kpis_after={k: v.as_dict() for k, v in result.after.kpis.items()},
        rounds=result.rounds,
        reached=result.reached,
        n=n,
        seed=seed,
    )


def _codes(network: Network, ni: int) -> tuple[str, str]:
    node, item = int(network.ni_node[ni]), int(network.ni_item[ni])
    return network.node_codes[node], network.item_codes[item]


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def report_dict(report: LevelReport) -> dict[str, Any]:
    """The report as JSON (NaN, the warehouses' service columns, as null)."""
    return {
        "columns": list(LEVEL_COLUMNS),
        "rows": [[_finite(v) for v in row] for row in report.rows],
        "kpis_before": {
            k: {f: _finite(x) for f, x in v.items()} for k, v in report.kpis_before.items()
        },
        "kpis_after": {
            k: {f: _finite(x) for f, x in v.items()} for k, v in report.kpis_after.items()
        },
        "rounds": report.rounds,
        "reached": report.reached,
        "n": report.n,
        "seed": report.seed,
    }


def report_levels(report: LevelReport) -> dict[str, dict[str, dict[str, float]]]:
    """The levels as a scenario's ``inventory_levels``, as the optimiser evaluated them:
    reorder point ``s`` and order-up-to level ``S`` (equal for a base stock), opening at
    ``S``."""
    levels: dict[str, dict[str, dict[str, float]]] = {}
    for node, item, _kind, _target, _guess, level, up_to, *_rest in report.rows:
        s, big_s = round(float(level), 6), round(float(up_to), 6)
        levels.setdefault(node, {})[item] = {
            "order_up_to": big_s,
            "reorder_point": s,
            "initial_inventory": big_s,
        }
    return levels


def _plan_version_to_optimise(
    scenario: Scenario, plan_version: PlanVersion | None, seed: int | None, errors: dict[str, str]
) -> PlanVersion:
    """Refuse what cannot run, keyed by field (``errors``: the numbers' already, so a
    refusal lists them first); returns the plan version whose run is used.

    Without ``plan_version`` the scenario's newest plan version is taken; a given one
    must be planned on this scenario (its run carries the scenario's overrides).
    """
    if plan_version is None:
        plan_version = (
            PlanVersion.objects.filter(base_scenario=scenario).order_by("-created_at").first()
        )
        if plan_version is None:
            errors["plan_version_id"] = _(
                "Scenario “%(name)s” has no plan version yet: the optimiser refines levels "
                "on a plan version's run. Create a plan on this scenario first."
            ) % {"name": scenario.name}
    elif plan_version.base_scenario_id != scenario.pk:
        errors["plan_version_id"] = _(
            "Plan version %(id)s is planned on another scenario; use one of this scenario's."
        ) % {"id": plan_version.pk}
    if errors:
        raise ValidationError(errors)
    assert plan_version is not None
    try:
        replication_set_validate(plan_version=plan_version, n=1, seed=seed)
    except ValidationError as exc:
        raise ValidationError(
            {"plan_version_id": [m for ms in exc.message_dict.values() for m in ms]}
        ) from None
    return plan_version


@transaction.atomic
def level_optimisation_create(
    *,
    scenario: Scenario,
    plan_version: PlanVersion | None = None,
    n: int = 30,
    seed: int | None = None,
    rounds: int = 6,
    service_level: float | None = None,
    user: User | None = None,
) -> LevelOptimisation:
    """Queue a stock-level optimisation of ``scenario`` (job ``level_optimisation``)."""
    errors = _validate_numbers(n=n, seed=seed, rounds=rounds, service_level=service_level)
    version = _plan_version_to_optimise(scenario, plan_version, seed, errors)
    optimisation = LevelOptimisation.objects.create(
        scenario=scenario,
        plan_version=version,
        n=n,
        seed=seed_or_random(seed),
        rounds=rounds,
        service_level=service_level,
        created_by=user,
    )
    return with_job(
        optimisation, LEVEL_OPTIMISATION, "optimisation_id", subject=scenario, user=user
    )


def _free_name(base: str) -> str:
    base = base[:190]
    name, k = base, 2
    while Scenario.objects.filter(name=name).exists():
        name, k = f"{base} ({k})", k + 1
    return name


def level_optimisation_run(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """The job's handler: optimise, then write the new scenario and the report at once."""
    optimisation = LevelOptimisation.objects.select_related("scenario", "plan_version").get(
        pk=job.params["optimisation_id"]
    )
    source = optimisation.scenario
    report = levels_optimise(
        plan_version=optimisation.plan_version,
        n=optimisation.n,
        seed=optimisation.seed,
        rounds=optimisation.rounds,
        service_level=optimisation.service_level,
        ctx=ctx,
    )
    overrides = source.overrides()
    overrides["inventory_levels"] = report_levels(report)
    with ctx.finishing() as result:
        created = scenario_create(
            user=job.created_by,
            name=_free_name(_("%(name)s – optimised levels") % {"name": source.name}),
            description=_(
                "Stock levels from optimisation #%(id)s of scenario “%(name)s” (#%(pk)s) on "
                "plan version %(version)s: %(n)s replications a round, seed %(seed)s."
            )
            % {
                "id": optimisation.pk,
                "name": source.name,
                "pk": source.pk,
                "version": optimisation.plan_version_id,
                "n": optimisation.n,
                "seed": optimisation.seed,
            },
            parent=source,
            tags=[*source.tags, "optimised-levels"][:50],
            **overrides,
        )
        LevelOptimisation.objects.filter(pk=optimisation.pk).update(
            result_scenario=created, report=report_dict(report)
        )
        result.update({"optimisation_id": optimisation.pk, "scenario_id": created.pk})
        result["reached"] = report.reached
    return result
