"""Rolling a run's result up: periods × group keys (hierarchy levels), chosen fields.

PSI fields keep the periods' rule (stocks at the period end, flows summed,
scpln.engine.psi.periods); P&L fields come from the cost trace, one column
per account plus ``total_cost`` and ``profit``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from scpln.engine.canonical.hierarchy import label_groups
from scpln.engine.canonical.schema import CanonicalConfig
from scpln.engine.psi.costs import ACCOUNTS, COST_ACCOUNTS
from scpln.engine.psi.frames import PSI_COLUMNS

PSI_FIELDS = tuple(c for c in PSI_COLUMNS if c not in ("day", "node", "item"))
PL_FIELDS = (*ACCOUNTS, "total_cost", "profit")


def rollup(
    *,
    psi: pd.DataFrame | None,
    trace: pd.DataFrame | None,
    config: CanonicalConfig,
    period: str,
    group_by: Sequence[str],
    fields: Sequence[str],
) -> pd.DataFrame:
    """A run's PSI and P&L summed by period and the chosen group keys.

    ``psi`` and ``trace`` are the run's tables already in ``period``
    (:func:`scpln.engine.psi.periods.to_periods`); either may be None when no
    field of it is asked for.
    """
    psi_fields = [f for f in fields if f in PSI_FIELDS]
    pl_fields = [f for f in fields if f in PL_FIELDS]
    parts: list[pd.DataFrame] = []
    if psi_fields:
        assert psi is not None
        parts.append(_with_period(psi, period)[["period", "node", "item", *psi_fields]])
    if pl_fields:
        assert trace is not None
        trace = _with_period(trace, period)
        wide = trace.pivot_table(
            index=["period", "node", "item"],
            columns="account",
            values="amount",
            aggfunc="sum",
            fill_value=0.0,
        ).reset_index()
        for account in ACCOUNTS:
            if account not in wide.columns:
                wide[account] = 0.0
        wide["total_cost"] = wide[sorted(COST_ACCOUNTS)].sum(axis=1)
        wide["profit"] = wide["revenue"] - wide["total_cost"]
        parts.append(wide[["period", "node", "item", *pl_fields]])
    frame = parts[0]
    for extra in parts[1:]:
        frame = frame.merge(extra, on=["period", "node", "item"], how="outer")
    frame = frame.fillna({f: 0.0 for f in fields})
    keys = label_groups(frame, config, group_by)
    out = (
        frame.groupby(["period", *keys], sort=False, dropna=False)[list(fields)].sum().reset_index()
    )
    order = out["period"].map({p: i for i, p in enumerate(dict.fromkeys(frame["period"]))})
    return (
        out.assign(_order=order)
        .sort_values(["_order", *keys])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _with_period(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    if period == "day":
        return frame.assign(period=frame["day"].astype("int64").astype(str).str.zfill(4))
    return frame
