"""Template helpers of the web UI: timestamps, durations, numbers, links that may not exist yet.

Load with ``{% load scpln_ui %}``:

- ``{% ts value %}`` — a ``<time>`` in the planner's time zone (``—`` for None);
- ``value|duration`` (timedelta or seconds), ``value|ms`` (milliseconds);
- ``value|pct`` (a 0–1 share as a percentage), ``value|num`` (grouped number);
- ``value|jsonpretty`` (indented JSON), ``text|last_line`` (an error's summary);
- ``{% runs_url plan_version_id=pv.pk %}`` — run history, filtered;
- ``mapping|lookup:key`` — ``mapping[key]`` (e.g. a choice's label);
- ``{% header_cells _("Run") _("Profit") ".num" %}`` — a table's header cells;
- ``{% section "kpis-heading" _("KPIs") %}…{% endsection %}`` — a section under its heading;
- ``{% field_grid form.name form.parent %}`` — form fields side by side.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.audit import ACTION_LABELS, STATE_LABELS
from core.numbers import display_number, display_quantity

register = template.Library()

DASH = "—"


@register.simple_tag
def ts(value: datetime | None, fmt: str = "Y-m-d H:i") -> SafeString | str:
    """A timestamp in the active time zone, machine-readable in ``datetime`` (UTC)."""
    if value is None:
        return DASH
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        timezone.get_current_timezone_name(),
        dateformat.format(local, fmt),
    )


@register.filter
def duration(value: timedelta | float | int | None) -> str:
    """850 ms, 12.3 s, 4 min 5 s, 2 h 3 min."""
    if value is None or value == "":
        return DASH
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds < 1:
        return _("%(n)d ms") % {"n": round(seconds * 1000)}
    if seconds < 60:
        return _("%(n)s s") % {"n": display_number(seconds, 1, grouping=False)}
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return _("%(m)d min %(s)d s") % {"m": minutes, "s": secs}
    hours, minutes = divmod(minutes, 60)
    return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}


@register.filter
def ms(value: int | None) -> str:
    """A duration given in milliseconds."""
    return DASH if value is None else duration(timedelta(milliseconds=value))


@register.filter
def pct(value: float | None, decimals: int = 1) -> str:
    """A share (0–1) as a percentage: 0.9523 → 95.2 %."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{display_number(float(value) * 100, decimals, grouping=False)} %"


@register.filter
def num(value: Any, decimals: int | None = None) -> str:
    """A number with grouping: ``decimals`` places, else as :func:`display_quantity` writes it."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return DASH if math.isnan(value) else str(value)
    if decimals is None:
        return display_quantity(value)
    return display_number(value, decimals)


@register.filter
def jsonpretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


@register.filter
def last_line(value: str | None, length: int = 160) -> str:
    """The last non-empty line of an error (a traceback's exception line), shortened."""
    lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[-1]
    return line if len(line) <= length else line[: length - 1] + "…"


@register.simple_tag
def runs_url(**filters: Any) -> str:
    """Run history (``runs:list``), filtered by ``filters`` (None values are left out)."""
    path = reverse("runs:list")
    params = {key: value for key, value in filters.items() if value not in (None, "")}
    return f"{path}?{urlencode(params)}" if params else path


@register.filter
def event_label(action: str) -> str:
    """An audit action as people say it (core/audit.py), never its key."""
    return str(ACTION_LABELS.get(action, action.replace("_", " ").capitalize()))


@register.filter
def state_label(state: str) -> str:
    """A state an event moved an object from or to, by its label."""
    return str(STATE_LABELS.get(state, state)) if state else DASH


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return ""


@register.simple_tag
def header_cells(*columns: str) -> SafeString:
    """A table's header cells, one ``<th scope="col">`` a column label, so that a table
    lists its columns once, in order, and their markup is written here only. A class
    follows its column as ``".num"`` (right-aligned figures) or ``".wrap"``."""
    cells: list[list[str]] = []
    for column in columns:
        if column.startswith("."):
            cells[-1][0] = format_html(' class="{}"', column[1:])
        else:
            cells.append(["", column])
    return format_html_join("", '<th scope="col"{}>{}</th>', cells)


@register.simple_block_tag
def section(content: str, heading_id: str, title: str, level: int = 2, **attrs: Any) -> SafeString:
    """A ``<section>`` named by its heading (``aria-labelledby``), so that the heading's id is
    written once and a page's sections are built alike. ``attrs`` are the section's own
    attributes; ``data_testid="x"`` stands for ``data-testid="x"`` (a tag's keywords take no
    hyphen)."""
    attributes = format_html_join(
        "", ' {}="{}"', ((name.replace("_", "-"), value) for name, value in attrs.items())
    )
    return format_html(
        '<section aria-labelledby="{}"{}>\n<h{} id="{}">{}</h{}>{}</section>',
        heading_id,
        attributes,
        level,
        heading_id,
        title,
        level,
        content,
    )


@register.inclusion_tag("includes/field_grid.html")
def field_grid(*fields: BoundField | Iterable[BoundField]) -> dict[str, list[BoundField]]:
    """Form fields side by side (``<div class="grid">``), each as ``includes/field.html``
    writes one. An argument is a bound field or a list of them (``form.parameter_fields``)."""
    flat: list[BoundField] = []
    for field in fields:
        if isinstance(field, BoundField):
            flat.append(field)
        else:
            flat.extend(field)
    return {"fields": flat}
