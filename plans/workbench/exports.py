"""The grid as a table for downloads (CSV, XLSX): exactly the rows and columns shown."""

from __future__ import annotations

from typing import Any

from plans.workbench.selectors import GridPage

HEADER = ["key", "level", "family", "sku", "node", "measure", "opening"]


def grid_table(page: GridPage) -> tuple[list[str], list[list[Any]]]:
    """Header and rows: the row's identity, its opening stock, a column per period, the total."""
    header = [*HEADER, *(p.code for p in page.periods), "total"]
    rows = [
        [
            row.key,
            row.level,
            row.family,
            row.sku,
            row.node,
            row.measure,
            row.opening,
            *row.values,
            row.total,
        ]
        for row in [*page.rows, *page.capacity_rows]
    ]
    return header, rows
