"""Forms of the runs web UI.

Run-history filtering is THE run FilterSet (:mod:`runs.filters`), the same one
the ``/runs`` API uses; :func:`style_filter_form` only gives its form the
labels and widgets a planner needs (a date-time picker, "any" choices). The
other forms parse the query strings of the run pages: paging, the table
shown on the run page, and a comparison.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import declared_field
from runs.filters import RunFilter
from runs.kpis import COLUMN_LABELS
from runs.models import Run
from runs.selectors import BUCKETS
from runs.selectors.compare import MAX_RUNS, parse_run_ids
from scenarios.models import ConfigVersion

# Shown as inputs, in this order; the FilterSet's other filters (plan, scenario
# id, job, source) still apply when a link carries them, as hidden inputs.
VISIBLE_FILTERS = (
    "plan_version_id",
    "scenario_name",
    "config_version_id",
    "started_after",
    "started_before",
    "pinned",
    "baseline",
    "archived",
    "ordering",
)
FILTER_LABELS = {
    "plan_version_id": _("Plan version"),
    "plan_id": _("Plan"),
    "scenario_id": _("Scenario id"),
    "scenario_name": _("Scenario name"),
    "config_version_id": _("Config version"),
    "job_id": _("Job"),
    "status": _("Status"),
    "source": _("Source"),
    "started_after": _("Started from"),
    "started_before": _("Started before"),
    "pinned": _("Pinned"),
    "baseline": _("Baseline"),
    "archived": _("Archived"),
    "ordering": _("Sort by"),
}
# The sort keys of the FilterSet in words, each way (the column headings sort too):
# key, its descending order, its ascending order.
_SORT_KEYS = (
    ("started_at", _("Started, newest first"), _("Started, oldest first")),
    ("finished_at", _("Finished, newest first"), _("Finished, oldest first")),
    ("duration_ms", _("Duration, longest first"), _("Duration, shortest first")),
    ("fill_rate", _("Fill rate, highest first"), _("Fill rate, lowest first")),
    (
        "cycle_service_level",
        _("Cycle service level, highest first"),
        _("Cycle service level, lowest first"),
    ),
    ("profit_total", _("Profit, highest first"), _("Profit, lowest first")),
    ("shortage_total", _("Shortage, largest first"), _("Shortage, smallest first")),
    ("avg_on_hand", _("Average on-hand, highest first"), _("Average on-hand, lowest first")),
    ("avg_backlog", _("Average backlog, highest first"), _("Average backlog, lowest first")),
)
ORDERING_LABELS = tuple(
    (sign + key, label)
    for key, descending, ascending in _SORT_KEYS
    for sign, label in (("-", descending), ("", ascending))
)
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_DAY = 100_000
BUCKET_LABELS = {"day": _("Day"), "week": _("Week"), "month": _("Month")}
# PSI columns the comparison can overlay, and the default.
OVERLAY_METRICS = tuple(
    (name, COLUMN_LABELS[name]) for name in ("on_hand", "demand", "sales", "shortage", "backlog")
)


def style_filter_form(filterset: RunFilter, *, config_versions: bool = True) -> forms.Form:
    """The FilterSet's form with UI labels and widgets; filtering itself is unchanged.

    With ``config_versions`` the config filter is a choice of the existing
    versions (one small query) instead of a number to type.
    """
    form = filterset.form
    fields = form.fields
    for name, label in FILTER_LABELS.items():
        fields[name].label = label
        # The FilterSet's help texts document the API; the page needs fewer words.
        fields[name].help_text = ""
    fields["plan_version_id"].widget.attrs.update(
        {"placeholder": "pv-…", "autocomplete": "off", "spellcheck": "false"}
    )
    fields["scenario_name"].widget.attrs.update({"autocomplete": "off"})
    # django-filter's choice fields put their own blank choice ("---------") first.
    for name, choices in (
        ("status", [("", _("Any")), *Run.Status.choices]),
        ("source", [("", _("Any")), *Run.Source.choices]),
        ("ordering", list(ORDERING_LABELS)),
    ):
        fields[name].empty_label = None
        fields[name].choices = choices
    fields["pinned"].widget = forms.Select(
        choices=[("", _("Any")), ("true", _("Pinned")), ("false", _("Not pinned"))]
    )
    fields["baseline"].widget = forms.Select(
        choices=[("", _("Any")), ("true", _("Baselines only")), ("false", _("Not baselines"))]
    )
    fields["archived"].widget = forms.Select(
        choices=[("false", _("Hidden")), ("true", _("Archived only"))]
    )
    for name in ("started_after", "started_before"):
        fields[name].widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    fields["scenario_name"].help_text = _("Part of the name, any case.")
    if config_versions:
        fields["config_version_id"].widget = forms.Select(
            choices=[
                ("", _("Any")),
                *(
                    (pk, f"#{pk} {name}")
                    for pk, name in ConfigVersion.objects.order_by("-pk").values_list("pk", "name")
                ),
            ]
        )
    for name in fields:
        if name not in VISIBLE_FILTERS:
            fields[name].widget = forms.HiddenInput()
    return form


def active_filters(filterset: RunFilter) -> dict[str, Any]:
    """The filters a valid filterset applies (ordering aside)."""
    cleaned = getattr(filterset.form, "cleaned_data", {})
    return {
        name: value
        for name, value in cleaned.items()
        if name != "ordering"
        and value not in (None, "", [])
        # Hiding archived runs is the default, not a filter the planner chose.
        and not (name == "archived" and value is False)
    }


class PageForm(forms.Form):
    """``page`` (a number, or ``last``) and ``page_size`` of a list page."""

    page = forms.CharField(required=False, max_length=12)
    page_size = forms.IntegerField(
        label=_("Rows per page"), required=False, min_value=1, max_value=MAX_PAGE_SIZE
    )

    def clean_page(self) -> int | str:
        raw = (self.cleaned_data.get("page") or "").strip()
        if not raw:
            return 1
        if raw == "last":
            return raw
        if raw.isdigit() and int(raw) >= 1:
            return int(raw)
        raise forms.ValidationError(_("Expected a whole number of 1 or more, or “last”."))

    def clean_page_size(self) -> int:
        return self.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE


class RunTableForm(forms.Form):
    """Which node and item, time grain and day range the run page shows."""

    node = forms.ChoiceField(label=_("Node"), required=False)
    item = forms.ChoiceField(label=_("Item"), required=False)
    bucket = forms.ChoiceField(
        label=_("Time grain"),
        choices=[(b, BUCKET_LABELS[b]) for b in BUCKETS],
        required=False,
    )
    day_from = forms.IntegerField(
        label=_("From day"), required=False, min_value=0, max_value=MAX_DAY
    )
    day_to = forms.IntegerField(label=_("To day"), required=False, min_value=0, max_value=MAX_DAY)

    def __init__(
        self,
        data: QueryDict,
        *,
        keys: Sequence[tuple[str, str]] = (),
        start_date: date | None = None,
    ) -> None:
        # A node or item left open becomes one the result has together with the
        # other, filled into the data so the selects show what the page shows.
        data = data.copy()
        node, item = _pair(keys, data.get("node"), data.get("item"))
        for name, value in (("node", node), ("item", item)):
            if value:
                data[name] = value
        super().__init__(data)
        nodes = list(dict.fromkeys(node for node, _item in keys))
        items = sorted({item for _node, item in keys})
        declared_field(self, "node", forms.ChoiceField).choices = [(n, n) for n in nodes]
        declared_field(self, "item", forms.ChoiceField).choices = [(i, i) for i in items]
        if start_date is not None:
            self.fields["day_from"].help_text = _("Day 0 is %(date)s.") % {
                "date": date_format(start_date, "DATE_FORMAT")
            }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day_from, day_to = data.get("day_from"), data.get("day_to")
        if day_from is not None and day_to is not None and day_from > day_to:
            self.add_error("day_to", _("“To day” must not be before “From day”."))
        data["node"] = data.get("node") or None
        data["item"] = data.get("item") or None
        data["bucket"] = data.get("bucket") or "day"
        return data


def _pair(
    keys: Sequence[tuple[str, str]], node: str | None, item: str | None
) -> tuple[str | None, str | None]:
    """The first (node, item) of the result that matches what is given (all when
    nothing is): choosing only a node never shows an item that is not there."""
    if node and item:
        return node, item
    for key_node, key_item in keys:
        if node in (None, "", key_node) and item in (None, "", key_item):
            return key_node, key_item
    return node, item


class CompareForm(forms.Form):
    """Which runs to compare, against which base, and how to show the KPIs."""

    ids = forms.CharField(
        label=_("Runs"),
        max_length=(36 + 1) * MAX_RUNS + 50,
        help_text=_("2 to 10 run ids, comma-separated."),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose at least two runs to compare."),
            "max_length": format_lazy(_("Compare at most {max} runs at a time."), max=MAX_RUNS),
        },
    )
    base = forms.UUIDField(label=_("Base run"), required=False)
    threshold = forms.FloatField(
        label=_("Highlight changes of at least (%)"),
        required=False,
        min_value=0,
        max_value=1e9,
    )
    differences_only = forms.BooleanField(label=_("Differences only"), required=False)

    DEFAULT_THRESHOLD = 5.0

    def __init__(self, data: Any, *args: Any, **kwargs: Any) -> None:
        data = data.copy()
        # ids come as ids=a,b or as repeated ids (the checkboxes of run history).
        data["ids"] = ",".join(v for v in data.getlist("ids") if v)
        if "threshold" not in data:
            data["threshold"] = str(self.DEFAULT_THRESHOLD)
        super().__init__(data, *args, **kwargs)
        self.fields["base"].widget = forms.Select(choices=[])

    def clean_ids(self) -> list[uuid.UUID]:
        return parse_run_ids([self.cleaned_data["ids"]])

    def set_runs(self, runs: list[Run]) -> None:
        """Offer the compared runs as the base."""
        self.fields["base"].widget.choices = [
            (str(run.run_id), str(run.run_id)[:8]) for run in runs
        ]


class OverlayForm(RunTableForm):
    """Which node, item and PSI measure the comparison overlays."""

    metric = forms.ChoiceField(label=_("Measure"), choices=OVERLAY_METRICS, required=False)

    field_order = ("node", "item", "metric", "bucket", "day_from", "day_to")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["metric"] = data.get("metric") or OVERLAY_METRICS[0][0]
        return data
