"""Allocation: family × month quantities cut into SKU × ISO week.

A family's month goes to its SKUs by their mix shares and to the month's weeks by the
calendar weights of the week parts. A week that spans two months gets a part from each month
and appears once, as their sum. With rounding, every family × month keeps its total (largest
remainder over its SKU × week parts), so the SKU-weeks always add up to the aggregate plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .aggregate import AggregatePlan
from .calendar import PlanningCalendar
from .inputs import PlanningInputs
from .parameters import PlanParameters, horizon_calendar
from .rounding import round_keeping_totals
from .tables import part_shares, part_sums, repeat_labels, tile_labels, to_dense, week_table

QUANTITIES = ("demand", "supply", "production")


@dataclass(frozen=True)
class Allocation:
    """The allocation stage's artifacts.

    ``sku_week``: sku, family, week, week_index, week_start, demand, supply, production — one
    row per SKU × horizon week (zeros included).
    ``week_periods``: family, week, week_index, period, period_index, share — how a family's
    weekly quantity belongs to the months of that week (from its allocated production; by the
    calendar weights where it has none); a week inside one month has one row with share 1.
    Rolling a weekly plan up to months with these shares gives back the aggregate exactly.
    """

    sku_week: pd.DataFrame
    week_periods: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"sku_week": self.sku_week, "week_periods": self.week_periods}


def run_allocate(
    inputs: PlanningInputs, params: PlanParameters, aggregate: AggregatePlan
) -> Allocation:
    calendar = horizon_calendar(inputs, params)
    families = inputs.families
    skus = inputs.skus
    mix = inputs.mix_share.set_index("sku").reindex(skus)
    family_of_sku = pd.Index(families).get_indexer(pd.Index(mix["family"]))
    share = mix["share"].to_numpy(dtype=float)
    parts = calendar.parts
    period_of_part = parts["period_index"].to_numpy()
    weights = part_shares(calendar)
    periods = len(calendar.periods)
    groups = family_of_sku[:, None] * periods + period_of_part[None, :]

    weekly: dict[str, np.ndarray] = {}
    production_parts = np.zeros((len(skus), len(parts)))
    for name in QUANTITIES:
        monthly = to_dense(aggregate.aggregate, "family", families, "period_index", periods, name)
        cells = monthly[family_of_sku][:, period_of_part] * share[:, None] * weights[None, :]
        cells = round_keeping_totals(cells, groups, params.decimals)
        weekly[name] = part_sums(calendar, cells)
        if name == "production":
            production_parts = cells
    sku_week = week_table(calendar, "sku", skus, weekly, extra={"family": inputs.sku_families})
    sku_week = sku_week[["sku", "family", "week", "week_index", "week_start", *QUANTITIES]]
    return Allocation(
        sku_week=sku_week,
        week_periods=_week_periods(calendar, families, family_of_sku, production_parts),
    )


def _week_periods(
    calendar: PlanningCalendar,
    families: list[str],
    family_of_sku: np.ndarray,
    production_parts: np.ndarray,
) -> pd.DataFrame:
    """Shares of each family-week per month, so weekly plans roll up to months exactly."""
    parts = calendar.parts
    week_of_part = parts["week_index"].to_numpy()
    by_family = np.zeros((len(families), len(parts)))
    np.add.at(by_family, family_of_sku, production_parts)
    week_total = part_sums(calendar, by_family)[:, week_of_part]
    weight = parts["weight"].to_numpy(dtype=float)
    weight_total = np.bincount(week_of_part, weights=weight)[week_of_part]
    fallback = np.divide(weight, weight_total, out=np.zeros_like(weight), where=weight_total > 0)
    shares = np.where(
        week_total > 0,
        np.divide(by_family, week_total, out=np.zeros_like(by_family), where=week_total > 0),
        fallback[None, :],
    )
    count = len(parts)
    return pd.DataFrame(
        {
            "family": repeat_labels(families, count),
            "week": tile_labels(parts["week"], len(families)),
            "week_index": np.tile(week_of_part, len(families)),
            "period": tile_labels(parts["period"], len(families)),
            "period_index": np.tile(parts["period_index"].to_numpy(), len(families)),
            "share": shares.reshape(-1),
        }
    )


def roll_up(
    allocation: Allocation, families: list[str], weekly: np.ndarray, periods: int
) -> np.ndarray:
    """``families × weeks`` quantities as ``families × periods``, by the allocation's shares."""
    shares = allocation.week_periods
    rows = pd.Index(families).get_indexer(pd.Index(shares["family"]))
    weeks = shares["week_index"].to_numpy()
    keep = (rows >= 0) & (weeks < weekly.shape[1])
    amounts = weekly[rows[keep], weeks[keep]] * shares["share"].to_numpy()[keep]
    flat = rows[keep] * periods + shares["period_index"].to_numpy()[keep]
    return np.bincount(flat, weights=amounts, minlength=len(families) * periods).reshape(
        len(families), periods
    )
