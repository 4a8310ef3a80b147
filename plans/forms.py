"""Forms of the plan pages: create a plan, aggregate a run of a plan version.

The forms only parse what a planner typed; every rule lives in the services
(``plan_create``, ``plan_aggregation_create``), whose ``ValidationError`` is
put back onto these fields by :func:`core.forms.add_service_errors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.forms import declared_field
from plans.models import PlanningInputSet
from plans.parameters import form_field
from runs.kpis import COLUMN_LABELS
from runs.models import Run
from runs.selectors import BUCKETS
from scenarios.models import ConfigVersion, Scenario
from scpln.engine.planning.parameters import parameter_specs
from scpln.engine.psi.rollup import PL_FIELDS, PSI_FIELDS

BUCKET_LABELS = {"day": _("Day"), "week": _("Week"), "month": _("Month")}
GROUP_KEY_LABELS = {"node": _("Node"), "item": _("Item"), "node_type": _("Node type")}


class ScenarioChoiceField(forms.ModelChoiceField):
    """Scenarios by name; a locked one says so (the service refuses it, with who and why)."""

    def label_from_instance(self, obj: Scenario) -> str:
        if obj.locked:
            return _("%(name)s (locked)") % {"name": obj.name}
        return obj.name


class ConfigChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ConfigVersion) -> str:
        return _("#%(id)s %(name)s (%(days)s days, %(items)s items, %(nodes)s nodes)") % {
            "id": obj.pk,
            "name": obj.name,
            "days": obj.horizon_days,
            "items": obj.item_count,
            "nodes": obj.node_count,
        }


class PlanParametersForm(forms.Form):
    """The plan parameters a planner may set; what is left empty takes the defaults.

    Its fields are derived from the engine's declaration (plans/parameters.py),
    like the API's and ``create_plan``'s.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, spec in parameter_specs().items():
            self.fields[name] = form_field(spec)

    # Service error keys that are not this form's field names.
    SERVICE_FIELDS: dict[str, str | None] = {"parameters": None}

    def parameter_fields(self) -> list[forms.BoundField]:
        """The parameters shown at once."""
        return [self[name] for name, spec in parameter_specs().items() if not spec.advanced]

    def advanced_fields(self) -> list[forms.BoundField]:
        """The parameters tucked away (tolerances)."""
        return [self[name] for name, spec in parameter_specs().items() if spec.advanced]

    def parameters(self, *, with_empty: bool = False) -> dict[str, Any]:
        """The parameters the planner set; the rest take the input set's or scpln's defaults.

        ``with_empty`` also gives the emptied ones (as None), so that executing
        a version again with this form drops a value the old version had
        rather than keeping it.
        """
        values: dict[str, Any] = {}
        for name in parameter_specs():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                if with_empty:
                    values[name] = None
                continue
            values[name] = value.isoformat() if name == "cutover_date" else value
        return values

    @classmethod
    def initial_from(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        """A version's stored parameters as this form's initial values."""
        return {
            # A switch's choices are "true"/"false": a stored bool must select one.
            name: str(parameters[name]).lower()
            if isinstance(parameters[name], bool)
            else parameters[name]
            for name in parameter_specs()
            if name in parameters
        }


class PlanCreateForm(PlanParametersForm):
    name = forms.CharField(label=_("Plan name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    base_scenario = ScenarioChoiceField(
        label=_("Base scenario"),
        queryset=Scenario.objects.select_related("locked_by").only(
            "id", "name", "locked", "locked_by__username"
        ),
        empty_label=_("Choose a scenario"),
        help_text=_("Locked scenarios are listed but cannot be planned until they are unlocked."),
    )
    config_version = ConfigChoiceField(
        label=_("Config version"),
        queryset=ConfigVersion.objects.filter(status=ConfigVersion.Status.ACTIVE).only(
            "id", "name", "horizon_days", "item_count", "node_count", "created_at"
        ),
        empty_label=_("Choose a config version"),
        help_text=_("The canonical supply-chain network to plan on (active versions)."),
    )
    input_set = forms.ModelChoiceField(
        label=_("Planning input set"),
        queryset=PlanningInputSet.objects.only("id", "name"),
        required=False,
        empty_label=_("None — derive the planning inputs from the config"),
    )
    SERVICE_FIELDS = {**PlanParametersForm.SERVICE_FIELDS, "input_set_id": "input_set"}

    def identity_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "base_scenario", "config_version", "input_set")]


def group_key_label(key: str) -> str:
    if key in GROUP_KEY_LABELS:
        return str(GROUP_KEY_LABELS[key])
    kind, _dot, level = key.partition(".")
    if kind == "product":
        return _("Product hierarchy: %(level)s") % {"level": level}
    if kind == "location":
        return _("Location hierarchy: %(level)s") % {"level": level}
    return key


class AggregateJobForm(forms.Form):
    """The Aggregate Job form of a plan version: which run, bucket, group keys and fields."""

    run = forms.ChoiceField(label=_("Run"), required=False)
    bucket = forms.ChoiceField(label=_("Time bucket"), initial="month")
    group_by = forms.MultipleChoiceField(
        label=_("Group by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=["item"],
        help_text=_("None: one row per period for the whole network."),
    )
    measures = forms.MultipleChoiceField(
        label=_("Fields"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=["demand", "sales", "shortage"],
        help_text=_("PSI quantities (stocks at the bucket's end, flows summed) and P&L accounts."),
    )

    # ``fields`` is the service's name; a form cannot have a field called that.
    SERVICE_FIELDS = {"run_id": "run", "fields": "measures", "plan_version": None}

    def __init__(
        self,
        *args: Any,
        runs: Iterable[Run] = (),
        group_keys: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.runs = {str(run.run_id): run for run in runs}
        declared_field(self, "run", forms.ChoiceField).choices = [
            ("", _("The latest run")),
            *(
                (
                    key,
                    f"{key} · "
                    + formats.date_format(timezone.localtime(run.started_at), "Y-m-d H:i"),
                )
                for key, run in self.runs.items()
            ),
        ]
        declared_field(self, "bucket", forms.ChoiceField).choices = [
            (b, BUCKET_LABELS.get(b, b)) for b in BUCKETS
        ]
        declared_field(self, "group_by", forms.ChoiceField).choices = [
            (key, group_key_label(key)) for key in group_keys
        ]
        declared_field(self, "measures", forms.ChoiceField).choices = [
            (_("PSI"), [(f, COLUMN_LABELS[f]) for f in PSI_FIELDS]),
            (_("P&L"), [(f, COLUMN_LABELS[f]) for f in PL_FIELDS]),
        ]

    def selected_run(self) -> Run | None:
        return self.runs.get(self.cleaned_data.get("run") or "")
