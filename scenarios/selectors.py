"""Reads of scenarios and config versions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from scenarios.filters import ConfigVersionFilter, ScenarioFilter
from scenarios.models import ConfigVersion, Scenario
from scpln.engine.canonical import ConfigError, load_config
from scpln.engine.canonical.diff import diff_configs

# A config's document can be megabytes; lists and most details never need it.
CONFIG_SUMMARY_DEFER = ("document",)


def _filtered(filterset) -> QuerySet:
    if not filterset.is_valid():
        raise ValidationError({f: list(m) for f, m in filterset.errors.items()})
    return filterset.qs


def scenario_filterset(params: Mapping[str, Any] | None = None) -> ScenarioFilter:
    """THE scenario FilterSet bound to request parameters (the UI renders its form)."""
    queryset = Scenario.objects.select_related("locked_by", "parent")
    return ScenarioFilter(params or {}, queryset=queryset)


def scenario_list(*, params: Mapping[str, Any] | None = None) -> QuerySet[Scenario]:
    """Scenarios by name (or ``ordering``), with lock holder and parent in the same query."""
    return _filtered(scenario_filterset(params))


def scenario_get(*, scenario_id: int) -> Scenario:
    return Scenario.objects.select_related("locked_by", "parent").get(pk=scenario_id)


def config_filterset(params: Mapping[str, Any] | None = None) -> ConfigVersionFilter:
    """THE config-version FilterSet bound to request parameters, without documents."""
    queryset = ConfigVersion.objects.defer(*CONFIG_SUMMARY_DEFER)
    return ConfigVersionFilter(params or {}, queryset=queryset)


def config_list(*, params: Mapping[str, Any] | None = None) -> QuerySet[ConfigVersion]:
    """Config versions, newest first, without their documents."""
    return _filtered(config_filterset(params))


def config_get(*, config_id: int, with_document: bool = False) -> ConfigVersion:
    queryset = ConfigVersion.objects.all()
    if not with_document:
        queryset = queryset.defer(*CONFIG_SUMMARY_DEFER)
    return queryset.get(pk=config_id)


@dataclass(frozen=True)
class ScenarioRef:
    """A scenario as a link: its id and name."""

    id: int
    name: str


def config_scenarios_using(*, config_ids: Iterable[int]) -> dict[int, list[ScenarioRef]]:
    """Per config version, the scenarios planned or run on it, by name.

    A scenario carries no config of its own: it "uses" a config when a plan
    version (its base scenario) or a run was made on that config. One query
    for any number of configs, so a list page stays constant.
    """
    ids = list(config_ids)
    if not ids:
        return {}
    # No ORDER BY inside a UNION (SQLite refuses it); the rows are sorted below.
    # Through the reverse relations of the plan versions and runs made on a
    # scenario (scenarios sits below plans and runs and does not import them).
    planned = (
        Scenario.objects.filter(plan_versions__config_version_id__in=ids)
        .order_by()
        .values_list("plan_versions__config_version_id", "id", "name")
    )
    run = (
        Scenario.objects.filter(runs__config_version_id__in=ids)
        .order_by()
        .values_list("runs__config_version_id", "id", "name")
    )
    using: dict[int, list[ScenarioRef]] = {pk: [] for pk in ids}
    for config_id, scenario_id, name in sorted(planned.union(run), key=lambda row: row[2]):
        using[config_id].append(ScenarioRef(id=scenario_id, name=name))
    return using


def config_diff(*, from_id: int, to_id: int, limit: int = 200) -> dict[str, Any]:
    """What changed from one config version to another, entity by entity.

    Raises ``ConfigVersion.DoesNotExist`` for ``from_id`` and a ``ValidationError``
    on ``to`` for an unknown ``to_id``.
    """
    old = config_get(config_id=from_id, with_document=True)
    try:
        new = config_get(config_id=to_id, with_document=True)
    except ConfigVersion.DoesNotExist:
        raise ValidationError({"to": [f"No config version {to_id}."]}) from None
    try:
        diff = diff_configs(old.document, new.document)
    except ConfigError as exc:
        raise ValidationError(str(exc)) from None
    return {
        "from_config_version_id": old.pk,
        "to_config_version_id": new.pk,
        **diff.to_dict(),
        "text": diff.render_text(limit=limit),
    }


@dataclass(frozen=True)
class ConfigOverview:
    """A config's document summarised for people: counts, and its main rows.

    ``counts`` maps entity kind → rows; the row lists are plain dicts, the
    first ``limit`` of each (``totals`` says how many there are).
    """

    start_date: str
    counts: dict[str, int]
    items: list[dict[str, Any]]
    nodes: list[dict[str, Any]]
    arcs: list[dict[str, Any]]
    demand_by_item: list[dict[str, Any]]
    totals: dict[str, int] = field(default_factory=dict)


def config_overview(*, config: ConfigVersion, limit: int = 200) -> ConfigOverview:
    """Counts per entity kind, items, nodes, arcs and demand per item of a config version.

    Raises ``ConfigError`` when the stored document no longer loads.
    """
    document = config.document
    if document is None or "document" in config.get_deferred_fields():
        document = ConfigVersion.objects.values_list("document", flat=True).get(pk=config.pk)
    network = load_config(document)
    demand: dict[str, dict[str, Any]] = {}
    for row in network.demands:
        entry = demand.setdefault(
            row.item_code, {"item": row.item_code, "rows": 0, "nodes": set(), "mean_total": 0.0}
        )
        entry["rows"] += 1
        entry["nodes"].add(row.node_code)
        entry["mean_total"] += float(row.mean)
    demand_rows = [
        {**entry, "nodes": len(entry["nodes"])}
        for entry in sorted(demand.values(), key=lambda e: e["item"])
    ]
    return ConfigOverview(
        start_date=str(network.start_date),
        counts={
            "items": len(network.items),
            "nodes": len(network.nodes),
            "inventory_policies": sum(len(n.inventory_policies) for n in network.nodes),
            "production_policies": sum(len(n.production_policies) for n in network.nodes),
            "arcs": len(network.arcs),
            "bom": len(network.bom),
            "demands": len(network.demands),
            "capacities": len(network.capacities),
            "calendars": len(network.calendars),
            "hierarchies": len(network.hierarchies),
        },
        items=[
            {
                "code": item.code,
                "name": item.name or "",
                "item_type": item.item_type,
                "uom": item.uom,
                "lead_time_days": item.lead_time_days,
                "unit_cost": item.unit_cost,
            }
            for item in network.items[:limit]
        ],
        nodes=[
            {
                "code": node.code,
                "name": node.name or "",
                "node_type": node.node_type,
                "region": node.region or "",
                "lead_time_days": node.lead_time_days,
                "inventory_policies": len(node.inventory_policies),
                "production_policies": len(node.production_policies),
            }
            for node in network.nodes[:limit]
        ],
        arcs=[
            {
                "from_node": arc.from_node,
                "to_node": arc.to_node,
                "arc_type": arc.arc_type,
                "lead_time_days": arc.lead_time_days,
                "capacity_per_day": arc.capacity_per_day,
            }
            for arc in network.arcs[:limit]
        ],
        demand_by_item=demand_rows[:limit],
        totals={
            "items": len(network.items),
            "nodes": len(network.nodes),
            "arcs": len(network.arcs),
            "demand_by_item": len(demand_rows),
        },
    )
