"""The receipts a plan-driven run follows: a plan's final SKU receipts, made runnable
on one network.

The planning job and every re-run build this from the same final-plan table
with the same rules, so a re-run follows exactly what the recorded run
followed (and the run stores the result, docs/architecture.md).
"""

from __future__ import annotations

import pandas as pd

from scpln.engine.canonical import CanonicalConfig
from scpln.engine.canonical.network import produced_items
from scpln.engine.planning.plan_final import FinalPlan
from scpln.engine.planning.sourcing import split_receipts
from scpln.engine.psi.compile import compile_network


def run_receipts(
    plan_final: pd.DataFrame, config: CanonicalConfig, *, by_node: bool
) -> tuple[pd.DataFrame, list[str]]:
    """The planned receipts a run of ``config`` follows, and the plan's SKUs left out.

    ``by_node``: the plan names the factory of each receipt (its work centre),
    as plans derived from a config do, so the run makes each SKU where the plan
    made it; a pool of factories that share a SKU (multi-sourcing) has its
    receipts split over them by the plan's sourcing rule
    (:func:`~.sourcing.split_receipts`). Without it (an imported input set,
    whose work centres are not nodes of the network) the engine splits the plan
    over the factories. SKUs that no factory of the network makes cannot be
    followed; they are returned sorted, and left to the policies by the run.
    """
    final = FinalPlan(plan_final=plan_final, plan_orders=pd.DataFrame(), kpis={})
    receipts = final.planned_receipts(pd.Timestamp(config.start_date), by_node=by_node)
    products = [item.code for item in config.items if item.item_type == "product"]
    makers = {(n.code, code) for n in config.nodes for code in produced_items(n, products)}
    made = {code for _, code in makers}
    known = receipts["item"].isin(made)
    dropped = sorted(set(receipts.loc[~known, "item"]))
    receipts = receipts[known].reset_index(drop=True)
    # Checked per distinct (node, item): a plan has one per SKU, rows one per SKU-week.
    pairs = receipts[["node", "item"]].drop_duplicates() if by_node else None
    if pairs is not None and not all(
        pair in makers for pair in zip(pairs["node"].tolist(), pairs["item"].tolist(), strict=True)
    ):
        receipts = split_receipts(receipts, compile_network(config))
    return receipts, dropped
