"""Comparing runs: KPIs side by side, deltas against a base, and what differs.

Definitions (also in docs/api.md):

- ``delta`` = value − base value.
- ``delta_pct`` = 100 × (value − base) / |base|. When the base is 0 it is 0
  if the value is 0 too, and null (undefined) otherwise.
- With a ``threshold`` (in percent), a KPI of a run is ``significant`` when
  |delta_pct| ≥ threshold, or when the base is 0 and the value is not.
  Without a threshold ``significant`` is null. The base run is never
  significant against itself.
- A KPI missing (or not a number) on either side has null deltas and is not
  significant.

KPIs are the numeric entries of each run's summary, nested ones flattened
with dots (``costs.storage``); headline KPIs come first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from runs.models import HEADLINE_KPIS, Run, RunTombstone
from runs.registry import get_registry
from scenarios.models import ConfigVersion
from scpln.engine.canonical import ConfigError
from scpln.engine.canonical.diff import diff_configs, field_changes

MAX_RUNS = 10
# A config diff between two large networks can list thousands of rows; the
# comparison shows the counts and the first rows of each kind.
DIFF_ROWS_SHOWN = 50


@dataclass
class KpiRow:
    kpi: str
    values: dict[str, float | None]
    delta: dict[str, float | None] = field(default_factory=dict)
    delta_pct: dict[str, float | None] = field(default_factory=dict)
    significant: dict[str, bool | None] = field(default_factory=dict)


@dataclass
class Comparison:
    base: Run
    runs: list[Run]
    threshold: float | None
    kpis: list[KpiRow]
    differences: list[dict[str, Any]]

    def csv_rows(self) -> tuple[list[str], list[list[Any]]]:
        """Header and rows: KPI, each run's value, then each other run's deltas."""
        ids = [str(run.run_id) for run in self.runs]
        others = [rid for rid in ids if rid != str(self.base.run_id)]
        header = ["kpi", *ids]
        for rid in others:
            header += [f"delta {rid}", f"delta_pct {rid}", f"significant {rid}"]
        rows = []
        for row in self.kpis:
            line: list[Any] = [row.kpi, *(_blank(row.values.get(rid)) for rid in ids)]
            for rid in others:
                line += [
                    _blank(row.delta.get(rid)),
                    _blank(row.delta_pct.get(rid)),
                    _blank(row.significant.get(rid)),
                ]
            rows.append(line)
        return header, rows


def run_compare(
    *,
    run_ids: Sequence[uuid.UUID],
    base_id: uuid.UUID | None = None,
    threshold: float | None = None,
) -> Comparison:
    """Compare up to 10 runs against ``base_id``.

    Without ``base_id`` the base is the baseline of the first run's plan when
    it has one (added to the comparison if it is not among the ids, which is
    how one run is compared with its baseline), else the first run. Raises
    ``ValidationError`` on ``ids`` (too few, too many, repeated, unknown, or
    removed — naming when and where to) or ``base`` (not among the ids).
    """
    ids = list(run_ids)
    if base_id is None and ids:
        baseline = _baseline_of(ids[0])
        if baseline is not None:
            base_id = baseline
            if baseline not in ids:
                ids.insert(0, baseline)
    if len(ids) < 2 or len(ids) > MAX_RUNS:
        raise ValidationError(
            {"ids": _("Give from 2 to %(max)d run ids, comma-separated.") % {"max": MAX_RUNS}}
        )
    if len(set(ids)) != len(ids):
        raise ValidationError({"ids": _("Each run may be given only once.")})
    base_id = base_id or ids[0]
    if base_id not in ids:
        raise ValidationError({"base": _("The base run must be one of the compared runs.")})
    found = get_registry().get_many(ids)
    missing = [rid for rid in ids if rid not in found]
    if missing:
        raise ValidationError({"ids": _missing_messages(missing)})
    runs = [found[rid] for rid in ids]
    base = found[base_id]
    return Comparison(
        base=base,
        runs=runs,
        threshold=threshold,
        kpis=_kpi_rows(runs, base, threshold),
        differences=_differences(runs, base),
    )


# Replication sets belong to the risk app, above runs: it registers how two of them
# compare (risk/apps.py), so /runs/compare?sets=A,B answers what /replications/compare does.
_set_comparison: list[Callable[..., dict[str, Any]]] = []


def register_set_comparison(compare: Callable[..., dict[str, Any]]) -> None:
    """Install ``compare(base_id=…, other_id=…) -> dict``: the one comparison of two
    replication sets that both compare APIs answer with."""
    _set_comparison[:] = [compare]


def parse_run_ids(raw: Iterable[str]) -> list[uuid.UUID]:
    """Run ids as the compare page and API take them: ``ids=a,b`` and/or ``ids=a&ids=b``
    (empty parts skipped). Raises ValidationError naming the first bad one."""
    ids = []
    for value in raw:
        for part in value.split(","):
            token = part.strip()
            if not token:
                continue
            try:
                ids.append(uuid.UUID(token))
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a run id."), params={"value": token[:40]}
                ) from None
    return ids


def parse_set_ids(raw: str) -> list[int]:
    """``sets=A,B`` as the compare page and API take it: exactly two replication set ids."""
    tokens = [part.strip() for part in raw.split(",")]
    if len(tokens) != 2 or not all(t.isdigit() and len(t) <= 18 for t in tokens):
        raise ValidationError(_("Give two replication set ids, A,B: B is compared with A."))
    return [int(t) for t in tokens]


def replication_sets_compare(*, set_ids: Sequence[int]) -> dict[str, Any]:
    """Sets ``A,B``: per KPI B − A with its 95 % interval (docs/api.md, "Replications").

    Refusals name ``sets``: not exactly two ids, an unknown set, or no risk app installed.
    """
    if len(set_ids) != 2:
        raise ValidationError(
            {"sets": _("Give two replication set ids, A,B: B is compared with A.")}
        )
    if not _set_comparison:
        raise ValidationError({"sets": _("Replication sets are not installed here.")})
    try:
        return _set_comparison[0](base_id=set_ids[0], other_id=set_ids[1])
    except ValidationError as error:
        raise ValidationError({"sets": error.messages}) from None


def compare_url(base_id: uuid.UUID | str, other_id: uuid.UUID | str) -> str:
    """The compare page of one run against a base (e.g. its plan's baseline)."""
    query = urlencode({"ids": f"{base_id},{other_id}", "base": str(base_id)})
    return f"{reverse('runs:compare')}?{query}"


def run_baseline(*, run: Run) -> uuid.UUID | None:
    """The run id of the baseline of this run's plan (None: no plan, or none yet)."""
    if run.plan_version is None:
        return None
    return _plan_baseline(run.plan_version.plan_id)


def _baseline_of(run_id: uuid.UUID) -> uuid.UUID | None:
    """The baseline run of the plan this run belongs to (None: no plan, or none yet)."""
    plan_id = Run.objects.filter(pk=run_id).values_list("plan_version__plan_id", flat=True).first()
    return None if plan_id is None else _plan_baseline(plan_id)


def _plan_baseline(plan_id: int) -> uuid.UUID | None:
    return (
        Run.objects.filter(is_baseline=True, plan_version__plan_id=plan_id)
        .values_list("run_id", flat=True)
        .first()
    )


def _missing_messages(run_ids: list[uuid.UUID]) -> list[str]:
    """Why each run is not there: removed (when, why, where it was exported) or unknown."""
    removed = {t.run_id: t for t in RunTombstone.objects.filter(run_id__in=run_ids)}
    messages = []
    unknown = [str(rid) for rid in run_ids if rid not in removed]
    for rid in run_ids:
        tombstone = removed.get(rid)
        if tombstone is None:
            continue
        message = _("Run %(run)s was %(how)s on %(when)s.") % {
            "run": rid,
            "how": tombstone.get_reason_display().lower(),
            "when": tombstone.removed_at.date().isoformat(),
        }
        if tombstone.export_path:
            message += " " + _("It was exported to %(path)s.") % {"path": tombstone.export_path}
        messages.append(message)
    if unknown:
        messages.append(_("Unknown run(s): %(ids)s.") % {"ids": ", ".join(unknown)})
    return messages


def flatten_kpis(summary: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in (summary or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten_kpis(value, f"{name}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = float(value)
    return out


def _kpi_rows(runs: list[Run], base: Run, threshold: float | None) -> list[KpiRow]:
    values = {str(run.run_id): flatten_kpis(run.summary) for run in runs}
    for run in runs:
        # Columns are the record of truth for headline KPIs.
        for name in HEADLINE_KPIS:
            if getattr(run, name) is not None:
                values[str(run.run_id)][name] = float(getattr(run, name))
    names = [n for n in HEADLINE_KPIS if any(n in v for v in values.values())]
    names += sorted({n for v in values.values() for n in v} - set(names))
    base_key = str(base.run_id)
    rows = []
    for name in names:
        row = KpiRow(kpi=name, values={rid: v.get(name) for rid, v in values.items()})
        b = row.values[base_key]
        for rid, value in row.values.items():
            if rid == base_key:
                continue
            delta, pct, significant = kpi_delta(b, value, threshold)
            row.delta[rid], row.delta_pct[rid], row.significant[rid] = delta, pct, significant
        rows.append(row)
    return rows


def kpi_delta(
    base: float | None, value: float | None, threshold: float | None
) -> tuple[float | None, float | None, bool | None]:
    """(delta, delta_pct, significant) as the module docstring defines them."""
    if base is None or value is None:
        return None, None, (None if threshold is None else False)
    delta = value - base
    # Relative to |base|, so a less negative profit is a positive change.
    pct = (0.0 if value == 0 else None) if base == 0 else 100.0 * delta / abs(base)
    if threshold is None:
        return delta, pct, None
    # pct is a float whenever base is not 0.
    significant = (value != 0) if base == 0 else abs(pct) >= threshold  # type: ignore[arg-type]
    return delta, pct, significant


def _differences(runs: list[Run], base: Run) -> list[dict[str, Any]]:
    config_ids = {run.config_version_id for run in runs}
    documents: dict[int, Any] = {}
    if len(config_ids) > 1:
        documents = dict(
            ConfigVersion.objects.filter(pk__in=config_ids).values_list("pk", "document")
        )
    diffs: dict[tuple[int, int], dict[str, Any]] = {}
    out = []
    for run in runs:
        if run.run_id == base.run_id:
            continue
        entry: dict[str, Any] = {
            "run_id": str(run.run_id),
            "plan_version": _changes(
                {"plan_version_id": base.plan_version_id},
                {"plan_version_id": run.plan_version_id},
            )
            + _changes(_parameters(base), _parameters(run)),
            "scenario": _changes(_scenario(base), _scenario(run)),
            "config": None,
        }
        if run.config_version_id != base.config_version_id:
            pair = (base.config_version_id, run.config_version_id)
            if pair not in diffs:
                diffs[pair] = _config_diff(documents, *pair)
            entry["config"] = diffs[pair]
        out.append(entry)
    return out


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    return [change.to_dict() for change in field_changes(old, new)]


def _parameters(run: Run) -> dict[str, Any]:
    return dict(run.plan_version.parameters or {}) if run.plan_version else {}


def _scenario(run: Run) -> dict[str, Any]:
    if run.scenario is None:
        return {"scenario_id": None}
    return {"scenario_id": run.scenario_id, "name": run.scenario.name, **run.scenario.overrides()}


def _config_diff(documents: dict[int, Any], old_id: int, new_id: int) -> dict[str, Any]:
    header = {"from_config_version_id": old_id, "to_config_version_id": new_id}
    try:
        diff = diff_configs(documents[old_id], documents[new_id]).to_dict()
    except (ConfigError, KeyError, ValueError) as exc:
        return {**header, "error": str(exc)}
    for entity in diff["entities"]:
        for kind in ("added", "removed", "changed"):
            entity[f"{kind}_count"] = len(entity[kind])
            entity[kind] = entity[kind][:DIFF_ROWS_SHOWN]
    diff["entities"] = [
        e for e in diff["entities"] if e["added_count"] or e["removed_count"] or e["changed_count"]
    ]
    return {**header, **diff}


def _blank(value: Any) -> Any:
    return "" if value is None else value
