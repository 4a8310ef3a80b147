"""The parameters of one plan version, and the checks a planner gets before a job is queued.

This is the one declaration of what a plan parameter is: each field of
:class:`PlanParameters` carries a :class:`ParameterSpec` (label, help text,
kind, choices, bounds) in its metadata, and the web form, the API serializer
and ``manage.py create_plan`` are derived from it (plans/parameters.py), so
they accept the same names with the same rules. Labels and help texts are
marked for translation with :func:`_` (an identity here: the engine knows no
Django) and translated where they are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import Field, asdict, dataclass, field, fields, replace
from typing import Any, Literal

import pandas as pd

from scpln.engine.canonical import CanonicalConfig
from scpln.engine.canonical.problems import Problem
from scpln.engine.psi.constraints import Constraints

from .calendar import PlanningCalendar
from .inputs import PlanningInputs
from .tables import HorizonGrid

AnchorPolicy = Literal["DET_near", "AGG_far", "blend"]
Carryover = Literal["prev", "next", "both", "auto"]
Rounding = Literal["none", "int", "dec1", "dec2"]
LeadTimeUnit = Literal["day", "week"]
ReleaseRule = Literal["lot", "daily"]

_DECIMALS: dict[str, int | None] = {"none": None, "int": 0, "dec1": 1, "dec2": 2}


def _(text: str) -> str:
    """Marks text for translation (extracted by makemessages, translated where shown)."""
    return text


@dataclass(frozen=True)
class ParameterSpec:
    """How people and programs see one parameter: what it is called and what it accepts.

    ``kind`` is ``days`` (a whole number of days), ``number``, ``date``
    (YYYY-MM-DD), ``choice`` (one of ``choices``, value → label) or ``switch``
    (true or false). Bounds are inclusive. ``advanced`` parameters are tucked away in the web form.
    """

    label: str
    help: str
    kind: Literal["days", "number", "date", "choice", "switch"]
    choices: tuple[tuple[str, str], ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    advanced: bool = False

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)


def spec(
    label: str,
    help: str,
    kind: Literal["days", "number", "date", "choice", "switch"],
    **options: Any,
) -> dict[str, ParameterSpec]:
    """A dataclass field's metadata declaring its :class:`ParameterSpec`."""
    return {"spec": ParameterSpec(label, help, kind, **options)}


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

    horizon_days: int | None = field(
        default=None,
        metadata=spec(
            _("Horizon (days)"),
            _("Empty: the whole planning calendar. Must end at a period end."),
            "days",
            min_value=1,
        ),
    )
    cutover_date: dt.date | None = field(
        default=None,
        metadata=spec(
            _("Cutover date"),
            _("Weeks starting before it are near, the others far. Empty: no anchoring."),
            "date",
        ),
    )
    recon_window_days: int = field(
        default=14,
        metadata=spec(
            _("Reconciliation window (days)"),
            _("Rounded up to whole weeks; default 14."),
            "days",
            min_value=0,
        ),
    )
    anchor_policy: AnchorPolicy = field(
        default="DET_near",
        metadata=spec(
            _("Anchor policy"),
            _("Which plan governs each side of the cutover."),
            "choice",
            choices=(
                ("DET_near", _("The detailed plan governs the near weeks")),
                ("AGG_far", _("The aggregate plan governs the far weeks")),
                ("blend", _("Blend: weight shifts from detail to aggregate across the window")),
            ),
        ),
    )
    carryover: Carryover = field(
        default="auto",
        metadata=spec(
            _("Carryover"),
            _("Where a residual of the reconciliation window goes."),
            "choice",
            choices=(
                ("auto", _("The side holding more first")),
                ("prev", _("To the weeks before the window")),
                ("next", _("To the weeks after the window")),
                ("both", _("Split between both sides")),
            ),
        ),
    )
    carryover_split: float | None = field(
        default=None,
        metadata=spec(
            _("Carryover split"),
            _(
                "Share sent to the weeks after the window when a residual is split between "
                "both sides (0–1). Empty: by anchor policy."
            ),
            "number",
            min_value=0,
            max_value=1,
        ),
    )
    rounding: Rounding = field(
        default="none",
        metadata=spec(
            _("Rounding"),
            _("Decimal places planned quantities are rounded to."),
            "choice",
            choices=(
                ("none", _("none")),
                ("int", _("whole units")),
                ("dec1", _("1 decimal")),
                ("dec2", _("2 decimals")),
            ),
        ),
    )
    lead_time_unit: LeadTimeUnit = field(
        default="day",
        metadata=spec(
            _("Lead-time unit"),
            _("Whether lead times are planned in days or whole weeks."),
            "choice",
            choices=(("day", _("days")), ("week", _("weeks"))),
        ),
    )
    tolerance_abs: float = field(
        default=1e-6,
        metadata=spec(
            _("Absolute tolerance"),
            _("Differences up to this many units count as equal when reconciling."),
            "number",
            min_value=0,
            advanced=True,
        ),
    )
    tolerance_rel: float = field(
        default=1e-6,
        metadata=spec(
            _("Relative tolerance"),
            _("Differences up to this share of the value count as equal when reconciling."),
            "number",
            min_value=0,
            advanced=True,
        ),
    )
    release_rule: ReleaseRule = field(
        default="lot",
        metadata=spec(
            _("Release rule"),
            _(
                "How a run makes each week's planned receipts: one lot from the week's "
                "first working day at the factory's daily capacity (the fixed production "
                "cost is paid on the days the volume needs), or evenly over the week's "
                "working days."
            ),
            "choice",
            choices=(
                ("lot", _("One lot from the week's first working day")),
                ("daily", _("Evenly over the week's working days")),
            ),
        ),
    )
    material_constrained: bool = field(
        default=True,
        metadata=spec(
            _("Material-constrained"),
            _(
                "On: components nothing supplies are limited to their stock, and the plan "
                "says how much they cut. Off: they are assumed available and reported as "
                "exceptions; the plan's run assumes the same."
            ),
            "switch",
        ),
    )
    capacity_constrained: bool = field(
        default=True,
        metadata=spec(
            _("Capacity-constrained"),
            _(
                "On: each factory's capacity rule as configured (hard capacity cuts, soft "
                "capacity may be exceeded at a cost), in the plan and its run alike. Off: no "
                "capacity cuts anything."
            ),
            "switch",
        ),
    )
    lead_time_constrained: bool = field(
        default=True,
        metadata=spec(
            _("Lead-time-constrained"),
            _(
                "On: an order whose release falls before the start arrives a lead time after "
                "it, late. Off: it is assumed on time (expedited)."
            ),
            "switch",
        ),
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


def parameter_specs() -> dict[str, ParameterSpec]:
    """Every plan parameter's spec, by name, in declaration order."""
    return {f.name: _spec(f) for f in fields(PlanParameters)}


def parameter_default(name: str) -> Any:
    """scpln's own default of a parameter (before an input set's defaults)."""
    return next(f.default for f in fields(PlanParameters) if f.name == name)


def _spec(f: Field[Any]) -> ParameterSpec:
    spec: ParameterSpec = f.metadata["spec"]
    return spec


def parse_parameters(data: Mapping[str, Any]) -> tuple[PlanParameters | None, list[Problem]]:
    """Parameters from JSON-like data (a form, an API body, a stored version), with problems.

    None means "the default". Every problem names its parameter.
    """
    specs = parameter_specs()
    problems = [Problem(str(key), "is not a plan parameter") for key in data if key not in specs]
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in specs or value is None:
            continue
        parsed = _parse_value(key, specs[key], value, problems)
        if parsed is not None:
            values[key] = parsed
    if problems:
        return None, problems
    return PlanParameters(**values), []


def _parse_value(name: str, spec: ParameterSpec, value: Any, problems: list[Problem]) -> Any:
    if spec.kind == "date":
        return _as_date(name, value, problems)
    if spec.kind == "switch":
        if not isinstance(value, bool):
            problems.append(Problem(name, f"must be true or false, not {value!r}"))
            return None
        return value
    if spec.kind == "choice":
        if value not in spec.values:
            problems.append(
                Problem(name, f"must be one of {', '.join(spec.values)}, not {value!r}")
            )
            return None
        return value
    whole = spec.kind == "days"
    if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
        kind = "a whole number of days" if whole else "a number"
        problems.append(Problem(name, f"must be {kind}, not {value!r}"))
        return None
    if spec.min_value is not None and not value >= spec.min_value:
        problems.append(Problem(name, f"must be ≥ {spec.min_value:g}, not {value}"))
    elif spec.max_value is not None and not value <= spec.max_value:
        problems.append(Problem(name, f"must be ≤ {spec.max_value:g}, not {value}"))
    return value


def _as_date(name: str, value: Any, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem(name, f"must be a date YYYY-MM-DD, not {value!r}"))
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


def horizon_grid(inputs: PlanningInputs, params: PlanParameters) -> HorizonGrid:
    return HorizonGrid(horizon_calendar(inputs, params), inputs.skus)


def validate_parameters(params: PlanParameters, inputs: PlanningInputs) -> list[Problem]:
    """Every parameter that does not fit the inputs, each naming its field."""
    problems: list[Problem] = []
    for name, spec in parameter_specs().items():
        value = getattr(params, name)
        if value is not None:
            _parse_value(name, spec, value, problems)
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


EXECUTION_PARAMETERS = (
    "release_rule",
    "material_constrained",
    "capacity_constrained",
    "lead_time_constrained",
)


def execution_parameters(params: PlanParameters) -> dict[str, Any]:
    """The parameters that decide how a run executes the plan, as stored data: what a
    run keeps so that a re-run executes the plan the same way (:func:`plan_execution`
    of the parameters parsed back)."""
    return {name: getattr(params, name) for name in EXECUTION_PARAMETERS}


def _horizon_problems(days: int, calendar: PlanningCalendar) -> list[Problem]:
    if days < 1:
        return []  # below the spec's minimum, reported with it
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
