"""Creating plans and plan versions: validate first, then write, then enqueue."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jobs.services import job_create
from plans import metrics
from plans.models import Plan, PlanningInputSet, PlanVersion
from plans.services.generation import PLANNING
from plans.services.inputs import PlanningContext, planning_context
from scenarios.models import ConfigVersion, Scenario
from scpln.engine import planning as engine_planning
from scpln.engine.canonical import Problem


@dataclass(frozen=True)
class PlanRequest:
    """A validated request: what the planning job will be given."""

    base_scenario: Scenario
    config_version: ConfigVersion
    input_set: PlanningInputSet | None
    parameters: engine_planning.PlanParameters
    context: PlanningContext

    @property
    def dedupe_key(self) -> str:
        """Identifies an identical request, so it is not started twice at once."""
        payload = json.dumps(
            [
                self.base_scenario.pk,
                self.config_version.pk,
                self.input_set.pk if self.input_set else None,
                self.parameters.to_dict(),
            ],
            sort_keys=True,
        )
        return "plan:" + hashlib.sha256(payload.encode()).hexdigest()[:40]


def scenario_validate_runnable(*, scenario: Scenario) -> None:
    """Refuse a locked scenario, saying who locked it, when and why."""
    if not scenario.locked:
        return
    who = scenario.locked_by.get_username() if scenario.locked_by else _("an operator")
    when = formats.date_format(timezone.localtime(scenario.locked_at), "DATETIME_FORMAT")
    message = _(
        "Scenario “%(name)s” is locked (by %(who)s on %(when)s); "
        "unlock it before planning or running against it."
    ) % {"name": scenario.name, "who": who, "when": when}
    if scenario.lock_reason:
        message += " " + _("Reason: %(reason)s") % {"reason": scenario.lock_reason}
    raise ValidationError({"base_scenario": [message]}, code="locked")


def plan_validate_request(
    *,
    base_scenario: Scenario,
    config_version: ConfigVersion,
    parameters: dict[str, Any] | None = None,
    input_set: PlanningInputSet | None = None,
) -> PlanRequest:
    """Every check a plan request must pass before anything is written.

    Errors are keyed by the field the planner has to change: ``base_scenario``
    (locked, or overrides that do not fit the config), ``config_version``
    (archived or no longer valid), ``input_set``, or the parameter's own name
    (``horizon_days``, ``cutover_date``, ``recon_window_days``, ...).
    """
    # The lock is read from the database, not from the caller's copy, so a
    # scenario locked after a form was rendered is still refused.
    scenarios = Scenario.objects.select_related("locked_by")
    if transaction.get_connection().in_atomic_block:
        scenarios = scenarios.select_for_update(of=("self",))
    base_scenario = scenarios.get(pk=base_scenario.pk)
    scenario_validate_runnable(scenario=base_scenario)
    if config_version.status != ConfigVersion.Status.ACTIVE:
        raise ValidationError(
            {
                "config_version": [
                    _("Config version #%(id)s is archived; plans need an active config.")
                    % {"id": config_version.pk}
                ]
            }
        )
    context = planning_context(
        config_version=config_version, scenario=base_scenario, input_set=input_set
    )
    data = {key: value for key, value in (parameters or {}).items() if value not in (None, "")}
    params, problems = engine_planning.parse_parameters(data)
    if params is None:
        raise _parameter_error(problems)
    # What the planner left out comes from the input set's own defaults (the
    # planning calendar's planning_params), then from the engine's.
    params = engine_planning.default_parameters(
        context.inputs, **{key: getattr(params, key) for key in data}
    )
    problems = engine_planning.validate_parameters(params, context.inputs)
    if params.horizon_days is not None and params.horizon_days > context.config.horizon_days:
        problems.append(
            Problem(
                "horizon_days",
                _("%(days)s days is longer than the config's horizon of %(horizon)s days")
                % {"days": params.horizon_days, "horizon": context.config.horizon_days},
            )
        )
    if problems:
        raise _parameter_error(problems)
    return PlanRequest(base_scenario, config_version, input_set, params, context)


def _parameter_error(problems: list) -> ValidationError:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        field = problem.path.split(".", 1)[0].split("[", 1)[0] or "parameters"
        errors.setdefault(field, []).append(problem.message)
    return ValidationError(errors)


@transaction.atomic
def plan_create(
    *,
    name: str,
    base_scenario: Scenario,
    config_version: ConfigVersion,
    parameters: dict[str, Any] | None = None,
    input_set: PlanningInputSet | None = None,
    description: str = "",
    user: User | None = None,
) -> PlanVersion:
    """Create a plan with its first version (draft) and queue its planning job.

    Validates first; writes the plan, the version and the job in one
    transaction; the job is sent to the worker after commit. Returns the
    version (``plan_version_id``); its planning job is ``version.jobs`` of
    type ``planning``.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("A plan needs a name.")]})
    request = plan_validate_request(
        base_scenario=base_scenario,
        config_version=config_version,
        parameters=parameters,
        input_set=input_set,
    )
    plan = Plan.objects.create(name=name[:200], description=description, created_by=user)
    version = _version_create(plan=plan, request=request, parent=None, user=user)
    transaction.on_commit(metrics.plans_created_total.inc)
    return version


@transaction.atomic
def plan_version_execute_again(
    *,
    plan_version: PlanVersion,
    parameters: dict[str, Any] | None = None,
    user: User | None = None,
) -> PlanVersion:
    """Generate the plan again as a new version; the old version is never overwritten.

    The new version starts from the old one's scenario, config, input set and
    parameters; ``parameters`` replaces individual ones.
    """
    merged = {**plan_version.parameters, **(parameters or {})}
    request = plan_validate_request(
        base_scenario=plan_version.base_scenario,
        config_version=plan_version.config_version,
        parameters=merged,
        input_set=plan_version.input_set,
    )
    plan = Plan.objects.select_for_update().get(pk=plan_version.plan_id)
    return _version_create(plan=plan, request=request, parent=plan_version, user=user)


def _version_create(
    *, plan: Plan, request: PlanRequest, parent: PlanVersion | None, user: User | None
) -> PlanVersion:
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        parent=parent,
        base_scenario=request.base_scenario,
        config_version=request.config_version,
        input_set=request.input_set,
        parameters=request.parameters.to_dict(),
        created_by=user,
    )
    job_create(
        job_type=PLANNING,
        subject=version,
        params={"plan_version_id": version.plan_version_id},
        user=user,
        dedupe_key=request.dedupe_key,
    )
    return version
