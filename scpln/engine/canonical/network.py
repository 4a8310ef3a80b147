"""Who can supply what: the network rules the validator, simulator and planner share.

A node *originates* an item when it is a factory that makes it or a supplier/material
node that stocks it (has an inventory policy for it; with ``unlimited_supply`` that
stock never runs out). A factory makes the items of its item-level production
policies; a factory without any makes every ``product`` item (the original system's
rule). Goods flow along arcs from ``from_node`` to ``to_node``.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable

from .schema import SUPPLIER_TYPES, CanonicalConfig, Node


def produced_items(node: Node, product_codes: Iterable[str]) -> frozenset[str]:
    """Items a factory makes (empty for any other node type)."""
    if node.node_type != "factory":
        return frozenset()
    own = {p.item_code for p in node.production_policies if p.item_code is not None}
    return frozenset(own) if own else frozenset(product_codes)


def originated_items(config: CanonicalConfig) -> dict[str, frozenset[str]]:
    """For every node code, the items that node can put into the network itself."""
    products = [item.code for item in config.items if item.item_type == "product"]
    out: dict[str, frozenset[str]] = {}
    for node in config.nodes:
        if node.node_type == "factory":
            out[node.code] = produced_items(node, products)
        elif node.node_type in SUPPLIER_TYPES:
            out[node.code] = frozenset(p.item_code for p in node.inventory_policies)
        else:
            out[node.code] = frozenset()
    return out


def reachable_items(config: CanonicalConfig) -> dict[str, set[str]]:
    """For every node code, the items some upstream chain of arcs can bring it.

    Propagates origin sets downstream until nothing changes; each node re-enters the
    work queue only when its set grows, so the cost is bounded by arcs × items.
    """
    reach = {code: set(items) for code, items in originated_items(config).items()}
    downstream: dict[str, list[str]] = defaultdict(list)
    for arc in config.arcs:
        if arc.from_node in reach and arc.to_node in reach and arc.from_node != arc.to_node:
            downstream[arc.from_node].append(arc.to_node)
    queue = deque(code for code, items in reach.items() if items)
    while queue:
        code = queue.popleft()
        for target in downstream[code]:
            missing = reach[code] - reach[target]
            if missing:
                reach[target] |= missing
                queue.append(target)
    return reach


def find_cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Every distinct cycle closed by a back edge of a depth-first walk, as ``[a, …, a]``.

    Iterative, so a deep BOM cannot hit Python's recursion limit.
    """
    graph: dict[str, list[str]] = defaultdict(list)
    for parent, component in edges:
        graph[parent].append(component)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for root in list(graph):
        if root in state:
            continue
        path = [root]
        state[root] = 1
        stack = [iter(graph[root])]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                state[path.pop()] = 2
                continue
            mark = state.get(child)
            if mark == 1:
                cycle = [*path[path.index(child) :], child]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    cycles.append(cycle)
            elif mark is None:
                state[child] = 1
                path.append(child)
                stack.append(iter(graph[child]))
    return cycles
