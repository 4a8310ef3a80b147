"""Writes of the workbench: edits and locks (one PATCH, one transaction), drafts, recalculation.

A plan version is never changed in place. The first edit of an executed (or rejected) version
makes a draft child (``parent`` = that version; its tables copied, its locks carried over);
edits go to that draft until a recalculation turns it into an executed plan again. Approved
and released versions are read-only (409). Each applied PATCH raises the draft's revision by
one and is one audit event (who, when, every cell old → new, the note); a PATCH that carries
an older revision is refused with the current values (409), so no update is lost unseen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import event_record
from core.errors import Conflict
from jobs.models import Job
from jobs.services import job_create
from plans.models import CellEdit, CellLock, Plan, PlanArtifact, PlanVersion, Workbench
from plans.workbench.selectors import is_workbench_draft, open_draft, revision_of
from plans.workbench.sheets import NoSheet, locks_of, sheet_load
from scpln.engine import workbench as wb

RECALCULATE = "recalculate"  # the job type (plans/handlers.py)
# Versions whose edits start a draft child; others are in review, read-only or not plans yet.
EDITABLE_SOURCES = (PlanVersion.State.EXECUTED, PlanVersion.State.REJECTED)
# What a draft takes over from its parent, and of each of its parent's tables.
DRAFT_INHERITS = (
    "base_scenario_id",
    "config_version_id",
    "input_set_id",
    "parameters",
    "kpis",
)
TABLE_COPIES = ("kind", "name", "params", "columns", "row_count", "data")
# Cells listed in one audit event at most (the count is always there).
EVENT_CELLS = 5000


class StaleRevision(Conflict):
    """The edit was made on an older revision (409 with the current values)."""

    def __init__(
        self, message: str, *, version: PlanVersion, revision: int, current: list[dict[str, Any]]
    ) -> None:
        super().__init__(message)
        self.version = version
        self.revision = revision
        self.current = current


@dataclass(frozen=True)
class Distribution:
    """How an aggregate edit is spread over its unlocked detail cells. ``weights`` (mode
    ``weights``): SKU row key → a weight for all its cells, or → {ISO week → weight} for a
    per-SKU-week distribution (weeks and SKUs not named weigh 0)."""

    mode: wb.Mode = "proportional"
    weights: Mapping[str, Any] = field(default_factory=dict)
    round_step: float | None = None


@dataclass
class EditOutcome:
    version: PlanVersion
    revision: int
    changed: list[dict[str, Any]]
    refused: list[dict[str, Any]]
    locks: list[dict[str, Any]]


def workbench_edit(
    *,
    version: PlanVersion,
    revision: int,
    edits: Sequence[Mapping[str, Any]] = (),
    locks: Sequence[Mapping[str, Any]] = (),
    distribution: Distribution | None = None,
    note: str = "",
    user: User | None = None,
) -> EditOutcome:
    """Apply edits, then locks, to ``version``'s draft in one transaction (see the module).

    Edits name a row ``key``, a ``measure``, a ``period`` and a ``value``: a SKU key sets one
    detail cell (week), a family key sets a family × period cell by distributing it over its
    unlocked SKU-weeks. Bad input is a ``ValidationError`` naming ``edits``/``locks``/
    ``distribute`` and the position; a target the locks make impossible is one on ``edits``
    naming the locked cells and the amount — nothing is applied either way. Edits of locked
    cells are not applied and come back as ``refused``.
    """
    distribution = distribution or Distribution()
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        target, parent = _target(version, revision)
        sheet = sheet_load(target if parent is None else parent)
        current_locks = locks_of(target if parent is None else parent)
        changes, refused = _apply_edits(sheet, current_locks, edits, distribution)
        lock_changes = _lock_changes(sheet, current_locks, locks)
        if not changes and not lock_changes:
            return EditOutcome(target if parent is None else parent, revision, [], refused, [])
        if parent is not None:
            target = _draft_create(parent=parent, user=user)
        now = timezone.now()
        _store_edits(target, sheet, changes, user, now)
        _store_locks(target, lock_changes, user, now)
        new_revision = _bump(target)
        changed = [_cell(sheet, c) for c in changes]
        event_record(
            obj=target,
            action="psi_edit",
            actor=user,
            reason=note,
            data={
                "revision": new_revision,
                "cell_count": len(changed),
                "cells": changed[:EVENT_CELLS],
                "locks": lock_changes,
                "edits": [dict(e) for e in edits][:EVENT_CELLS],
            },
        )
    return EditOutcome(target, new_revision, changed, refused, lock_changes)


def _target(version: PlanVersion, revision: int) -> tuple[PlanVersion, PlanVersion | None]:
    """(the draft to edit, None) or (None-yet: its parent) after checking state and revision."""
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_read_only:
        raise Conflict(
            _("Plan version %(pv)s is %(state)s and read-only; execute it again to change it.")
            % {"pv": locked.pk, "state": locked.get_state_display().lower()}
        )
    if is_workbench_draft(locked):
        current = Workbench.objects.select_for_update().get(pk=locked.pk).revision
        if revision != current:
            raise _stale(locked, current)
        return locked, None
    if locked.state not in EDITABLE_SOURCES:
        raise Conflict(
            _("Plan version %(pv)s is %(state)s; only an executed or rejected plan can be edited.")
            % {"pv": locked.pk, "state": locked.get_state_display().lower()}
        )
    draft = open_draft(locked)
    if draft is not None:
        raise _stale(draft, revision_of(draft), moved=True)
    if revision != revision_of(locked):
        raise _stale(locked, revision_of(locked))
    return locked, locked


def _stale(version: PlanVersion, current: int, *, moved: bool = False) -> StaleRevision:
    message = (
        _("This plan is being edited in draft %(pv)s (revision %(revision)d); edit that draft.")
        if moved
        else _("Plan version %(pv)s changed meanwhile (now revision %(revision)d); reload it.")
    ) % {"pv": version.pk, "revision": current}
    return StaleRevision(message, version=version, revision=current, current=[])


def _number(value: Any, where: str, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError({"edits": _("%(where)s: expected a number.") % {"where": where}})
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(
            {"edits": _("%(where)s: %(value)r is not a number.") % {"where": where, "value": value}}
        ) from None
    if not math.isfinite(number):
        raise ValidationError(
            {"edits": _("%(where)s: expected a finite number.") % {"where": where}}
        )
    return number


def _apply_edits(
    sheet: wb.Sheet,
    locks: list[tuple[str, str | None]],
    edits: Sequence[Mapping[str, Any]],
    distribution: Distribution,
) -> tuple[list[wb.CellChange], list[dict[str, Any]]]:
    locked = sheet.locked_mask(locks)
    sku_at = {wb.sku_key(s): i for i, s in enumerate(sheet.skus)}
    family_at = {wb.family_key(f): i for i, f in enumerate(sheet.families)}
    week_at = {w: i for i, w in enumerate(sheet.weeks)}
    period_at = {p: i for i, p in enumerate(sheet.periods)}
    weights = _weights(distribution, sku_at, week_at)
    # Net effect per cell: an edit that sets a cell twice records its first old and last new.
    first_old: dict[tuple[str, int, int], float] = {}
    refused: list[dict[str, Any]] = []
    for position, edit in enumerate(edits, start=1):
        where = _("edit %(n)d") % {"n": position}
        key, measure, period = (
            str(edit.get("key", "")),
            str(edit.get("measure", "")),
            edit.get("period"),
        )
        value = _number(edit.get("value"), where)
        assert value is not None
        if measure not in wb.EDITABLE:
            raise ValidationError(
                {
                    "edits": _("%(where)s: %(measure)r cannot be edited (editable: %(editable)s).")
                    % {"where": where, "measure": measure, "editable": ", ".join(wb.EDITABLE)}
                }
            )
        if value < 0:
            raise ValidationError(
                {
                    "edits": _("%(where)s: %(measure)s cannot be negative.")
                    % {"where": where, "measure": measure}
                }
            )
        try:
            if key in sku_at:
                if period not in week_at:
                    raise _bad_period(where, period, weekly=True)
                cell_changes = wb.edit_detail(
                    sheet, locked, measure, sku_at[key], week_at[period], value
                )
            elif key in family_at:
                if period not in period_at:
                    raise _bad_period(where, period, weekly=False)
                family, p = family_at[key], period_at[period]
                try:
                    cell_changes = wb.edit_aggregate(
                        sheet,
                        locked,
                        measure,
                        family,
                        p,
                        value,
                        mode=distribution.mode,
                        weights=weights,
                        step=distribution.round_step,
                    )
                except wb.Unplaceable as exc:
                    cells = wb.unplaceable_cells(sheet, locked, family, p, measure)
                    raise ValidationError(
                        {
                            "edits": _(
                                "%(where)s: %(key)s %(measure)s %(period)s = %(value)s cannot be "
                                "placed: %(amount)s is left over (%(reason)s). Locked cells: "
                                "%(cells)s."
                            )
                            % {
                                "where": where,
                                "key": key,
                                "measure": measure,
                                "period": period,
                                "value": f"{value:g}",
                                "amount": f"{abs(exc.amount):g}",
                                "reason": exc.reason,
                                "cells": ", ".join(f"{k} {w}" for k, w in cells[:20]) or _("none"),
                            }
                        }
                    ) from None
            else:
                raise ValidationError(
                    {
                        "edits": _("%(where)s: no row %(key)r in this plan.")
                        % {"where": where, "key": key}
                    }
                )
        except wb.LockedCell:
            refused.append(
                {
                    "key": key,
                    "measure": measure,
                    "period": period,
                    "value": value,
                    "reason": "locked",
                }
            )
            continue
        for change in cell_changes:
            first_old.setdefault((change.measure, change.row, change.week), change.old)
    changes = []
    for (measure, row, week), old in first_old.items():
        new = float(sheet.values[measure][row, week])
        if new != old:
            changes.append(wb.CellChange(measure, row, week, old, new))
    return changes, refused


def _bad_period(where: str, period: Any, *, weekly: bool) -> ValidationError:
    # Two whole sentences, not one with the word interpolated: a language names them its way.
    message = (
        _("%(where)s: %(period)r is not a week of this plan.")
        if weekly
        else _("%(where)s: %(period)r is not a period of this plan.")
    )
    return ValidationError({"edits": message % {"where": where, "period": period}})


def _weights(
    distribution: Distribution, sku_at: Mapping[str, int], week_at: Mapping[str, int]
) -> dict[int, wb.Weight]:
    if distribution.mode not in wb.MODES:
        raise ValidationError(
            {"distribute": _("Unknown mode %(mode)r.") % {"mode": distribution.mode}}
        )
    if distribution.round_step is not None and not (
        math.isfinite(distribution.round_step) and distribution.round_step > 0
    ):
        raise ValidationError({"distribute": _("round_step must be a positive number.")})
    out: dict[int, wb.Weight] = {}
    for key, weight in distribution.weights.items():
        if key not in sku_at:
            raise ValidationError({"distribute": _("weights: no SKU row %(key)r.") % {"key": key}})
        if isinstance(weight, Mapping):
            by_week: dict[int, float] = {}
            for week, value in weight.items():
                if week not in week_at:
                    message = _("weights: %(key)s: %(week)r is not a week of this plan.")
                    raise ValidationError({"distribute": message % {"key": key, "week": week}})
                by_week[week_at[week]] = _weight(value, f"{key} {week}")
            out[sku_at[key]] = by_week
        else:
            out[sku_at[key]] = _weight(weight, key)
    if distribution.mode == "weights" and not out:
        raise ValidationError({"distribute": _("Mode “weights” needs weights by SKU row key.")})
    return out


def _weight(value: Any, where: str) -> float:
    """A weight of ``distribute.weights``: a finite number ≥ 0 (400 naming its key)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(
            {"distribute": _("weights: %(key)s: expected a number.") % {"key": where}}
        )
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValidationError(
            {"distribute": _("weights: %(key)s must not be negative.") % {"key": where}}
        )
    return number


def _lock_changes(
    sheet: wb.Sheet, current: list[tuple[str, str | None]], locks: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The lock requests that change something, validated (keys, periods of the key's level)."""
    skus = {wb.sku_key(s) for s in sheet.skus}
    families = {wb.family_key(f) for f in sheet.families}
    state = set(current)
    out = []
    for position, lock in enumerate(locks, start=1):
        where = _("lock %(n)d") % {"n": position}
        key, period, on = str(lock.get("key", "")), lock.get("period"), lock.get("locked", True)
        if key not in skus and key not in families:
            raise ValidationError(
                {
                    "locks": _("%(where)s: no row %(key)r in this plan.")
                    % {"where": where, "key": key}
                }
            )
        valid = sheet.weeks if key in skus else sheet.periods
        if period is not None and period not in valid:
            raise ValidationError(
                {
                    "locks": _("%(where)s: %(period)r is not a period of row %(key)s.")
                    % {"where": where, "period": period, "key": key}
                }
            )
        if not isinstance(on, bool):
            raise ValidationError(
                {"locks": _("%(where)s: locked must be true or false.") % {"where": where}}
            )
        if on == ((key, period) in state):
            continue
        (state.add if on else state.discard)((key, period))
        out.append({"key": key, "period": period, "locked": on})
    return out


def _draft_create(*, parent: PlanVersion, user: User | None) -> PlanVersion:
    """A draft child of ``parent`` with its tables and locks (its number is the plan's next)."""
    plan = Plan.objects.select_for_update().get(pk=parent.plan_id)
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = PlanVersion.objects.create(
        plan=plan,
        number=number,
        parent=parent,
        state=PlanVersion.State.DRAFT,
        created_by=user,
        **{name: getattr(parent, name) for name in DRAFT_INHERITS},
    )
    PlanArtifact.objects.bulk_create(
        PlanArtifact(plan_version=draft, **{name: getattr(a, name) for name in TABLE_COPIES})
        for a in PlanArtifact.objects.filter(plan_version=parent).exclude(
            kind=PlanArtifact.Kind.AGGREGATION
        )
    )
    CellLock.objects.bulk_create(
        CellLock(plan_version=draft, key=k, period=p, locked_by_id=lk)
        for k, p, lk in CellLock.objects.filter(plan_version=parent).values_list(
            "key", "period", "locked_by"
        )
    )
    Workbench.objects.create(plan_version=draft)
    event_record(obj=draft, action="psi_draft", actor=user, data={"parent": parent.pk})
    return draft


def _store_edits(
    version: PlanVersion, sheet: wb.Sheet, changes: list[wb.CellChange], user: User | None, now: Any
) -> None:
    """Insert or update the changed cells in one statement a batch.

    One SQL upsert executed for many rows (SQLite and PostgreSQL share the syntax) instead of
    the ORM's ``bulk_create(update_conflicts=True)``, which builds a model instance and its
    SQL per cell: a 1,000-cell PATCH must commit in under 300 ms (bench/bench_workbench.py).
    """
    if not changes:
        return
    table = connection.ops.quote_name(CellEdit._meta.db_table)
    sql = (
        f"INSERT INTO {table} (plan_version_id, sku, measure, week, value, edited_at, "
        "edited_by_id) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (plan_version_id, sku, measure, week) DO UPDATE SET "
        "value = excluded.value, edited_at = excluded.edited_at, "
        "edited_by_id = excluded.edited_by_id"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    user_id = user.pk if user is not None else None
    rows = [
        (version.pk, sheet.skus[c.row], c.measure, sheet.weeks[c.week], c.new, stamp, user_id)
        for c in changes
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _store_locks(
    version: PlanVersion, changes: list[dict[str, Any]], user: User | None, now: Any
) -> None:
    for change in changes:
        period = change["period"] or ""
        if change["locked"]:
            CellLock.objects.get_or_create(
                plan_version=version,
                key=change["key"],
                period=period,
                defaults={"locked_at": now, "locked_by": user},
            )
        else:
            CellLock.objects.filter(plan_version=version, key=change["key"], period=period).delete()


def _bump(version: PlanVersion) -> int:
    bench = Workbench.objects.select_for_update().get(pk=version.pk)
    bench.revision += 1
    bench.save(update_fields=["revision", "updated_at"])
    PlanVersion.objects.filter(pk=version.pk).update(updated_at=timezone.now())
    return bench.revision


def _cell(sheet: wb.Sheet, change: wb.CellChange) -> dict[str, Any]:
    return {
        "key": wb.sku_key(sheet.skus[change.row]),
        "measure": change.measure,
        "period": sheet.weeks[change.week],
        "old": change.old,
        "new": change.new,
    }


def current_cells(version: PlanVersion, edits: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The current values of the cells a refused (stale) edit named, for the 409 body."""
    try:
        sheet = sheet_load(version)
    except NoSheet:
        return []
    sku_at = {wb.sku_key(s): i for i, s in enumerate(sheet.skus)}
    family_at = {wb.family_key(f): i for i, f in enumerate(sheet.families)}
    week_at = {w: i for i, w in enumerate(sheet.weeks)}
    period_at = {p: i for i, p in enumerate(sheet.periods)}
    out = []
    for edit in edits:
        key, measure, period = edit.get("key"), edit.get("measure"), edit.get("period")
        if measure not in sheet.values:
            continue
        if key in sku_at and period in week_at:
            value = float(sheet.values[measure][sku_at[key], week_at[period]])
        elif key in family_at and period in period_at:
            value = float(sheet.rollup(measure)[family_at[key], period_at[period]])
        else:
            continue
        out.append({"key": key, "measure": measure, "period": period, "value": value})
    return out


def workbench_recalculate(*, version: PlanVersion, user: User | None = None) -> Job:
    """Queue the recalculation of an edited draft (MRP → reconcile → final plan, then its run).

    Only a draft still open for edits is recalculated (409 otherwise)."""
    if not is_workbench_draft(version):
        raise Conflict(
            _("Plan version %(pv)s is not an edited draft; edit its grid first.")
            % {"pv": version.pk}
        )
    return job_create(
        job_type=RECALCULATE,
        subject=version,
        params={"plan_version_id": version.pk},
        user=user,
        dedupe_key=f"recalculate:{version.pk}:{revision_of(version)}",
    )


__all__ = [
    "RECALCULATE",
    "Distribution",
    "EditOutcome",
    "StaleRevision",
    "current_cells",
    "workbench_edit",
    "workbench_recalculate",
]
