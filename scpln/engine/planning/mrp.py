"""MRP: time-phased netting and multi-level BOM explosion on the weekly grid.

Level by level (low-level codes, so an item used at several depths is planned once, after all
its parents), each item's gross requirement is netted week by week against projected on-hand
(initial inventory of all locations) and open purchase orders (in the week of their due date;
already due before the horizon: the first week), keeping the item's target stock of that
week (safety stock in MRP terms: ``PlanningInputs.target_matrix``, 0 without a network) on
hand at the week's end: ``net = max(0, gross + target − on_hand − scheduled)``, so an item
that starts below its target asks for the difference in the first week, and one whose
target rises asks for the rise in the week it rises. A shortfall becomes a planned receipt in that
week, sized by the item's lot rules: at least the MOQ, then up to a multiple of the lot (lot 0
is lot-for-lot). Its release is the receipt week minus the lead time in weeks. A release that
would fall before the horizon is kept where it belongs and flagged ``past_due`` — it is never
moved into the horizon; the components it needs are due in the first week. A parent's
releases times the BOM quantity are its components' gross requirements in the release week.

Lead times in days become weeks rounded up (8 days → 2 weeks): an order is never planned to
arrive later than its lead time allows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .allocate import Allocation
from .calendar import PlanningCalendar
from .inputs import PlanningInputs, low_level_codes
from .parameters import PlanParameters, horizon_grid
from .tables import label_positions, labels_at, to_dense, week_table

GRID_COLUMNS = (
    "gross_requirement",
    "scheduled_receipt",
    "on_hand_start",
    "net_requirement",
    "planned_receipt",
    "planned_release",
    "on_hand_end",
)


@dataclass(frozen=True)
class MrpPlan:
    """The MRP stage's artifacts.

    ``mrp``: item, level, week, week_index, week_start, then ``GRID_COLUMNS`` — one row per
    item × horizon week; ``planned_release`` holds only releases inside the horizon.
    ``mrp_orders``: one row per planned order — item, level, receipt_week, receipt_week_index,
    receipt_date, release_week_index (negative before the horizon), release_date,
    lead_time_weeks, quantity, past_due.
    """

    mrp: pd.DataFrame
    mrp_orders: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"mrp": self.mrp, "mrp_orders": self.mrp_orders}


@dataclass(frozen=True)
class MaterialPlan:
    """Dense ``items × weeks`` results of netting, with items as in :func:`material_items`."""

    items: list[str]
    level: np.ndarray
    lead_weeks: np.ndarray
    grid: dict[str, np.ndarray]

    def tables(self, calendar: PlanningCalendar) -> tuple[pd.DataFrame, pd.DataFrame]:
        grid = week_table(calendar, "item", self.items, self.grid, extra={"level": self.level})
        grid = grid[["item", "level", "week", "week_index", "week_start", *GRID_COLUMNS]]
        return grid, self._orders(calendar)

    def _orders(self, calendar: PlanningCalendar) -> pd.DataFrame:
        rows, weeks = np.nonzero(self.grid["planned_receipt"] > 0)
        lead = self.lead_weeks[rows]
        release = weeks - lead
        starts = calendar.weeks["week_start"].to_numpy()
        receipt_date = starts[weeks]
        release_date = np.where(
            release >= 0,
            starts[np.maximum(release, 0)],
            receipt_date - (lead * 7).astype("timedelta64[D]"),
        )
        return pd.DataFrame(
            {
                "item": labels_at(self.items, rows),
                "level": self.level[rows],
                "receipt_week": labels_at(calendar.weeks["week"], weeks),
                "receipt_week_index": weeks,
                "receipt_date": receipt_date,
                "release_week_index": release,
                "release_date": release_date.astype("datetime64[ns]"),
                "lead_time_weeks": lead,
                "quantity": self.grid["planned_receipt"][rows, weeks],
                "past_due": release < 0,
            }
        )


def run_mrp(inputs: PlanningInputs, params: PlanParameters, allocation: Allocation) -> MrpPlan:
    """Net the allocated SKU supply (what each SKU-week must ship) and explode the BOM."""
    horizon = horizon_grid(inputs, params)
    gross = horizon.dense(allocation.sku_week, "supply")
    plan = plan_materials(inputs, params, horizon.calendar, sku_gross=gross)
    grid, orders = plan.tables(horizon.calendar)
    return MrpPlan(mrp=grid, mrp_orders=orders)


def material_items(inputs: PlanningInputs) -> list[str]:
    """The sold SKUs (in ``inputs.skus`` order) then every component below them."""
    skus = inputs.skus
    seen = set(skus)
    items = list(skus)
    frontier = skus
    parents, children = inputs.bom["parent"], inputs.bom["child"]
    while frontier:
        below = sorted(set(children[label_positions(frontier, parents) >= 0].tolist()) - seen)
        seen.update(below)
        items += below
        frontier = below
    return items


def plan_materials(
    inputs: PlanningInputs,
    params: PlanParameters,
    calendar: PlanningCalendar,
    *,
    sku_gross: np.ndarray,
    sku_receipts: np.ndarray | None = None,
) -> MaterialPlan:
    """Net every item level by level; ``sku_receipts`` fixes the SKUs' receipts (a final plan)
    instead of planning them, so only their components are planned."""
    items = material_items(inputs)
    weeks = len(calendar.weeks)
    level = low_level_codes(items, inputs.bom)
    master = inputs.items.drop_duplicates("item").set_index("item").reindex(items).fillna(0.0)
    lead_time = master["lead_time"].to_numpy(dtype=float)
    lead = (
        np.ceil(lead_time / 7.0 - 1e-9)
        if params.lead_time_unit == "day"
        else np.ceil(lead_time - 1e-9)
    )
    lead_weeks = np.maximum(lead, 0).astype(np.int64)
    lot = master["lot"].to_numpy(dtype=float)
    moq = master["moq"].to_numpy(dtype=float)
    on_hand = inputs.inventory.groupby("item")["qty"].sum().reindex(items, fill_value=0.0)
    target = inputs.target_matrix(items, calendar.week_codes)
    po = inputs.open_po.assign(
        week_index=np.maximum(calendar.week_index_of(inputs.open_po["due"]), 0)
    )
    scheduled = to_dense(po, "item", items, "week_index", weeks, "qty")

    grid = {name: np.zeros((len(items), weeks)) for name in GRID_COLUMNS}
    grid["gross_requirement"][: len(sku_gross)] = sku_gross
    grid["scheduled_receipt"] = scheduled
    edges = _edges(items, inputs.bom)
    for depth in range(int(level.max(initial=0)) + 1):
        rows = np.flatnonzero(level == depth)
        fixed = sku_receipts if depth == 0 and sku_receipts is not None else None
        _net(
            grid,
            rows,
            on_hand.to_numpy(dtype=float)[rows],
            target[rows],
            lot[rows],
            moq[rows],
            params.decimals,
            fixed,
        )
        _explode(grid, rows, lead_weeks, edges)
    return MaterialPlan(items=items, level=level, lead_weeks=lead_weeks, grid=grid)


def _edges(items: list[str], bom: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    parent = label_positions(items, bom["parent"])
    child = label_positions(items, bom["child"])
    keep = (parent >= 0) & (child >= 0)
    return parent[keep], child[keep], bom["qty"].to_numpy(dtype=float)[keep]


def _net(
    grid: dict[str, np.ndarray],
    rows: np.ndarray,
    on_hand: np.ndarray,
    target: np.ndarray,
    lot: np.ndarray,
    moq: np.ndarray,
    decimals: int | None,
    fixed: np.ndarray | None,
) -> None:
    """Week-by-week netting for one level, vectorized over its items (weeks are sequential:
    what a lot leaves over is on hand the week after); each week ends with at least its
    ``target`` (items × weeks) on hand where planned receipts can bring it there."""
    gross = grid["gross_requirement"][rows]
    scheduled = grid["scheduled_receipt"][rows]
    out = {
        name: np.zeros_like(gross)
        for name in GRID_COLUMNS
        if name not in ("gross_requirement", "scheduled_receipt", "planned_release")
    }
    level_on_hand = on_hand.copy()
    for t in range(gross.shape[1]):
        out["on_hand_start"][:, t] = level_on_hand
        available = level_on_hand + scheduled[:, t]
        net = np.maximum(gross[:, t] + target[:, t] - available, 0.0)
        receipt = fixed[:, t] if fixed is not None else _lot_size(net, lot, moq, decimals)
        level_on_hand = available + receipt - gross[:, t]
        out["net_requirement"][:, t] = net
        out["planned_receipt"][:, t] = receipt
        out["on_hand_end"][:, t] = level_on_hand
    for name, values in out.items():
        grid[name][rows] = values


def _lot_size(
    net: np.ndarray, lot: np.ndarray, moq: np.ndarray, decimals: int | None
) -> np.ndarray:
    size = np.where(net > 0, np.maximum(net, moq), 0.0)
    multiple = lot > 0
    lots = np.ceil(np.divide(size, lot, out=size.copy(), where=multiple) - 1e-9)
    size = np.where(multiple, np.maximum(lots, 0.0) * lot, size)
    if decimals is not None:
        scale = 10.0**decimals
        size = np.maximum(np.ceil(size * scale - 1e-9), 0.0) / scale
    return size


def _explode(
    grid: dict[str, np.ndarray],
    rows: np.ndarray,
    lead_weeks: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """Offset this level's receipts into releases and pass them down as component demand."""
    receipts = grid["planned_receipt"][rows]
    weeks = receipts.shape[1]
    target = np.arange(weeks)[None, :] - lead_weeks[rows][:, None]
    row_index = np.broadcast_to(np.arange(len(rows))[:, None], receipts.shape)
    inside = target >= 0
    releases = np.zeros_like(receipts)
    releases[row_index[inside], target[inside]] = receipts[inside]
    grid["planned_release"][rows] = releases
    # A past-due release needs its components now: they are due in the first week.
    demand = releases.copy()
    demand[:, 0] += np.where(inside, 0.0, receipts).sum(axis=1)
    parent, child, qty = edges
    local = pd.Index(rows).get_indexer(parent)
    use = local >= 0
    if use.any():
        np.add.at(grid["gross_requirement"], child[use], demand[local[use]] * qty[use][:, None])
