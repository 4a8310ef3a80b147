"""What capped suppliers can deliver of a factory's components, week by week.

A supplier with ``capacities`` rows of type ``supplier`` ships a limited amount a day in a
run (``docs/engine.md``, *Supplier capacity*), so the components it feeds arrive no faster.
The plan counts the same limit (``PlanningInputs.component_supply``): per component ×
factory whose chain of sources starts at a capped supplier, the units that can arrive in
each week of the horizon —

    supply(c, w) = Σ cap_c(t)   over the days t with t + L_c in week w,

``L_c`` the lead times along the chain, and ``cap_c(t)`` the supplier's cap on day ``t``
(0 on its days off) shared by the components it feeds in proportion to the demand each
sees (its demand profile, the parents' demand times the quantity per): an item cap among
that item's components, a supplier's cap on all its items among all its components, the
smaller of the two. A day without any cap is unlimited (``inf``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scpln.engine.psi.network import Network, chain_roots

from .calendar import PlanningCalendar


def component_supply(net: Network, calendar: PlanningCalendar, first_day: int) -> pd.DataFrame:
    """``item``, ``loc``, ``week``, ``supply`` for every component fed by a capped
    supplier (see the module docs); ``first_day`` is the calendar's first day as a run day."""
    columns = ["item", "loc", "week", "supply"]
    supply = net.supply
    comps = np.unique(net.production.edge_comp)
    if supply is None or len(comps) == 0:
        return pd.DataFrame(
            {c: pd.Series(dtype="float64" if c == "supply" else "str") for c in columns}
        )
    root, lead = chain_roots(net, comps)
    item_col = pd.Index(supply.item_ni).get_indexer(pd.Index(root))
    node_col = pd.Index(supply.node).get_indexer(pd.Index(net.ni_node[root]))
    capped = (item_col >= 0) | (node_col >= 0)
    if not capped.any():
        return pd.DataFrame(
            {c: pd.Series(dtype="float64" if c == "supply" else "str") for c in columns}
        )
    comps, root, lead = comps[capped], root[capped], lead[capped]
    # A component is used when its parent is released, L_p days before the parent finishes.
    prod = net.production
    release = np.zeros(net.size, np.int64)
    parent = pd.Index(prod.ni).get_indexer(pd.Index(prod.edge_prod))
    np.maximum.at(release, prod.edge_comp, prod.lead_time[parent])
    lead = lead + release[comps]
    item_col, node_col = item_col[capped], node_col[capped]
    weight = net.profile_mean[:, comps].sum(axis=0)
    weight = np.where(weight > 0, weight, 1e-12)  # none seen: shared equally
    by_root = pd.Series(weight).groupby(root).transform("sum").to_numpy()
    by_node = pd.Series(weight).groupby(net.ni_node[root]).transform("sum").to_numpy()
    weeks = calendar.weeks
    length = ((weeks["week_end"] - weeks["week_start"]).dt.days + 1).to_numpy()
    days = int(length.sum())
    arrival = np.arange(first_day, first_day + days)
    # Shipped on day t, arriving on t + L: the days that feed the horizon, per component.
    shipped = arrival[None, :] - lead[:, None]
    span = np.maximum(shipped, 0)
    segment = net.segments.of_days(int(span.max(initial=0)) + 1)[span]
    cap = np.full(shipped.shape, np.inf)
    own = item_col >= 0
    cap[own] = supply.item_cap[segment[own], item_col[own, None]] * (weight / by_root)[own, None]
    shared = node_col >= 0
    cap[shared] = np.minimum(
        cap[shared],
        supply.node_cap[segment[shared], node_col[shared, None]] * (weight / by_node)[shared, None],
    )
    if net.working is not None:
        width = net.working.shape[1]
        inside = span < width
        node = np.broadcast_to(net.ni_node[root][:, None], span.shape)
        off = np.zeros(span.shape, bool)
        off[inside] = ~net.working[node[inside], span[inside]]
        cap[off] = 0.0
    cap[shipped < 0] = 0.0  # nothing was shipped before the run
    week_of_day = np.repeat(np.arange(len(length)), length)
    per_week = np.zeros((len(comps), len(length)))
    for w in range(len(length)):
        per_week[:, w] = cap[:, week_of_day == w].sum(axis=1)
    codes = np.asarray(net.node_codes, dtype=object)
    items = np.asarray(net.item_codes, dtype=object)
    return pd.DataFrame(
        {
            "item": np.repeat(items[net.ni_item[comps]], len(length)).astype(str),
            "loc": np.repeat(codes[net.ni_node[comps]], len(length)).astype(str),
            "week": np.tile(np.asarray(calendar.week_codes, dtype=object), len(comps)).astype(str),
            "supply": per_week.ravel(),
        }
    )
