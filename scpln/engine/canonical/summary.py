"""A canonical config summarised for people: counts per entity kind and its main rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scpln.engine.canonical.schema import CanonicalConfig, Demand


@dataclass(frozen=True)
class ConfigSummary:
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


def _demand_by_item(demands: Sequence[Demand]) -> list[dict[str, Any]]:
    """Per item: demand rows, distinct stores and the sum of the means (in row order)."""
    if not isinstance(demands, tuple | list):  # a table: millions of rows, column-wise
        from .table import RowTable, demand_by_item  # numpy, loaded already with the table

        assert isinstance(demands, RowTable)
        return demand_by_item(demands)
    demand: dict[str, dict[str, Any]] = {}
    for row in demands:
        entry = demand.setdefault(
            row.item_code, {"item": row.item_code, "rows": 0, "nodes": set(), "mean_total": 0.0}
        )
        entry["rows"] += 1
        entry["nodes"].add(row.node_code)
        entry["mean_total"] += float(row.mean)
    return [{**entry, "nodes": len(entry["nodes"])} for entry in demand.values()]


def summarise(network: CanonicalConfig, *, limit: int = 200) -> ConfigSummary:
    """Counts per entity kind, items, nodes, arcs and demand per item of a network.

    For people reading a config: the first ``limit`` rows of each list
    (``totals`` says how many there are).
    """
    demand_rows = sorted(_demand_by_item(network.demands), key=lambda e: e["item"])
    return ConfigSummary(
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
