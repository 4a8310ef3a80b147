"""The planning workbench: a plan's PSI grid at family × period and SKU × week, and edits that
keep aggregate = Σ detail (see ``docs/planner-guide.md``, *The planning workbench*)."""

from .distribute import MODES, Mode, Unplaceable, distribute, largest_remainder
from .sheet import (
    EDITABLE,
    LEVELS,
    MEASURE_BY_NAME,
    MEASURES,
    CellChange,
    Level,
    LockedCell,
    Measure,
    Sheet,
    Weight,
    edit_aggregate,
    edit_detail,
    family_key,
    sheet_from_tables,
    sku_key,
    unplaceable_cells,
)

__all__ = [
    "EDITABLE",
    "LEVELS",
    "MEASURES",
    "MEASURE_BY_NAME",
    "MODES",
    "CellChange",
    "Level",
    "LockedCell",
    "Measure",
    "Mode",
    "Sheet",
    "Unplaceable",
    "Weight",
    "distribute",
    "edit_aggregate",
    "edit_detail",
    "family_key",
    "largest_remainder",
    "sheet_from_tables",
    "sku_key",
    "unplaceable_cells",
]
