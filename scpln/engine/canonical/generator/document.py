"""Turning a :class:`Plan` into canonical-1.0 rows, section by section."""

from __future__ import annotations

from typing import Any

import numpy as np

from scpln.engine.canonical.generator.plan import NORMAL, Plan, base_stock, whole
from scpln.engine.canonical.schema import SCHEMA_VERSION

Row = dict[str, Any]
CASE_PACKS = (1, 1, 6, 12)
_MODEL_NAMES = ("normal", "deterministic", "poisson")


def build_document(plan: Plan) -> dict[str, Any]:
    return {
        "meta": _meta(plan),
        "items": _items(plan),
        "nodes": _suppliers(plan) + _factories(plan) + _dcs(plan) + _stores(plan),
        "arcs": _arcs(plan),
        "bom": [
            {"parent_item": plan.sku[k], "child_item": plan.mat[m], "quantity": quantity}
            | ({"scrap_rate": 0.02} if scrap else {})
            for k, m, quantity, scrap in plan.bom
        ],
        "demands": _demands(plan),
        "capacities": _capacities(plan),
        "calendars": [
            {
                "calendar_code": "STD",
                "timezone": "UTC",
                "definition": {"workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"], "exceptions": []},
            }
        ],
        "hierarchies": _hierarchies(plan),
    }


def _meta(plan: Plan) -> Row:
    name = "generated-" + "-".join(f"{key}{value}" for key, value in plan.params.items())
    attributes = {
        "planning_horizon": plan.days,
        "start_date": plan.start.isoformat(),
        "initial_inventory_scale": 1,
        "generator": dict(plan.params),
    }
    return {
        "version_id": None,
        "name": name,
        "schema_version": SCHEMA_VERSION,
        "status": "draft",
        "attributes": attributes,
    }


def _items(plan: Plan) -> list[Row]:
    draw, n = plan.draw, len(plan.sku)
    cost = np.rint(draw.uniform(20, 500, n)).astype(np.int64)
    price = np.rint(cost * draw.uniform(1.3, 2.2, n)).astype(np.int64)
    sgna = np.rint(price * draw.uniform(0.05, 0.15, n)).astype(np.int64).tolist()
    lead = draw.integers(1, 5, n).tolist()
    cost_list, price_list = cost.tolist(), price.tolist()
    rows = [
        {
            "code": code,
            "name": f"Product {code[4:]}",
            "item_type": "product",
            "uom": "unit",
            "lead_time_days": lead[k],
            "unit_cost": cost_list[k],
            "attributes": {"sales_price": price_list[k], "sgna_cost_per_unit": sgna[k]},
        }
        for k, code in enumerate(plan.sku)
    ]
    mat_cost = np.round(draw.uniform(1, 60, len(plan.mat)), 2).tolist()
    mat_lead = draw.integers(2, 10, len(plan.mat)).tolist()
    rows += [
        {
            "code": code,
            "name": f"Material {code[4:]}",
            "item_type": "material",
            "uom": "unit",
            "lead_time_days": mat_lead[m],
            "unit_cost": mat_cost[m],
        }
        for m, code in enumerate(plan.mat)
    ]
    return rows


def _node(plan: Plan, code: str, node_type: str, index: int, **fields: Any) -> Row:
    region, timezone = plan.region[index % len(plan.region)]
    name = f"{node_type.title()} {code.split('-', 1)[1]}"
    row = {"code": code, "name": name, "node_type": node_type, "timezone": timezone}
    return row | {"region": region} | fields


def _suppliers(plan: Plan) -> list[Row]:
    step = len(plan.supplier)
    return [
        _node(
            plan,
            code,
            "supplier",
            i,
            unlimited_supply=True,
            inventory_policies=[{"item_code": plan.mat[m]} for m in range(i, len(plan.mat), step)],
        )
        for i, code in enumerate(plan.supplier)
    ]


def _stock_policies(
    codes: list[str], safety: list[int], reorder: list[int], up_to: list[int]
) -> list[Row]:
    """Policies that open at the order-up-to level, the steady state of a base-stock node."""
    return [
        {
            "item_code": code,
            "initial_inventory": up_to[j],
            "reorder_point": reorder[j],
            "order_up_to": up_to[j],
            "safety_stock": safety[j],
        }
        for j, code in enumerate(codes)
    ]


def _factories(plan: Plan) -> list[Row]:
    usage = plan.material_usage()
    item_capacity = whole(plan.sku_peak_daily * 2 + 1)
    fixed = np.rint(plan.draw.uniform(500, 2000, len(plan.factory))).astype(np.int64).tolist()
    variable = np.rint(plan.draw.uniform(5, 20, len(plan.factory))).astype(np.int64).tolist()
    rows = []
    for f, code in enumerate(plan.factory):
        used = np.flatnonzero(usage[f] > 0)
        lead = plan.supplier_lead[[plan.material_supplier(m) for m in used.tolist()], f]
        sizing = base_stock(
            usage[f, used], usage[f, used] * 0.3, lead, np.full(len(used), 0.95), 14
        )
        node_policy = {
            "item_code": None,
            "production_capacity": whole(plan.factory_peak_daily[f] * 1.5 + 1)[0],
            "allow_over_capacity": True,
            "production_cost_fixed": fixed[f],
            "production_cost_variable": variable[f],
            "over_capacity_fixed_cost": fixed[f] // 2,
            "over_capacity_variable_cost": variable[f] // 2,
        }
        item_policies = [
            {"item_code": plan.sku[k], "production_capacity": item_capacity[k]}
            for k in np.flatnonzero(plan.sku_factory == f).tolist()
        ]
        materials = [plan.mat[m] for m in used.tolist()]
        rows.append(
            _node(
                plan,
                code,
                "factory",
                f,
                service_level=0.95,
                lead_time_days=1,
                inventory_policies=_stock_policies(materials, *sizing),
                production_policies=[node_policy, *item_policies],
            )
        )
    return rows


def _dcs(plan: Plan) -> list[Row]:
    n_dc, n_sku = len(plan.dc), len(plan.sku)
    mean, variance = np.zeros((n_dc, n_sku)), np.zeros((n_dc, n_sku))
    np.add.at(mean, plan.store_dc, plan.daily_mean)
    np.add.at(variance, plan.store_dc, plan.daily_std**2)
    lead = plan.factory_dc_lead[plan.sku_factory].T  # dc × sku: from the SKU's factory
    safety, reorder, up_to = base_stock(
        mean, np.sqrt(variance), lead, np.full(mean.shape, 0.95), 14
    )
    attributes = {"backorder_enabled": True, "backorder_cost_per_unit_per_day": 0.5}
    return [
        _node(
            plan,
            code,
            "warehouse",
            d,
            service_level=0.95,
            lead_time_days=1,
            review_period_days=1,
            inventory_policies=_stock_policies(
                plan.sku,
                safety[d * n_sku : (d + 1) * n_sku],
                reorder[d * n_sku : (d + 1) * n_sku],
                up_to[d * n_sku : (d + 1) * n_sku],
            ),
            attributes=dict(attributes),
        )
        for d, code in enumerate(plan.dc)
    ]


def _stores(plan: Plan) -> list[Row]:
    n_store, n_sku = len(plan.store), len(plan.sku)
    level = np.round(plan.draw.uniform(0.9, 0.98, n_store), 2)
    lost_sales = (plan.draw.uniform(0, 1, n_store) < 0.5).tolist()
    pack = [CASE_PACKS[i] for i in plan.draw.integers(0, len(CASE_PACKS) - 1, n_sku).tolist()]
    levels = np.broadcast_to(level[:, None], (n_store, n_sku))
    sizing = base_stock(plan.daily_mean, plan.daily_std, plan.store_lead[:, None], levels, 7)
    rows = []
    for s, code in enumerate(plan.store):
        part = (figures[s * n_sku : (s + 1) * n_sku] for figures in sizing)
        policies = _stock_policies(plan.sku, *part)
        for k, policy in enumerate(policies):
            if pack[k] > 1:
                policy["order_multiple"] = pack[k]
        if lost_sales[s]:
            attributes: Row = {"lost_sales": True, "stockout_cost_per_unit": 5}
        else:
            attributes = {"backorder_enabled": True, "backorder_cost_per_unit_per_day": 1}
        rows.append(
            _node(
                plan,
                code,
                "store",
                int(plan.store_dc[s]),
                service_level=float(level[s]),
                inventory_policies=policies,
                attributes=attributes,
            )
        )
    return rows


def _arc(origin: str, target: str, lead: int, fixed: float, variable: float) -> Row:
    return {
        "from_node": origin,
        "to_node": target,
        "arc_type": "transport",
        "lead_time_days": lead,
        "transportation_cost_fixed": fixed,
        "transportation_cost_variable": variable,
    }


def _arcs(plan: Plan) -> list[Row]:
    lanes = sorted(
        {(plan.material_supplier(m), int(plan.sku_factory[k])) for k, m, _, _ in plan.bom}
    )
    arcs = [
        _arc(plan.supplier[i], plan.factory[f], int(plan.supplier_lead[i, f]), 200, 0.5)
        for i, f in lanes
    ]
    arcs += [
        _arc(factory, dc, int(plan.factory_dc_lead[f, d]), 500, 2.0)
        for f, factory in enumerate(plan.factory)
        for d, dc in enumerate(plan.dc)
    ]
    arcs += [
        _arc(plan.dc[plan.store_dc[s]], store, int(plan.store_lead[s]), 100, 1.0)
        for s, store in enumerate(plan.store)
    ]
    return arcs


def _demands(plan: Plan) -> list[Row]:
    """Store by store, SKU by SKU, month by month; built from flat lists for speed."""
    n_store, n_sku, n_month = plan.mean.shape
    nodes = [code for code in plan.store for _ in range(n_sku * n_month)]
    items = [code for code in plan.sku for _ in range(n_month)] * n_store
    buckets = plan.months * (n_store * n_sku)
    models = np.repeat(plan.model.ravel(), n_month).tolist()
    means = plan.mean.ravel().astype(np.int64).tolist()
    stds = plan.std.ravel().tolist()
    columns = zip(nodes, items, buckets, models, means, stds, strict=True)
    return [
        {
            "node_code": n,
            "item_code": i,
            "bucket": b,
            "demand_model": "normal",
            "mean": m,
            "std_dev": sd,
        }
        if model == NORMAL
        else {
            "node_code": n,
            "item_code": i,
            "bucket": b,
            "demand_model": _MODEL_NAMES[model],
            "mean": m,
        }
        for n, i, b, model, m, sd in columns
    ]


def _capacities(plan: Plan) -> list[Row]:
    capacity = plan.monthly_capacity.astype(np.int64).tolist()
    return [
        {
            "resource_code": code,
            "resource_type": "node",
            "bucket": month,
            "capacity": capacity[f][j],
        }
        for f, code in enumerate(plan.factory)
        for j, month in enumerate(plan.months)
        if capacity[f][j] > 0
    ]


def _hierarchies(plan: Plan) -> list[Row]:
    def entry(kind: str, key: str, parent: str | None, level: str) -> Row:
        return {"hierarchy_type": kind, "node_key": key, "parent_key": parent, "level": level}

    rows = [
        entry("product", sku, plan.family[plan.sku_family[k]], "sku")
        for k, sku in enumerate(plan.sku)
    ]
    rows += [entry("product", family, None, "family") for family in plan.family]
    rows += [
        entry("location", store, plan.dc[plan.store_dc[s]], "store")
        for s, store in enumerate(plan.store)
    ]
    regions = [f"REGION-{name}" for name, _ in plan.region]
    for group, level in ((plan.dc, "dc"), (plan.factory, "factory"), (plan.supplier, "supplier")):
        rows += [
            entry("location", code, regions[i % len(regions)], level)
            for i, code in enumerate(group)
        ]
    rows += [entry("location", region, None, "region") for region in regions]
    return rows
