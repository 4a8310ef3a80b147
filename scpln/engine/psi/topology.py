"""Who supplies whom, in which order a day is processed, and what demand each node sees.

These are the network rules the kernel relies on, kept apart from the builder's
bookkeeping so they can be read (and tested) on their own:

- *sourcing*: a node-item that is not made at its node orders from exactly one
  upstream node-item — among the arcs into its node whose origin stocks, makes or
  has unlimited supply of the item, the one with the shortest lead time, ties broken
  by the origin's node code;
- *levels*: customer-facing node-items are level 0 and every supplier sits at least
  one level above everything it supplies (a BOM component one level above its
  parent), so a day can be processed level by level;
- *profiles*: the per-day mean and variance of demand that reaches each node-item,
  summed up the lanes from the customers and multiplied through the BOM;
- *echelon streams*: which part of that demand reaches a node-item early, because a
  base-stock node-item below it orders its lead time and review period ahead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def choose_sources(
    ni_node: np.ndarray,
    ni_item: np.ndarray,
    items: int,
    arcs: Sequence[tuple[int, int, int]],
) -> tuple[np.ndarray, np.ndarray]:
    """For each node-item, its source node-item and the arc to it (or -1, -1).

    ``arcs[a]`` is ``(from_node, to_node, lead_time)`` as node indices, which follow
    node codes, so "the lower code" is "the lower index". Node-items must be sorted by
    ``(node, item)``. Candidates are tried best first, one rank at a time for all
    node-items together.
    """
    key = ni_node.astype(np.int64) * items + ni_item
    ranked = sorted((to, lead, frm, a) for a, (frm, to, lead) in enumerate(arcs) if frm != to)
    by_node: dict[int, list[tuple[int, int]]] = {}
    for to, _, frm, a in ranked:
        by_node.setdefault(to, []).append((frm, a))
    width = max((len(c) for c in by_node.values()), default=0)
    n_nodes = int(ni_node.max(initial=-1)) + 1
    cand_from = np.full((max(n_nodes, 1), width), -1, np.int64)
    cand_arc = np.full((max(n_nodes, 1), width), -1, np.int64)
    for to, cands in by_node.items():
        if to < n_nodes:
            cand_from[to, : len(cands)] = [c[0] for c in cands]
            cand_arc[to, : len(cands)] = [c[1] for c in cands]
    src = np.full(len(key), -1, np.int64)
    arc = np.full(len(key), -1, np.int64)
    for rank in range(width):
        frm = cand_from[ni_node, rank]
        wanted = frm * items + ni_item
        pos = np.minimum(np.searchsorted(key, wanted), max(len(key) - 1, 0))
        found = (frm >= 0) & (src < 0) & (key[pos] == wanted)
        src[found] = pos[found]
        arc[found] = cand_arc[ni_node[found], rank]
    return src, arc


def echelon_levels(
    size: int, src: np.ndarray, edge_prod: np.ndarray, edge_comp: np.ndarray
) -> np.ndarray:
    """Longest path (in edges) from each node-item down to a customer-facing one.

    Raises ``ValueError`` when lanes and BOM edges form a cycle, which would leave no
    order in which a day could be processed.
    """
    lanes = np.flatnonzero(src >= 0)
    down = np.concatenate([lanes, edge_prod]).astype(np.int64)
    up = np.concatenate([src[lanes], edge_comp]).astype(np.int64)
    level = np.zeros(size, dtype=np.int64)
    for _ in range(size + 1):
        candidate = level.copy()
        np.maximum.at(candidate, up, level[down] + 1)
        if np.array_equal(candidate, level):
            return level
        level = candidate
    raise ValueError("the supply lanes and BOM form a cycle; no node can be processed first")


def demand_profiles(
    level: np.ndarray,
    src: np.ndarray,
    edge_prod: np.ndarray,
    edge_comp: np.ndarray,
    edge_qty: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-day demand mean/variance ``(segments, node-items)`` seen by every node-item.

    ``mean``/``var`` hold the customer demand (zero elsewhere) and are summed into in
    place (returned; at 200k each is 21 MB, not worth a copy). Lane demand adds up
    (independent downstream nodes), a component sees ``qty`` × its parent's mean and
    ``qty²`` × its variance. Levels are processed upwards, so a node-item is complete
    before it passes its profile on.
    """
    for lv in range(int(level.max(initial=-1)) + 1):
        lanes = np.flatnonzero((src >= 0) & (level == lv))
        if len(lanes):
            _add_columns(mean, src[lanes], mean[:, lanes])
            _add_columns(var, src[lanes], var[:, lanes])
        edges = np.flatnonzero(level[edge_prod] == lv)
        if len(edges):
            qty = edge_qty[edges]
            _add_columns(mean, edge_comp[edges], qty * mean[:, edge_prod[edges]])
            _add_columns(var, edge_comp[edges], qty**2 * var[:, edge_prod[edges]])
    return mean, var


def _add_columns(target: np.ndarray, columns: np.ndarray, values: np.ndarray) -> None:
    """``np.add.at(target.T, columns, values.T)`` row by row: the same additions in the
    same order, several times faster than ``add.at`` over 2-D rows (5× at 200k)."""
    for row, add in zip(target, values, strict=True):
        np.add.at(row, columns, add)


def echelon_streams(
    level: np.ndarray,
    src: np.ndarray,
    edge_prod: np.ndarray,
    edge_comp: np.ndarray,
    edge_qty: np.ndarray,
    customers: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    base_stock: np.ndarray,
    window: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The customer demand streams each base-stock node-item serves, by days early.

    A base-stock node-item ``j`` (``base_stock[j]``: its level follows the service level)
    orders ``window[j]`` (lead time + review period) days ahead of its demand, so every
    stream passing up through it — along its lane to its source, or through the BOM to
    its components — arrives ``window[j]`` days earlier at the next node-item. A stream
    starts at each customer (column of ``mean``/``var``, node-item ``customers[c]``) with
    offset 0; streams meeting at one node-item with one offset are summed. Returns
    ``(ni, owner, offset, mean, var)`` as :class:`~.network.EchelonSpec` holds them: only
    the base-stock node-items with some stream early, and all their streams. Empty (and
    nearly free) when no base-stock node-item has one below it.
    """
    size = len(level)
    lanes = np.flatnonzero(src >= 0)
    # Does a base-stock node-item sit strictly below each node-item? (upwards, by level)
    below = np.zeros(size, bool)
    for lv in range(int(level.max(initial=-1)) + 1):
        moving = lanes[level[lanes] == lv]
        below[src[moving]] |= below[moving] | base_stock[moving]
        edges = np.flatnonzero(level[edge_prod] == lv)
        np.logical_or.at(
            below, edge_comp[edges], below[edge_prod[edges]] | base_stock[edge_prod[edges]]
        )
    wanted = base_stock & below
    none = np.zeros(0, np.int64)
    if not wanted.any():
        return none, none, none, np.zeros((mean.shape[0], 0)), np.zeros((mean.shape[0], 0))
    owner = customers.astype(np.int64)
    offset = np.zeros(len(owner), np.int64)
    m, v = mean, var
    for lv in range(int(level.max(initial=-1)) + 1):
        here = np.flatnonzero(level[owner] == lv)
        shift = offset[here] + np.where(base_stock[owner[here]], window[owner[here]], 0)
        up = here[src[owner[here]] >= 0]
        parts = [(src[owner[up]], shift[src[owner[here]] >= 0], m[:, up], v[:, up])]
        edges = np.flatnonzero(level[edge_prod] == lv)
        if len(edges):
            # Every stream of a product feeds each of its components, times the quantity.
            order = np.argsort(owner[here], kind="stable")
            sorted_owner = owner[here][order]
            lo = np.searchsorted(sorted_owner, edge_prod[edges], side="left")
            hi = np.searchsorted(sorted_owner, edge_prod[edges], side="right")
            count = hi - lo
            edge_of = np.repeat(np.arange(len(edges)), count)
            within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
            pick = order[np.repeat(lo, count) + within]
            qty = edge_qty[edges][edge_of]
            parts.append(
                (
                    edge_comp[edges][edge_of],
                    shift[pick],
                    m[:, here[pick]] * qty,
                    v[:, here[pick]] * qty**2,
                )
            )
        # Streams stay with their owner too (its own level reads them), as long as it needs them.
        keep = np.flatnonzero(wanted[owner] | (level[owner] > lv))
        parts.append((owner[keep], offset[keep], m[:, keep], v[:, keep]))
        owner, offset, m, v = _merge_streams(parts)
    early = np.zeros(size, bool)
    early[owner[offset > 0]] = True
    keep = early[owner]
    owner, offset, m, v = owner[keep], offset[keep], m[:, keep], v[:, keep]
    ni, local = np.unique(owner, return_inverse=True)
    return ni, local.astype(np.int64), offset, m, v


def _merge_streams(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate streams and sum those with the same owner and offset (sorted by both)."""
    owner = np.concatenate([p[0] for p in parts]).astype(np.int64)
    offset = np.concatenate([p[1] for p in parts]).astype(np.int64)
    mean = np.concatenate([p[2] for p in parts], axis=1)
    var = np.concatenate([p[3] for p in parts], axis=1)
    keys = np.stack([owner, offset])
    unique, inverse = np.unique(keys, axis=1, return_inverse=True)
    inverse = inverse.reshape(-1)
    out_mean = np.zeros((mean.shape[0], unique.shape[1]))
    out_var = np.zeros_like(out_mean)
    _add_columns(out_mean, inverse, mean)
    _add_columns(out_var, inverse, var)
    return unique[0], unique[1], out_mean, out_var
