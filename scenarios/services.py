"""Writes to scenarios and config versions."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.audit import event_record
from core.json_input import JSONInputError, json_problem, parse_json
from scenarios.limits import config_size_problems
from scenarios.models import ConfigVersion, Scenario
from scpln.engine import canonical, psi


@transaction.atomic
def scenario_lock(*, scenario: Scenario, user: User | None, reason: str = "") -> Scenario:
    """Freeze a scenario so no edit, deletion, plan or run touches it.

    Locking a locked scenario is refused rather than silently re-stamped, so
    the record of who locked it first is kept.
    """
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if scenario.locked:
        raise ValidationError(
            {"locked": _("Scenario “%(name)s” is already locked.") % {"name": scenario.name}}
        )
    scenario.locked = True
    scenario.locked_by = user
    scenario.locked_at = timezone.now()
    scenario.lock_reason = reason.strip()
    scenario.save(update_fields=[*Scenario.LOCK_FIELDS, "updated_at"])
    event_record(
        obj=scenario,
        action="lock",
        actor=user,
        from_state="unlocked",
        to_state="locked",
        reason=scenario.lock_reason,
    )
    return scenario


@transaction.atomic
def scenario_unlock(*, scenario: Scenario, user: User | None) -> Scenario:
    """Make a locked scenario editable and usable for plans again."""
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if not scenario.locked:
        raise ValidationError(
            {"locked": _("Scenario “%(name)s” is not locked.") % {"name": scenario.name}}
        )
    scenario.locked = False
    scenario.locked_by = None
    scenario.locked_at = None
    scenario.lock_reason = ""
    scenario.save(update_fields=[*Scenario.LOCK_FIELDS, "updated_at"])
    event_record(
        obj=scenario, action="unlock", actor=user, from_state="locked", to_state="unlocked"
    )
    return scenario


def config_import(
    *,
    document: dict[str, Any] | str | bytes,
    name: str = "",
    description: str = "",
    source_filename: str = "",
    user: User | None = None,
) -> tuple[ConfigVersion, bool]:
    """Validate a canonical-1.0 document and store it as a new config version.

    Returns ``(config_version, created)``. Nothing is written unless the whole
    document is valid; the refusal lists every problem (``path: message``)
    under the ``document`` field; so does a document larger than this
    installation accepts (scenarios/limits.py). A document whose content hash is already
    stored returns that version with ``created=False``: the same network
    imported twice must not become two versions that plans disagree about.
    """
    if isinstance(document, bytes | str):
        try:
            document = parse_json(document)
        except JSONInputError as exc:
            raise ValidationError({"document": [str(exc)]}) from None
    if not isinstance(document, dict):
        raise ValidationError({"document": [_("A canonical config is a JSON object.")]})
    problems = config_document_problems(document) or config_size_problems(document)
    if problems:
        raise ValidationError({"document": problems})
    # One read for checking and loading: a large config's demands are read column-wise once.
    config, report = canonical.read_checked_config(document)
    if report.problems or config is None:
        raise ValidationError(
            {"document": [str(problem) for problem in report.problems]}, code="invalid"
        )
    digest = canonical.content_hash(config)
    existing = ConfigVersion.objects.filter(content_hash=digest).first()
    if existing is not None:
        return existing, False
    fields = dict(
        name=(name or config.meta.name or source_filename or _("unnamed config"))[:200],
        description=description,
        schema_version=config.meta.schema_version,
        document=document,
        content_hash=digest,
        horizon_days=config.horizon_days,
        item_count=len(config.items),
        node_count=len(config.nodes),
        source_filename=source_filename[:255],
        # Every warning the config has: the document's own, then what the network as the
        # simulator compiles it cannot replenish (components no supplier brings, ...).
        warnings=[
            *(str(warning) for warning in report.warnings),
            *psi.config_supply_warnings(config),
        ],
        created_by=user,
    )
    try:
        with transaction.atomic():
            return ConfigVersion.objects.create(**fields), True
    except IntegrityError:
        # A concurrent import of the same content won the race.
        return ConfigVersion.objects.get(content_hash=digest), False


# --- Scenario editing ---------------------------------------------------------------

# Bounds that keep a scenario meaningful (and every number storable on
# SQLite and PostgreSQL alike).
MAX_SCALE = 1_000.0
MAX_LEAD_TIME_SHIFT_DAYS = 3_650
MAX_HORIZON_DAYS = 3_650
MAX_TAGS = 50
# What a scenario changes on top of its config (see scpln.engine.canonical.overrides).
OVERRIDE_FIELDS = (
    "demand_scale",
    "demand_scale_by_item",
    "capacity_scale",
    "capacity_scale_by_node",
    "lead_time_shift_days",
    "initial_inventory_scale",
    "horizon_days",
    "inventory_levels",
)
SCENARIO_FIELDS = ("name", "description", "parent", "tags", *OVERRIDE_FIELDS)
# The edit form leaves the stock levels (set by the optimiser or the API) as they are.
SCENARIO_FORM_FIELDS = tuple(f for f in SCENARIO_FIELDS if f != "inventory_levels")


def scenario_lock_description(scenario: Scenario) -> str:
    """“locked by alice on 27 Nov 2026, 09:12 (reason: quarter close)” for refusals."""
    who = scenario.locked_by.get_username() if scenario.locked_by else _("an operator")
    when = (
        formats.date_format(timezone.localtime(scenario.locked_at), "DATETIME_FORMAT")
        if scenario.locked_at
        else _("an unknown time")
    )
    text = _("locked by %(who)s on %(when)s") % {"who": who, "when": when}
    if scenario.lock_reason:
        text += " " + _("(reason: %(reason)s)") % {"reason": scenario.lock_reason}
    return text


def scenario_validate_editable(*, scenario: Scenario) -> None:
    """Refuse changes to a locked scenario, saying who locked it, when and why."""
    if scenario.locked:
        raise ValidationError(
            {
                "locked": _("Scenario “%(name)s” is %(lock)s; unlock it first.")
                % {"name": scenario.name, "lock": scenario_lock_description(scenario)}
            },
            code="locked",
        )


def _no_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, dict):
        return all(_no_nul(k) and _no_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_no_nul(v) for v in value)
    return True


def _factor_map(value: Any, field: str, errors: dict[str, list[str]]) -> None:
    if not isinstance(value, dict):
        errors.setdefault(field, []).append(_("Expected an object of code → factor."))
        return
    for code, factor in value.items():
        if not isinstance(code, str) or not code.strip() or len(code) > 200:
            errors.setdefault(field, []).append(_("Codes must be non-empty text."))
        if (
            isinstance(factor, bool)
            or not isinstance(factor, int | float)
            or not math.isfinite(factor)
            or not 0 < factor <= MAX_SCALE
        ):
            errors.setdefault(field, []).append(
                _("%(code)s: expected a factor above 0 and at most %(max)g.")
                % {"code": str(code)[:50], "max": MAX_SCALE}
            )


def scenario_validate(fields: dict[str, Any], *, instance: Scenario | None) -> None:
    """Every rule a scenario's fields must meet; all problems at once, by field.

    The preflight of :func:`scenario_create` and :func:`scenario_update` (which
    run it again), for forms that want the errors at their fields first.
    """
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if "name" in fields:
        name = fields["name"]
        if not isinstance(name, str) or not name.strip():
            bad("name", _("A scenario needs a name."))
        elif len(name) > 200:
            bad("name", _("At most 200 characters."))
        else:
            clash = Scenario.objects.filter(name=name.strip())
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                bad("name", _("A scenario named “%(name)s” already exists.") % {"name": name})
    for field, low, inclusive in (
        ("demand_scale", 0.0, False),
        ("capacity_scale", 0.0, False),
        ("initial_inventory_scale", 0.0, True),
    ):
        if field in fields:
            value = fields[field]
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
                and (value >= low if inclusive else value > low)
                and value <= MAX_SCALE
            )
            if not ok:
                bad(
                    field,
                    (
                        _("Expected a number from 0 to %(max)g.")
                        if inclusive
                        else _("Expected a number above 0 and at most %(max)g.")
                    )
                    % {"max": MAX_SCALE},
                )
    if "lead_time_shift_days" in fields:
        shift = fields["lead_time_shift_days"]
        if not isinstance(shift, int) or abs(shift) > MAX_LEAD_TIME_SHIFT_DAYS:
            bad(
                "lead_time_shift_days",
                _("Expected whole days from -%(max)d to %(max)d.")
                % {"max": MAX_LEAD_TIME_SHIFT_DAYS},
            )
    if fields.get("horizon_days") is not None:
        horizon = fields["horizon_days"]
        if not isinstance(horizon, int) or not 1 <= horizon <= MAX_HORIZON_DAYS:
            bad(
                "horizon_days",
                _("Expected whole days from 1 to %(max)d.") % {"max": MAX_HORIZON_DAYS},
            )
    for field in ("demand_scale_by_item", "capacity_scale_by_node"):
        if field in fields:
            _factor_map(fields[field], field, errors)
    if "inventory_levels" in fields:
        try:
            canonical.ScenarioOverrides.from_dict({"inventory_levels": fields["inventory_levels"]})
        except canonical.ConfigError as exc:
            for problem in exc.problems:
                bad("inventory_levels", str(problem))
    if "tags" in fields:
        tags = fields["tags"]
        if (
            not isinstance(tags, list)
            or len(tags) > MAX_TAGS
            or not all(isinstance(t, str) and 0 < len(t) <= 50 for t in tags)
        ):
            bad("tags", _("Expected at most %(max)d tags of 1–50 characters.") % {"max": MAX_TAGS})
    if "parent" in fields and fields["parent"] is not None and instance is not None:
        ancestor: Scenario | None = fields["parent"]
        seen: set[int] = set()
        while ancestor is not None and ancestor.pk not in seen:
            if ancestor.pk == instance.pk:
                bad("parent", _("A scenario cannot descend from itself."))
                break
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
    for field, value in fields.items():
        if field in (
            "name",
            "description",
            "tags",
            "demand_scale_by_item",
            "capacity_scale_by_node",
            "inventory_levels",
        ) and not _no_nul(value):
            bad(field, _("Text may not contain NUL characters."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def scenario_create(*, user: User | None = None, **fields: Any) -> Scenario:
    """Create a scenario from :data:`SCENARIO_FIELDS` (unknown keys are a TypeError)."""
    unknown = set(fields) - set(SCENARIO_FIELDS)
    if unknown:
        raise TypeError(f"unknown scenario fields: {sorted(unknown)}")
    fields.setdefault("name", "")
    scenario_validate(fields, instance=None)
    fields["name"] = fields["name"].strip()
    try:
        with transaction.atomic():
            return Scenario.objects.create(
                created_by=user,
                **fields,
            )
    except IntegrityError:
        raise ValidationError(
            {"name": _("A scenario named “%(name)s” already exists.") % {"name": fields["name"]}}
        ) from None


@transaction.atomic
def scenario_update(*, scenario: Scenario, user: User | None = None, **changes: Any) -> Scenario:
    """Change some of a scenario's fields. A locked scenario is refused (``locked``)."""
    unknown = set(changes) - set(SCENARIO_FIELDS)
    if unknown:
        raise TypeError(f"unknown scenario fields: {sorted(unknown)}")
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    scenario_validate_editable(scenario=scenario)
    scenario_validate(changes, instance=scenario)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    for field, value in changes.items():
        setattr(scenario, field, value)
    try:
        with transaction.atomic():
            scenario.save()
    except IntegrityError:
        raise ValidationError(
            {"name": _("A scenario named “%(name)s” already exists.") % {"name": scenario.name}}
        ) from None
    return scenario


@transaction.atomic
def scenario_delete(*, scenario: Scenario, user: User | None = None) -> None:
    """Delete an unused, unlocked scenario.

    Refused when locked (``locked``) or when plan versions or runs refer to it
    (``scenario``: they keep it as their record of what was planned).
    """
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    scenario_validate_editable(scenario=scenario)
    plans = scenario.plan_versions.count()
    runs = scenario.runs.count()
    if plans or runs:
        raise ValidationError(
            {
                "scenario": _(
                    "Scenario “%(name)s” is used by %(plans)d plan version(s) and %(runs)d "
                    "run(s); it cannot be deleted."
                )
                % {"name": scenario.name, "plans": plans, "runs": runs}
            },
            code="protected",
        )
    event_record(obj=scenario, action="delete", actor=user)
    scenario.delete()


# --- Config versions ---------------------------------------------------------------


def config_validate_update(
    *, name: str | None = None, description: str | None = None, status: str | None = None
) -> None:
    """The rules of :func:`config_update` (its preflight), all problems at once, by field."""
    errors: dict[str, list[str]] = {}
    if name is not None and (not name.strip() or len(name) > 200 or "\x00" in name):
        errors["name"] = [_("Expected 1 to 200 characters.")]
    if description is not None and "\x00" in description:
        errors["description"] = [_("Text may not contain NUL characters.")]
    if status is not None and status not in ConfigVersion.Status.values:
        errors["status"] = [
            _("Expected one of: %(choices)s.") % {"choices": ", ".join(ConfigVersion.Status.values)}
        ]
    if errors:
        raise ValidationError(errors)


def config_update(
    *,
    config: ConfigVersion,
    name: str | None = None,
    description: str | None = None,
    status: str | None = None,
) -> ConfigVersion:
    """Rename, describe or archive a config version; its document never changes."""
    config_validate_update(name=name, description=description, status=status)
    changed = []
    for field, value in (("name", name), ("description", description), ("status", status)):
        if value is not None:
            setattr(config, field, value.strip() if field == "name" else value)
            changed.append(field)
    if changed:
        config.save(update_fields=changed)
    return config


def config_document_problems(document: Any) -> list[str]:
    """Problems that stop a document before canonical validation (storage limits).

    Nesting and NUL characters (core/json_input.py); callers that parsed
    the JSON themselves check these before anything recursive touches it.
    """
    problem = json_problem(document)
    return [problem] if problem else []
