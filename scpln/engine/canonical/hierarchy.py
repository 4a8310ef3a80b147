"""The product and location hierarchies of a config, as group keys for roll-ups.

A key is ``node``, ``item``, ``node_type``, or ``product.<level>`` /
``location.<level>`` for every level of the config's hierarchies; an item or
node outside a hierarchy (or with no ancestor at that level) groups as
:data:`NONE_LABEL`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from scpln.engine.canonical.schema import CanonicalConfig

NONE_LABEL = "(none)"


def hierarchy_levels(
    config: CanonicalConfig, kind: str
) -> tuple[dict[str, str | None], dict[str, str]]:
    """(code → parent, code → level) of the ``product`` or ``location`` hierarchy."""
    parents: dict[str, str | None] = {}
    levels: dict[str, str] = {}
    for entry in config.hierarchies:
        if entry.hierarchy_type == kind:
            parents[entry.node_key] = entry.parent_key
            if entry.level:
                levels[entry.node_key] = entry.level
    return parents, levels


def group_keys(config: CanonicalConfig) -> list[str]:
    """Every group key this config offers, in a stable order."""
    keys = ["node", "item", "node_type"]
    for kind in ("product", "location"):
        _, levels = hierarchy_levels(config, kind)
        keys += [f"{kind}.{level}" for level in sorted(set(levels.values()))]
    return keys


def ancestor_at(
    code: str, level: str, parents: dict[str, str | None], levels: dict[str, str]
) -> str:
    """The code's ancestor (or itself) at ``level``; cycles in the data end the walk."""
    seen: set[str] = set()
    current: str | None = code
    while current is not None and current not in seen:
        if levels.get(current) == level:
            return current
        seen.add(current)
        current = parents.get(current)
    return NONE_LABEL


def label_groups(
    frame: pd.DataFrame, config: CanonicalConfig, group_by: Sequence[str]
) -> list[str]:
    """Add a column per group key to ``frame`` (from its node and item columns); the keys."""
    node_types = {node.code: node.node_type for node in config.nodes}
    for key in group_by:
        if key == "node_type":
            frame["node_type"] = frame["node"].map(node_types).fillna(NONE_LABEL)
        elif "." in key:
            kind, level = key.split(".", 1)
            parents, levels = hierarchy_levels(config, kind)
            column = "item" if kind == "product" else "node"
            mapping = {
                code: ancestor_at(code, level, parents, levels) for code in frame[column].unique()
            }
            frame[key] = frame[column].map(mapping)
    return list(group_by)
