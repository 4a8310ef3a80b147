"""Checks of the sourcing rules (multi-sourcing): lanes that exist, sources that can ship
the item, priorities and shares that make a rule."""

from __future__ import annotations

from collections import defaultdict

from scpln.engine.canonical.limits import MAX_PRIORITY
from scpln.engine.canonical.network import originated_items

from .context import Context, fmt

SHARE_TOLERANCE = 1e-6


def check_sourcing_rules(ctx: Context) -> None:
    config = ctx.config
    rules = config.sourcing_rules
    if not rules:
        return
    arcs = {(arc.from_node, arc.to_node) for arc in config.arcs}
    made = originated_items(config)
    stocked = {
        (node.code, policy.item_code) for node in config.nodes for policy in node.inventory_policies
    }
    if isinstance(config.demands, tuple):
        demanded = {(d.node_code, d.item_code) for d in config.demands}
    else:  # read column-wise: millions of rows
        from .demand_table import demand_pairs  # numpy, only for such a config

        demanded = demand_pairs(config.demands)
    keys = ((r.node_code, r.item_code, r.from_node) for r in rules)
    ctx.duplicates("sourcing_rules", keys, "rule for the same node, item and source")
    shares: dict[tuple[str, str, int], list[tuple[int, float]]] = defaultdict(list)
    for index, rule in enumerate(rules):
        path = ctx.row("sourcing_rules", index)
        known = ctx.known_node(f"{path}.node_code", rule.node_code)
        known &= ctx.known_node(f"{path}.from_node", rule.from_node)
        known &= ctx.known_item(f"{path}.item_code", rule.item_code)
        if rule.priority < 1:
            ctx.add(
                f"{path}.priority", f"must be 1 or more (1 is tried first), got {rule.priority}"
            )
        elif rule.priority > MAX_PRIORITY:
            ctx.add(f"{path}.priority", f"must be at most {MAX_PRIORITY}, got {fmt(rule.priority)}")
        if not 0 < rule.share <= 1:
            ctx.add(f"{path}.share", f"must be above 0 and at most 1, got {fmt(rule.share)}")
        shares[(rule.node_code, rule.item_code, rule.priority)].append((index, rule.share))
        if not known:
            continue
        item, node, source = rule.item_code, rule.node_code, rule.from_node
        if (source, node) not in arcs:
            ctx.add(f"{path}.from_node", f"no arc {source} → {node} to order {item} along")
        if (source, item) not in stocked and item not in made.get(source, frozenset()):
            ctx.add(f"{path}.from_node", f"{source} neither stocks nor makes {item}")
        if (node, item) not in stocked and (node, item) not in demanded:
            ctx.add(
                f"{path}.node_code",
                f"{node} does not stock {item} (no inventory policy or demand for it)",
            )
    for (node, item, priority), parts in shares.items():
        total = sum(share for _, share in parts)
        if abs(total - 1.0) > SHARE_TOLERANCE and all(0 < s <= 1 for _, s in parts):
            first = parts[0][0]
            ctx.add(
                f"{ctx.row('sourcing_rules', first)}.share",
                f"the shares of {node} × {item} at priority {priority} add up to {fmt(total)}, "
                "not 1",
            )
