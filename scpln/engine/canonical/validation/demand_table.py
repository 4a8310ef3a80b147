"""The demand checks of :mod:`.series`, column by column, for demands read as a ``RowTable``.

A generated network has millions of demand rows; checking them one dataclass at a time
took longer than simulating them. Here each check runs over integer codes and float
columns, looks at each distinct node, item, model and bucket code once, and words a
problem only for the rows that have one — with the same path and message, in the same
order within a row, as :func:`.series.check_demands` (``test_canonical_table.py`` compares
the two on broken configs).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from scpln.engine.canonical.buckets import BucketError, bucket_period
from scpln.engine.canonical.limits import MAX_QUANTITY
from scpln.engine.canonical.schema import DEMAND_MODELS, Demand
from scpln.engine.canonical.table import distinct, table_of

from .context import Context
from .series import Pair, _bucket_form, _check_overlaps, _check_supply_paths


def check_demand_table(ctx: Context, demands: Sequence[Demand]) -> None:
    table = table_of(Demand, demands)
    node, nodes = table.text("node_code")
    item, items = table.text("item_code")
    bucket, buckets = table.text("bucket")
    model, models = table.text("demand_model")

    def path(row: int) -> str:
        return ctx.row("demands", row)

    types = [ctx.nodes[code].node_type if code in ctx.nodes else None for code in nodes]
    for row in _rows(np.array([kind != "store" for kind in types], bool)[node]):
        code, kind = nodes[node[row]], types[node[row]]
        message = (
            f"unknown node '{code}'"
            if kind is None
            else f"customer demand belongs on a store; {code} is a {kind}"
        )
        ctx.add(f"{path(row)}.node_code", message)
    item_known = np.array([code in ctx.items for code in items], bool)[item]
    for row in _rows(~item_known):
        ctx.known_item(f"{path(row)}.item_code", items[item[row]])
    for row in _rows(np.array([code not in DEMAND_MODELS for code in models], bool)[model]):
        ctx.one_of(f"{path(row)}.demand_model", models[model[row]], DEMAND_MODELS, "demand model")
    for name in ("mean", "std_dev"):
        values = table.number(name)
        for row in _rows((values < 0) | (values > MAX_QUANTITY)):
            ctx.at_least(f"{path(row)}.{name}", getattr(table[row], name))
    pair = node.astype(np.int64) * max(len(items), 1) + item
    first = _first_of_key(pair, bucket, len(buckets))
    duplicate = first != np.arange(len(table))
    for row in _rows(duplicate):
        ctx.add(
            path(row),
            f"duplicate demand for {nodes[node[row]]} × {items[item[row]]} in "
            f"{buckets[bucket[row]]} (already at {path(int(first[row]))})",
        )
    periods: list[tuple[date, date] | None] = []
    errors: list[str | None] = []
    for code in buckets:
        try:
            periods.append(bucket_period(code, ctx.start))
            errors.append(None)
        except BucketError as exc:
            periods.append(None)
            errors.append(str(exc))
    bad_bucket = np.array([error is not None for error in errors], bool)[bucket]
    for row in _rows(bad_bucket & ~duplicate):
        ctx.add(f"{path(row)}.bucket", str(errors[bucket[row]]))
    dated = np.flatnonzero(~bad_bucket & ~duplicate)
    _check_mixed_forms(ctx, dated, pair[dated], bucket[dated], buckets, periods)
    store = np.array([kind == "store" for kind in types], bool)[node]
    eligible = np.flatnonzero(store & item_known & ~duplicate)
    firsts = np.full(len(nodes) * max(len(items), 1), len(table), np.int64)
    np.minimum.at(firsts, pair[eligible], eligible)
    rows = np.sort(firsts[firsts < len(table)])
    # codes to lists first: indexing numpy arrays row by row costs a scalar object each
    first_row: dict[Pair, int] = {
        (nodes[n], items[i]): r
        for n, i, r in zip(node[rows].tolist(), item[rows].tolist(), rows.tolist(), strict=True)
    }
    _check_supply_paths(ctx, first_row)


def _rows(mask: np.ndarray) -> list[int]:
    return np.flatnonzero(mask).tolist()


def _first_of_key(pair: np.ndarray, bucket: np.ndarray, buckets: int) -> np.ndarray:
    """Per row, the first row with its node, item and bucket (itself when it is the first)."""
    if len(pair) == 0:
        return np.zeros(0, np.int64)
    key = pair * max(buckets, 1) + bucket if pair.max() < 2**62 // max(buckets, 1) else None
    order = np.argsort(key, kind="stable") if key is not None else np.lexsort((bucket, pair))
    ordered = key[order] if key is not None else np.stack([pair[order], bucket[order]])
    starts = np.ones(len(order), bool)
    if key is not None:
        starts[1:] = ordered[1:] != ordered[:-1]
    else:
        starts[1:] = (ordered[:, 1:] != ordered[:, :-1]).any(axis=0)
    group_first = order[starts][np.cumsum(starts) - 1]
    first = np.empty(len(order), np.int64)
    first[order] = group_first
    return first


def _check_mixed_forms(
    ctx: Context,
    rows: np.ndarray,
    pair: np.ndarray,
    bucket: np.ndarray,
    buckets: tuple[str, ...],
    periods: list[tuple[date, date] | None],
) -> None:
    """Overlapping buckets, for the store × items whose rows use codes of several forms."""
    forms = {form: code for code, form in enumerate(dict.fromkeys(map(_bucket_form, buckets)))}
    if len(forms) < 2:  # one form of bucket code: no two buckets overlap
        return
    form = np.array([forms[_bucket_form(code)] for code in buckets], np.int64)[bucket]
    mixed_pairs, counts = np.unique(
        np.unique(pair * len(forms) + form) // len(forms), return_counts=True
    )
    mixed = np.isin(pair, mixed_pairs[counts > 1])
    spans: dict[int, list[tuple[date, date, int]]] = {}
    for index, key, code in zip(
        rows[mixed].tolist(), pair[mixed].tolist(), bucket[mixed].tolist(), strict=True
    ):
        period = periods[code]
        assert period is not None  # rows with a bucket that names no period are left out
        spans.setdefault(key, []).append((*period, index))
    for group in spans.values():
        _check_overlaps(ctx, group)


def demand_pairs(demands: Sequence[Demand]) -> set[Pair]:
    """The distinct (store, item) pairs that have demand rows."""
    table = table_of(Demand, demands)
    node, nodes = table.text("node_code")
    item, items = table.text("item_code")
    pairs = distinct(node.astype(np.int64) * max(len(items), 1) + item, len(nodes) * len(items))
    return {(nodes[p // max(len(items), 1)], items[p % max(len(items), 1)]) for p in pairs.tolist()}
