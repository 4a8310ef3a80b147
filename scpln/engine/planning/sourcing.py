"""Which factories make a SKU, as a run sources it, and how a plan shares it among them.

A run (multi-sourcing, ``docs/engine.md``) pulls a SKU from every factory its sourcing
rules reach: each factory serves the share of the SKU's demand its priority-1 lanes carry
(its demand profile), and a factory reached only by a later-priority lane (a *fallback*)
ships what the preferred sources cannot. The plan follows the same rules:

- a SKU's **factories** are those that serve a share of its demand in the run and those a
  fallback lane reaches (:func:`sku_factories`); without any, the first factory in code
  order that makes it, as before multi-sourcing;
- factories that share a SKU are planned as one **pool** (a work centre named by their
  codes joined with ``+``): its capacity is theirs added up, so a plan can make on a
  fallback factory what the preferred one cannot (:func:`capacity_pools`);
- the pool's receipts are **split** over its factories week by week
  (:func:`split_receipts`): by the shares of the demand they serve (equally when none
  serves any), and then what a factory's hard capacity cannot make that week moves to the
  SKU's fallback factories with room left, nearest in code order first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scpln.engine.psi.network import Network, chain_roots

POOL_SEPARATOR = "+"


def factory_capacity(net: Network, days: np.ndarray) -> np.ndarray:
    """Units each factory may release on each of ``days`` (days × ``production.factory``):
    its node-level capacity capped by its ``capacities`` rows, 0 on its days off, ``inf``
    where unlimited — the daily capacity its run has."""
    prod = net.production
    daily = prod.node_capacity[net.segments.of_days(int(days.max(initial=0)) + 1)[days]]
    if net.working is not None:
        width = net.working.shape[1]
        worked = np.ones((len(days), len(prod.factory)), bool)
        inside = days < width
        worked[inside] = net.working[prod.factory][:, days[inside]].T
        daily = np.where(worked, daily, 0.0)
    return daily


def sku_factories(net: Network, skus: list[str]) -> pd.DataFrame:
    """Per SKU, the factories that make it for the plan: ``item``, ``node`` (factory code),
    ``share`` (of the SKU's demand it serves in the run: its demand profile, where
    priority-1 sourcing shares already sit; the shares of a SKU add up to 1, or are all 0
    when no demand reaches any factory) and ``fallback`` (a later-priority lane's chain of
    sources starts there). Ordered by SKU, then node code."""
    prod = net.production
    item_of = net.ni_item[prod.ni]
    node_of = net.ni_node[prod.ni]
    served = net.profile_mean[:, prod.ni].sum(axis=0)
    fallback = np.zeros(len(prod.ni), dtype=bool)
    lanes = net.sourcing
    if lanes is not None:
        later = lanes.priority > lanes.first_priority[lanes.dest]
        root, _ = chain_roots(net, lanes.src[later])
        position = pd.Index(prod.ni).get_indexer(pd.Index(root))
        fallback[position[position >= 0]] = True
    # The producing positions of the SKUs asked for, by SKU (in ``skus`` order), node code
    # and position.
    sku = pd.Index(skus).get_indexer(pd.Index(np.asarray(net.item_codes, dtype=object)[item_of]))
    codes = np.asarray(net.node_codes, dtype=object)
    node_rank = np.argsort(np.argsort(codes, kind="stable"), kind="stable")[node_of]
    mine = np.flatnonzero(sku >= 0)
    mine = mine[np.lexsort((mine, node_rank[mine], sku[mine]))]
    group = sku[mine]
    first = np.r_[True, group[1:] != group[:-1]] if len(mine) else np.zeros(0, bool)
    keep = (served[mine] > 0) | fallback[mine]
    # A SKU none of whose factories serves demand or is a fallback: its first one.
    kept_any = np.zeros(len(skus), bool)
    kept_any[group[keep]] = True
    keep |= first & ~kept_any[group]
    mine, group = mine[keep], group[keep]
    total = np.bincount(group, served[mine], minlength=len(skus))[group]
    share = np.divide(served[mine], total, out=np.zeros(len(mine)), where=total > 0)
    frame = pd.DataFrame(
        {
            "item": np.asarray(skus, dtype=object)[group],
            "node": codes[node_of[mine]],
            "share": share,
            "fallback": fallback[mine],
        }
    )
    return frame.astype({"item": "str", "node": "str", "share": "float64", "fallback": "bool"})


def capacity_pools(factories: pd.DataFrame) -> dict[str, str]:
    """Factory code → the work centre it is planned in: the factories that share a SKU
    (directly or through other SKUs) form one pool, named by their codes in order joined
    with ``+``; a factory that shares nothing is its own work centre."""
    parent: dict[str, str] = {}

    def find(code: str) -> str:
        while parent.setdefault(code, code) != code:
            code = parent[code]
        return code

    ordered = factories.sort_values("item", kind="stable")
    for code in dict.fromkeys(ordered["node"].tolist()):  # the pools' order: first seen first
        find(code)
    # Only SKUs made at several factories join them (few, where a network has thousands).
    shared = ordered[ordered.duplicated("item", keep=False)]
    for _, nodes in shared.groupby("item", sort=True)["node"]:
        first, *others = nodes.tolist()
        for other in others:
            parent[find(other)] = find(first)
    members: dict[str, list[str]] = {}
    for code in list(parent):
        members.setdefault(find(code), []).append(code)
    return {
        code: POOL_SEPARATOR.join(sorted(group)) for group in members.values() for code in group
    }


def split_receipts(receipts: pd.DataFrame, net: Network) -> pd.DataFrame:
    """Give each planned receipt (``item``, ``node``, ``day``, ``days``, ``quantity``, …)
    whose ``node`` is not a factory making the item — a pool's — to the SKU's factories:
    by their shares of its demand (equally when none has any), then what a factory cannot
    make within its hard capacity in a week moves to the SKU's fallback factories with
    room that week (code order). Rows already at a factory stay as they are and load it
    first. Returns the rows with one row per factory, zero parts left out."""
    prod = net.production
    codes = np.asarray(net.node_codes, dtype=object)
    items = np.asarray(net.item_codes, dtype=object)
    makes = set(zip(codes[net.ni_node[prod.ni]], items[net.ni_item[prod.ni]], strict=True))
    direct = np.array(
        [(n, i) in makes for n, i in zip(receipts["node"], receipts["item"], strict=True)],
        dtype=bool,
    )
    if direct.all():
        return receipts
    pooled = receipts[~direct]
    factories = sku_factories(net, sorted(set(pooled["item"])))
    parts = pooled.merge(factories, on="item", how="inner", suffixes=("_pool", ""))
    count = parts.groupby(["item", "day"])["node"].transform("size")
    total = parts.groupby(["item", "day"])["share"].transform("sum")
    parts["quantity"] = parts["quantity"] * np.where(
        total > 0, parts["share"] / total.where(total > 0, 1.0), 1.0 / count
    )
    parts = _fall_back(parts, receipts[direct], net)
    columns = list(receipts.columns)
    out = pd.concat([receipts[direct], parts[parts["quantity"] > 1e-9][columns]])
    return out.sort_values(["item", "node", "day"], kind="stable", ignore_index=True)


def _fall_back(parts: pd.DataFrame, direct: pd.DataFrame, net: Network) -> pd.DataFrame:
    """Move, week by week, what a factory's shares ask beyond its hard capacity to the
    SKU's fallback factories that have room (a soft capacity is left to the run, which
    makes the excess at its over-capacity rates)."""
    prod = net.production
    fallback = parts["fallback"].to_numpy()
    if not fallback.any():
        return parts
    column = {net.node_codes[n]: f for f, n in enumerate(prod.factory.tolist())}
    factory = np.array([column[n] for n in parts["node"]], dtype=np.int64)
    item = parts["item"].to_numpy()
    day_of = parts["day"].to_numpy()
    quantity = parts["quantity"].to_numpy(dtype=float).copy()
    weeks = parts[["day", "days"]].drop_duplicates().sort_values("day")
    for day, days in zip(weeks["day"].tolist(), weeks["days"].tolist(), strict=True):
        start = max(int(day), 0)
        capacity = factory_capacity(net, np.arange(start, start + int(days))).sum(axis=0)
        load = np.zeros(len(prod.factory))
        same = direct[direct["day"] == day]
        np.add.at(load, [column[n] for n in same["node"]], same["quantity"].to_numpy(float))
        week = np.flatnonzero(day_of == day)
        np.add.at(load, factory[week], quantity[week])
        room = capacity - load  # inf where unlimited
        for k in week[np.argsort(item[week], kind="stable")].tolist():
            f = factory[k]
            excess = min(-room[f], quantity[k]) if prod.node_hard[f] else 0.0
            for m in week[(item[week] == item[k]) & fallback[week]].tolist():
                g = factory[m]
                take = min(excess, room[g]) if g != f else 0.0
                if take <= 1e-9:
                    continue
                quantity[k] -= take
                quantity[m] += take
                room[f] += take
                room[g] -= take
                excess -= take
    return parts.assign(quantity=quantity)
