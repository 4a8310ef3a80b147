"""The planning stages' tables as a planner reads them on the version page.

The stored tables keep the engine's column names (docs/planning.md defines each one; the
API and the CSV downloads use them as they are); the page gives every table a title and
every column a translated label, and leaves out the ``*_index`` columns, which only
number the periods and weeks that the table already names.
"""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy

from core.tables import DisplayTable, display_table
from runs.kpis import column_label

TABLE_ROWS = 200

TABLE_TITLES = {
    "aggregate": gettext_lazy("Aggregate plan (family × period)"),
    "aggregate_capacity": gettext_lazy("Aggregate capacity (work centre × period)"),
    "sku_week": gettext_lazy("Detail plan (SKU × week)"),
    "week_periods": gettext_lazy("Weeks in periods"),
    "mrp": gettext_lazy("MRP records (item × week)"),
    "mrp_orders": gettext_lazy("MRP planned orders"),
    "reconcile": gettext_lazy("Reconciled plan (SKU × week)"),
    "capacity": gettext_lazy("Weekly capacity vs load, with spill and pull-in"),
    "delta_log": gettext_lazy("AGG ↔ DET deltas (family × period)"),
    "anchor_log": gettext_lazy("Anchoring log (per SKU)"),
    "plan_final": gettext_lazy("Final plan (item × week)"),
    "plan_orders": gettext_lazy("Final planned orders"),
}

# One label per column of the stage tables (docs/planning.md, "Stages") that the run
# tables do not already name (runs.kpis.COLUMN_LABELS: period, item, demand, ...).
COLUMN_LABELS = {
    "family": gettext_lazy("Family"),
    "sku": gettext_lazy("SKU"),
    "level": gettext_lazy("BOM level"),
    "workcenter": gettext_lazy("Work centre"),
    "week": gettext_lazy("Week"),
    "week_start": gettext_lazy("Week start"),
    "week_end": gettext_lazy("Week end"),
    "share": gettext_lazy("Share of the week"),
    "backlog_in": gettext_lazy("Backlog carried in"),
    "from_stock": gettext_lazy("From stock"),
    "to_stock": gettext_lazy("Into stock"),
    "supply": gettext_lazy("Supply"),
    "capacity": gettext_lazy("Capacity"),
    "requested": gettext_lazy("Requested"),
    "utilisation": gettext_lazy("Utilisation"),
    "gross_requirement": gettext_lazy("Gross requirement"),
    "scheduled_receipt": gettext_lazy("Scheduled receipts"),
    "on_hand_start": gettext_lazy("On-hand at the start"),
    "net_requirement": gettext_lazy("Net requirement"),
    "planned_receipt": gettext_lazy("Planned receipts"),
    "planned_release": gettext_lazy("Planned releases"),
    "on_hand_end": gettext_lazy("On-hand at the end"),
    "projected_on_hand": gettext_lazy("Projected on-hand"),
    "receipt_week": gettext_lazy("Receipt week"),
    "receipt_date": gettext_lazy("Receipt date"),
    "release_date": gettext_lazy("Release date"),
    "lead_time_weeks": gettext_lazy("Lead time (weeks)"),
    "quantity": gettext_lazy("Quantity"),
    "past_due": gettext_lazy("Past due"),
    "near": gettext_lazy("Before the cutover"),
    "in_window": gettext_lazy("In the window"),
    "agg_production": gettext_lazy("Aggregate production"),
    "det_production": gettext_lazy("MRP receipts"),
    "anchored": gettext_lazy("Anchored"),
    "final": gettext_lazy("Final"),
    "delta": gettext_lazy("Delta"),
    "absorbed": gettext_lazy("Absorbed"),
    "carried_prev": gettext_lazy("Carried to earlier weeks"),
    "carried_next": gettext_lazy("Carried to later weeks"),
    "residual": gettext_lazy("Residual"),
    "unmet": gettext_lazy("Unmet"),
    "allow_over_capacity": gettext_lazy("Over capacity allowed"),
    "load": gettext_lazy("Load"),
    "spilled": gettext_lazy("Spilled"),
    "pulled": gettext_lazy("Pulled in"),
    "zone": gettext_lazy("Zone"),
    "agg": gettext_lazy("Aggregate"),
    "det": gettext_lazy("Detail"),
    "delta_det": gettext_lazy("Detail delta"),
    "rel_delta": gettext_lazy("Relative delta"),
    "outside_tolerance": gettext_lazy("Outside tolerance"),
}


def stage_table(frame: pd.DataFrame) -> DisplayTable:
    """``frame``'s first rows under the planner's column labels, index columns left out."""
    shown = frame[[c for c in frame.columns if not str(c).endswith("_index")]]
    return display_table(
        shown.rename(columns=lambda c: str(COLUMN_LABELS.get(c) or column_label(c))),
        limit=TABLE_ROWS,
    )
