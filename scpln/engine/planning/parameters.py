"""The parameters of one plan version, and the checks a planner gets before a job is queued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal, get_args

import pandas as pd

from scpln.engine.canonical import CanonicalConfig
from scpln.engine.canonical.problems import Problem
from scpln.engine.psi.constraints import Constraints

from .calendar import PlanningCalendar
from .inputs import PlanningInputs

AnchorPolicy = Literal["DET_near", "AGG_far", "blend"]
Carryover = Literal["prev", "next", "both", "auto"]
Rounding = Literal["none", "int", "dec1", "dec2"]
LeadTimeUnit = Literal["day", "week"]
ReleaseRule = Literal["lot", "daily"]

_DECIMALS: dict[str, int | None] = {"none": None, "int": 0, "dec1": 1, "dec2": 2}
_CHOICES: dict[str, tuple[str, ...]] = {
    "anchor_policy": get_args(AnchorPolicy),
    "carryover": get_args(Carryover),
    "rounding": get_args(Rounding),
    "lead_time_unit": get_args(LeadTimeUnit),
    "release_rule": get_args(ReleaseRule),
}
_SWITCHES = ("material_constrained", "capacity_constrained", "lead_time_constrained")


@dataclass(frozen=True)
class PlanParameters:
    """How a plan version is computed; see docs/planning.md for each field's effect.

    ``horizon_days`` counts from the calendar's first day and must end at a period end
    (None: the whole calendar). ``cutover_date`` splits the horizon into the near part (weeks
    starting before it) and the far part (None: the whole horizon is near, no anchoring).
    ``recon_window_days`` is the reconciliation window, in whole weeks rounded up, on both sides
    of the cutover and for capacity pull-in. ``carryover_split`` is the share of a residual sent
    to the next side under ``carryover="both"`` (None: 0.8 for DET_near and blend, 0.2 for AGG_far).
    """

    horizon_days: int | None = None
    cutover_date: dt.date | None = None
    recon_window_days: int = 14
    anchor_policy: AnchorPolicy = "DET_near"
    carryover: Carryover = "auto"
    carryover_split: float | None = None
    rounding: Rounding = "none"
    lead_time_unit: LeadTimeUnit = "day"
    tolerance_abs: float = 1e-6
    tolerance_rel: float = 1e-6
    release_rule: ReleaseRule = field(
        default="lot",
        metadata={
            "label": "Release rule",
            "help": (
                "How a run makes each week's planned receipts: 'lot' — one lot from the "
                "week's first working day at the factory's daily capacity (the fixed "
                "production cost is paid on the days the volume needs); 'daily' — evenly "
                "over the week's working days."
            ),
        },
    )
    material_constrained: bool = field(
        default=True,
        metadata={
            "label": "Material-constrained",
            "help": (
                "On: components nothing supplies are limited to their stock, and the plan "
                "says what they cut (component_short). Off: they are assumed available and "
                "reported as exceptions (material_assumed); the plan's run assumes the same."
            ),
        },
    )
    capacity_constrained: bool = field(
        default=True,
        metadata={
            "label": "Capacity-constrained",
            "help": (
                "On: each factory's capacity rule as configured (hard capacity cuts, soft "
                "capacity may be exceeded at a cost), in the plan and its run alike. Off: no "
                "capacity cuts anything."
            ),
        },
    )
    lead_time_constrained: bool = field(
        default=True,
        metadata={
            "label": "Lead-time-constrained",
            "help": (
                "On: an order whose release falls before the start arrives a lead time after "
                "it (late_receipts). Off: it is assumed on time (expedited_receipts)."
            ),
        },
    )

    @property
    def decimals(self) -> int | None:
        """Decimal places quantities are rounded to (None: not rounded)."""
        return _DECIMALS[self.rounding]

    @property
    def window_weeks(self) -> int:
        return -(-max(self.recon_window_days, 0) // 7)

    @property
    def next_share(self) -> float:
        if self.carryover_split is not None:
            return self.carryover_split
        return 0.2 if self.anchor_policy == "AGG_far" else 0.8

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (the cutover as ISO text), as a plan version stores them."""
        data = asdict(self)
        if self.cutover_date is not None:
            data["cutover_date"] = self.cutover_date.isoformat()
        return data


def parse_parameters(data: Mapping[str, Any]) -> tuple[PlanParameters | None, list[Problem]]:
    """Parameters from JSON-like data (a form, an API body, a stored version), with problems."""
    known = {f.name for f in fields(PlanParameters)}
    problems = [Problem(str(key), "is not a plan parameter") for key in data if key not in known]
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known or value is None:
            continue
        if key == "cutover_date":
            values[key] = _as_date(value, problems)
        elif key in _CHOICES:
            if value not in _CHOICES[key]:
                problems.append(
                    Problem(key, f"must be one of {', '.join(_CHOICES[key])}, not {value!r}")
                )
            values[key] = value
        elif key in _SWITCHES:
            if not isinstance(value, bool):
                problems.append(Problem(key, f"must be true or false, not {value!r}"))
            values[key] = value
        elif key in ("horizon_days", "recon_window_days"):
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(Problem(key, f"must be a whole number of days, not {value!r}"))
            values[key] = value
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(Problem(key, f"must be a number, not {value!r}"))
            values[key] = value
    if problems:
        return None, problems
    return PlanParameters(**values), []


def _as_date(value: Any, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem("cutover_date", f"must be a date YYYY-MM-DD, not {value!r}"))
        return None


class PlanParametersError(ValueError):
    """Parameters that do not fit the inputs; carries every problem, each naming its field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def default_parameters(inputs: PlanningInputs, **overrides: Any) -> PlanParameters:
    """The calendar file's ``planning_params`` as parameters, then ``overrides`` on top.

    A default the calendar spells in a way scpln does not accept is left at scpln's default.
    ``overrides`` are read like stored JSON (``cutover_date="2025-04-01"`` is a date), so a
    caller gets a :class:`PlanParametersError` naming the field instead of a ``TypeError``
    deep inside validation.
    """
    mapping = {
        "default_anchor_policy": "anchor_policy",
        "carryover_mode": "carryover",
        "carryover_split": "carryover_split",
        "lt_unit": "lead_time_unit",
        "recon_window_days": "recon_window_days",
        "tolerance_abs": "tolerance_abs",
        "tolerance_rel": "tolerance_rel",
    }
    base = PlanParameters()
    for source, target in mapping.items():
        if source in inputs.defaults:
            candidate, problems = parse_parameters({target: inputs.defaults[source]})
            if candidate is not None and not problems:
                base = replace(base, **{target: getattr(candidate, target)})
    parsed, problems = parse_parameters(overrides)
    if parsed is None:
        raise PlanParametersError(problems)
    # An explicit None clears a default (no cutover, the policy's carryover split).
    changes: dict[str, Any] = {
        key: None if value is None else getattr(parsed, key) for key, value in overrides.items()
    }
    return replace(base, **changes)


def horizon_end(params: PlanParameters, calendar: PlanningCalendar) -> dt.date:
    if params.horizon_days is None:
        return calendar.end
    return calendar.start + dt.timedelta(days=params.horizon_days - 1)


def run_days(params: PlanParameters, inputs: PlanningInputs, config: CanonicalConfig) -> int:
    """How many days a PSI run of the plan simulates: from the config's start date to the
    plan's horizon end (never past the config's own horizon), so the run's KPIs cover the
    same days as the plan's, and a plan of 181 days is not compared with a run of 365."""
    days = (horizon_end(params, inputs.calendar) - config.start_date).days + 1
    return max(1, min(days, config.horizon_days))


def horizon_calendar(inputs: PlanningInputs, params: PlanParameters) -> PlanningCalendar:
    """The calendar cut at the horizon end (which :func:`validate_parameters` checked)."""
    if params.horizon_days is None:
        return inputs.calendar
    return inputs.calendar.truncate(horizon_end(params, inputs.calendar))


def validate_parameters(params: PlanParameters, inputs: PlanningInputs) -> list[Problem]:
    """Every parameter that does not fit the inputs, each naming its field."""
    problems: list[Problem] = []
    for name, choices in _CHOICES.items():
        value = getattr(params, name)
        if value not in choices:
            problems.append(Problem(name, f"must be one of {', '.join(choices)}, not {value!r}"))
    calendar = inputs.calendar
    end = calendar.end
    if params.horizon_days is not None:
        problems += _horizon_problems(params.horizon_days, calendar)
        end = horizon_end(params, calendar)
    if params.cutover_date is not None:
        if params.cutover_date < calendar.start:
            problems.append(
                Problem(
                    "cutover_date",
                    f"{params.cutover_date} is before the start of the horizon ({calendar.start})",
                )
            )
        elif params.cutover_date > end:
            problems.append(
                Problem(
                    "cutover_date",
                    f"{params.cutover_date} is after the end of the horizon ({end})",
                )
            )
    if params.recon_window_days < 0:
        problems.append(
            Problem("recon_window_days", f"must be ≥ 0, not {params.recon_window_days}")
        )
    if params.carryover_split is not None and not 0 <= params.carryover_split <= 1:
        problems.append(
            Problem("carryover_split", f"must be between 0 and 1, not {params.carryover_split}")
        )
    for name in ("tolerance_abs", "tolerance_rel"):
        if not getattr(params, name) >= 0:
            problems.append(Problem(name, f"must be ≥ 0, not {getattr(params, name)}"))
    for name in _SWITCHES:
        if not isinstance(getattr(params, name), bool):
            problems.append(Problem(name, f"must be true or false, not {getattr(params, name)!r}"))
    return problems


def run_constraints(params: PlanParameters) -> Constraints:
    """The plan's constraint switches as a PSI run keeps them."""
    return Constraints(
        material=params.material_constrained,
        capacity=params.capacity_constrained,
        lead_time=params.lead_time_constrained,
    )


def plan_execution(params: PlanParameters) -> dict[str, Any]:
    """How a run executes the plan: ``PlanSchedule.from_frame(frame, start_date=...,
    **plan_execution(params))`` — the release rule and the constraints it was made under."""
    return {"release_rule": params.release_rule, "constraints": run_constraints(params)}


def _horizon_problems(days: int, calendar: PlanningCalendar) -> list[Problem]:
    if days < 1:
        return [Problem("horizon_days", f"must be at least 1, not {days}")]
    last = calendar.start + dt.timedelta(days=days - 1)
    ends = calendar.periods["end"].dt.date.tolist()
    choices = [(e - calendar.start).days + 1 for e in ends]
    if last > calendar.end:
        return [
            Problem(
                "horizon_days",
                f"{days} days end on {last}, after the planning calendar ends ({calendar.end}); "
                f"at most {choices[-1]}",
            )
        ]
    if last not in ends:
        period = calendar.periods.iloc[int(calendar.period_index_of(pd.Series([last]))[0])]
        fits = ", ".join(str(c) for c in choices)
        return [
            Problem(
                "horizon_days",
                f"{days} days end on {last}, inside period {period['period']}; "
                f"the horizon must end at a period end ({fits} days)",
            )
        ]
    return []
