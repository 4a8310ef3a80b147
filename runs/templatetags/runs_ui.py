"""Template helpers of the run pages: ``{% load runs_ui %}``.

- ``value|kpi:"fill_rate"`` — a KPI value formatted as that KPI is (share, money,
  units), the same way on every run page.
"""

from __future__ import annotations

from typing import Any

from django import template

from runs.kpis import format_kpi

register = template.Library()


@register.filter
def kpi(value: Any, name: str) -> str:
    return format_kpi(name, value)
