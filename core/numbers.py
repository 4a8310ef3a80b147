"""How the UI writes numbers: one rounding rule for every page.

Django's ``number_format`` cuts digits off instead of rounding, so the same fill rate of
0.25296 showed as 25.2 % where a template formatted it and 25.3 % where a view rounded it
first. Every number the UI prints goes through :func:`display_number`.
"""

from __future__ import annotations

from django.utils.formats import number_format


def display_number(value: float, decimals: int, *, grouping: bool = True) -> str:
    """``value`` rounded to ``decimals`` places, in the active language's notation."""
    return number_format(round(value, decimals), decimals, force_grouping=grouping)
