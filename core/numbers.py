"""How the UI writes numbers: one rounding rule for every page.

Django's ``number_format`` cuts digits off instead of rounding, so the same fill rate of
0.25296 showed as 25.2 % where a template formatted it and 25.3 % where a view rounded it
first. Every number the UI prints goes through :func:`display_number`; quantities and
amounts, whose places the data does not fix, through :func:`display_quantity`.
"""

from __future__ import annotations

from django.utils.formats import number_format


def display_number(value: float, decimals: int, *, grouping: bool = True) -> str:
    """``value`` rounded to ``decimals`` places, in the active language's notation."""
    return number_format(round(value, decimals), decimals, force_grouping=grouping)


def display_quantity(value: float) -> str:
    """A quantity or amount: rounded to two places, and written without decimals when the
    rounded value is whole — so 663.99999, the sum of a week's float demands, reads "664"
    beside the whole numbers around it, not "664.00"."""
    rounded = round(float(value), 2) + 0.0  # + 0.0: a -0.0 reads "0", not "-0"
    return display_number(rounded, 0 if rounded.is_integer() else 2)
