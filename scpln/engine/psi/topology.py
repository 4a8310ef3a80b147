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
  summed up the lanes from the customers and multiplied through the BOM.
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

    ``mean``/``var`` hold the customer demand (zero elsewhere). Lane demand adds up
    (independent downstream nodes), a component sees ``qty`` × its parent's mean and
    ``qty²`` × its variance. Levels are processed upwards, so a node-item is complete
    before it passes its profile on.
    """
    mean = mean.copy()
    var = var.copy()
    for lv in range(int(level.max(initial=-1)) + 1):
        lanes = np.flatnonzero((src >= 0) & (level == lv))
        if len(lanes):
            np.add.at(mean.T, src[lanes], mean.T[lanes])
            np.add.at(var.T, src[lanes], var.T[lanes])
        edges = np.flatnonzero(level[edge_prod] == lv)
        if len(edges):
            qty = edge_qty[edges][:, None]
            np.add.at(mean.T, edge_comp[edges], qty * mean.T[edge_prod[edges]])
            np.add.at(var.T, edge_comp[edges], qty**2 * var.T[edge_prod[edges]])
    return mean, var
