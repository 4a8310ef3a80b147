"""Run KPIs: plain numbers (and small dicts/lists of them) under stable names.

Customer KPIs count each unit of demand once, on the day it arises: a unit not filled
that day is *short* (and, with backorders, joins the backlog); filling it later is a
sale but does not make it demand again. Formulas are in ``docs/engine.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .costs import COST_ACCOUNTS, REVENUE
from .network import NODE_TYPE_ORDER
from .record import KernelResult

TOP_SHORTAGE_ITEMS = 5


def compute_kpis(kr: KernelResult, accounts: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """The KPI dict of a run (JSON-ready: floats, ints, str, None, dicts, lists), from the
    recorded arrays and the P&L's per-day accounts (``costs.daily_accounts``)."""
    net, days, day = kr.network, kr.days, kr.customer_day
    customers = len(net.demand.ni)
    demand, sales = float(day["demand"].sum()), float(day["sales"].sum())
    shortage = float(day["shortage"].sum())
    lost = net.lost_sales[net.demand.ni]
    on_hand_total = kr.on_hand_by_type.sum(axis=1)
    avg_on_hand = float(on_hand_total.mean())
    backlog = day["backlog"]
    peak = float(backlog.max(initial=0.0))
    totals = {account: float(accounts[account].sum()) for account in (REVENUE, *COST_ACCOUNTS)}
    cost_total = sum(totals[a] for a in COST_ACCOUNTS)
    profit = totals[REVENUE] - cost_total
    present_types = set(net.node_types)
    return {
        "days": days,
        "node_items": net.size,
        "demand_total": demand,
        "sales_total": sales,
        "shortage_total": shortage,
        "lost_sales_total": float(kr.customer_shortage[lost].sum()),
        "internal_shortage_total": _internal_shortage(kr),
        "fill_rate": 1.0 - shortage / demand if demand > 0 else 1.0,
        "cycle_service_level": (
            float(day["in_stock"].sum()) / float(day["cycles"].sum()) if customers else 1.0
        ),
        "avg_on_hand": avg_on_hand,
        "avg_on_hand_by_type": {
            t: float(kr.on_hand_by_type[:, i].mean())
            for i, t in enumerate(NODE_TYPE_ORDER)
            if t in present_types
        },
        "avg_backlog": float(backlog.mean()),
        "backlog_peak": peak,
        "backlog_peak_day": int(np.argmax(backlog)) if peak > 0 else None,
        "stockout_days": int(day["stockouts"].sum()),
        "inventory_turns": sales / avg_on_hand * 365.0 / days if avg_on_hand > 0 else None,
        "capacity_utilisation": _utilisation(kr),
        "revenue_total": totals[REVENUE],
        "costs_by_account": {a: totals[a] for a in COST_ACCOUNTS},
        "cost_total": cost_total,
        "penalty_stockout_total": totals["penalty_stockout"],
        "penalty_backorder_total": totals["penalty_backorder"],
        "penalty_total": totals["penalty_stockout"] + totals["penalty_backorder"],
        "profit_total": profit,
        "profit_per_day": profit / days,
        "top_shortage_items": _top_items(kr),
    }


def _internal_shortage(kr: KernelResult) -> float:
    """Orders of downstream nodes that a supplier could not ship the day they came in."""
    every = float(kr.history["shortage"].sum(dtype=np.float64))
    return max(every - float(kr.customer_shortage.sum()), 0.0)


def _utilisation(kr: KernelResult) -> dict[str, float | None]:
    """Released units / capacity available, per factory (None when unlimited)."""
    net = kr.network
    out: dict[str, float | None] = {}
    for f, node in enumerate(net.production.factory):
        cap = kr.factory_capacity[:, f]
        released = kr.factory_released[:, f]
        finite = np.isfinite(cap)
        code = net.node_codes[int(node)]
        if not finite.all() or cap.sum() <= 0:
            out[code] = None
        else:
            out[code] = float(released.sum() / cap.sum())
    return out


def _top_items(kr: KernelResult) -> list[dict[str, Any]]:
    net = kr.network
    by_item = np.bincount(
        net.ni_item[net.demand.ni], kr.customer_shortage, minlength=len(net.item_codes)
    )
    order = [int(i) for i in np.argsort(-by_item, kind="stable") if by_item[i] > 0]
    return [
        {"item": net.item_codes[i], "shortage": float(by_item[i])}
        for i in order[:TOP_SHORTAGE_ITEMS]
    ]
