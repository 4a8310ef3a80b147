"""Forms of the scenario and config pages.

They parse what a planner typed (numbers, ``CODE=factor`` lines or JSON, an
uploaded JSON file); the rules a scenario or config must meet are the
services' (``scenarios.services``), whose ``ValidationError`` is put back onto
these fields by :func:`core.forms.add_service_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.converters import MAX_ID
from core.forms import add_service_errors, declared_field
from core.json_input import JSONInputError, parse_json
from scenarios import services
from scenarios.limits import runs_inline, upload_size_problem
from scenarios.models import ConfigVersion, Scenario


class FactorMapField(forms.CharField):
    """Code → factor, typed as ``CODE=1.2`` lines (``#`` starts a comment) or a JSON object.

    Every malformed line is reported with its number; the factors' range is
    the service's rule and is reported by it.
    """

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return "\n".join(f"{code}={factor:g}" for code, factor in value.items())
        return value

    # A CharField for its text handling that cleans to a dict; the form takes any value.
    def to_python(self, value: Any) -> dict[str, Any]:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return {}
        if text.startswith("{"):
            try:
                data = parse_json(text)
            except JSONInputError as exc:
                raise ValidationError(str(exc), code="json") from None
            if not isinstance(data, dict):
                raise ValidationError(_("Expected a JSON object of code → factor."), code="json")
            return data
        factors: dict[str, float] = {}
        errors: list[ValidationError] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            code, sep, factor = line.partition("=")
            code = code.strip()
            if not sep or not code:
                errors.append(
                    ValidationError(
                        _("Line %(number)s: expected CODE=FACTOR, not “%(line)s”."),
                        params={"number": number, "line": line[:80]},
                        code="line",
                    )
                )
                continue
            try:
                value = float(factor.strip())
            except ValueError:
                errors.append(
                    ValidationError(
                        _("Line %(number)s: “%(value)s” is not a number."),
                        params={"number": number, "value": factor.strip()[:40]},
                        code="number",
                    )
                )
                continue
            if code in factors:
                errors.append(
                    ValidationError(
                        _("Line %(number)s: %(code)s is listed twice."),
                        params={"number": number, "code": code[:80]},
                        code="duplicate",
                    )
                )
            factors[code] = value
        if errors:
            raise ValidationError(errors)
        return factors


class IdChoiceField(forms.ModelChoiceField):
    """A row chosen by id; an id beyond 64 bits is an invalid choice, never a database overflow."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            try:
                number = int(str(value))
            except ValueError:
                number = None
            if number is not None and abs(number) > MAX_ID:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class TagsField(forms.CharField):
    """Tags typed comma-separated."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    # A CharField for its text handling that cleans to a list; the form takes any value.
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [tag.strip() for tag in text.split(",") if tag.strip()]


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    parent = IdChoiceField(
        label=_("Parent scenario"),
        queryset=Scenario.objects.only("id", "name"),
        required=False,
        empty_label=_("None"),
    )
    tags = TagsField(
        label=_("Tags"), required=False, help_text=_("Separated by commas."), max_length=3000
    )
    demand_scale = forms.FloatField(
        label=_("Demand scale"), initial=1.0, help_text=_("Every demand × this factor; 1 = as is.")
    )
    demand_scale_by_item = FactorMapField(
        label=_("Demand scale by item or family"),
        help_text=_(
            "One CODE=factor per line (e.g. SKU-01=1.2, FAM-01=0.9), or a JSON object. "
            "Applied on top of the demand scale."
        ),
    )
    capacity_scale = forms.FloatField(
        label=_("Capacity scale"), initial=1.0, help_text=_("Every capacity × this factor.")
    )
    capacity_scale_by_node = FactorMapField(
        label=_("Capacity scale by node"),
        help_text=_("One NODE=factor per line (e.g. FACT-01=0.8), or a JSON object."),
    )
    lead_time_shift_days = forms.IntegerField(
        label=_("Lead-time shift (days)"),
        initial=0,
        help_text=_("Added to every lead time; may be negative."),
    )
    initial_inventory_scale = forms.FloatField(
        label=_("Initial-inventory scale"), initial=1.0, help_text=_("0 starts with no stock.")
    )
    horizon_days = forms.IntegerField(
        label=_("Horizon (days)"),
        required=False,
        help_text=_("Empty: the config's own horizon."),
    )

    def __init__(self, *args: Any, instance: Scenario | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                field: getattr(instance, field) for field in services.SCENARIO_FORM_FIELDS
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            # A scenario cannot be its own parent (the service refuses deeper cycles).
            parent = declared_field(self, "parent", forms.ModelChoiceField)
            assert parent.queryset is not None  # declared with one
            parent.queryset = parent.queryset.exclude(pk=instance.pk)

    def clean(self) -> dict[str, Any]:
        # The service's rules for every field that could be read, now: a planner sees a
        # negative demand scale at once, not only after fixing a typo in a factor map.
        super().clean()
        cleaned = self.cleaned_data
        fields = {f: cleaned[f] for f in services.SCENARIO_FORM_FIELDS if f in cleaned}
        try:
            services.scenario_validate(fields, instance=self.instance)
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``scenario_create`` / ``scenario_update``."""
        return {field: self.cleaned_data[field] for field in services.SCENARIO_FORM_FIELDS}


class ScenarioLockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        help_text=_("Shown to anyone who tries to change or plan with the scenario."),
    )


class ConfigImportForm(forms.Form):
    file = forms.FileField(
        label=_("Canonical config (JSON file)"),
        help_text=_("A canonical-1.0 document. Nothing is stored unless all of it is valid."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        help_text=_("Empty: the document's meta.name."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    # The service reports the document's problems under ``document``.
    SERVICE_FIELDS = {"document": "file", "source_filename": "file"}

    def clean_file(self) -> dict[str, Any] | bytes:
        """The parsed document of a small file; the bytes of a large one (for an import job).

        Over ``SCPLN_MAX_UPLOAD_BYTES`` is refused (the view answers 413).
        """
        upload = self.cleaned_data["file"]
        self.filename = upload.name or ""
        too_large = upload_size_problem(upload.size)
        if too_large:
            raise ValidationError(too_large, code="too_large")
        if not runs_inline(upload.size):
            return upload.read()
        try:
            document = parse_json(upload.read())
        except JSONInputError as exc:
            raise ValidationError(str(exc), code="json") from None
        problems = services.config_document_problems(document)
        if problems:
            raise ValidationError(problems)
        return document


class ConfigChoiceField(IdChoiceField):
    def label_from_instance(self, obj: ConfigVersion) -> str:
        return f"#{obj.pk} {obj.name}"


def _config_choices() -> ConfigChoiceField:
    return ConfigChoiceField(
        queryset=ConfigVersion.objects.only("id", "name").order_by("-created_at", "-id"),
        empty_label=_("Choose a config version"),
    )


class ConfigDiffForm(forms.Form):
    """Two config versions to compare, as ``?from=<id>&to=<id>`` (the API's words)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these fields cannot be class attributes.
        self.fields["from"] = _config_choices()
        self.fields["from"].label = _("From")
        self.fields["to"] = _config_choices()
        self.fields["to"].label = _("To")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("from") is not None and data.get("from") == data.get("to"):
            self.add_error("to", _("Choose a different version than “From”."))
        return data
