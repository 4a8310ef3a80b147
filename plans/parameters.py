"""The plan parameters for each interface, derived from the engine's one declaration.

``scpln.engine.planning.parameters`` declares every parameter once (name,
label, help text, kind, choices, bounds). The web form, the API serializer and
``manage.py create_plan`` take their fields from here, so they accept the
same names with the same rules, and a parameter added to the engine appears
in all three. Empty / absent / None always means "the default" (the input
set's, then scpln's); the engine's parser and the service validate the rest.
"""

from __future__ import annotations

import argparse
from typing import Any, TypedDict

from django import forms
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from scpln.engine.planning.parameters import ParameterSpec, parameter_specs

DEFAULT_CHOICE = ("", gettext_lazy("Default"))


def parameter_names() -> list[str]:
    """Every plan parameter, in declaration order."""
    return list(parameter_specs())


def parameter_labels() -> dict[str, str]:
    """Each parameter's label, translated."""
    return {name: str(gettext_lazy(spec.label)) for name, spec in parameter_specs().items()}


def parameter_value_text(name: str, value: Any) -> Any:
    """A recorded parameter value as the form offers it: a choice's label ("The side
    holding more first", not ``auto``), a switch's On or Off (not ``True``); other values
    as they are (None: not set)."""
    spec = parameter_specs().get(name)
    if spec is None or value is None:
        return value
    if spec.kind == "switch":
        return gettext_lazy("On") if value else gettext_lazy("Off")
    labels = {choice: gettext_lazy(label) for choice, label in spec.choices}
    return labels.get(str(value), value)


def form_field(spec: ParameterSpec) -> forms.Field:
    """The web form's field for one parameter (empty: the default)."""
    common: dict[str, Any] = {
        "label": gettext_lazy(spec.label),
        "help_text": gettext_lazy(spec.help),
        "required": False,
    }
    if spec.kind == "days":
        return forms.IntegerField(**common, **_whole_bounds(spec))
    if spec.kind == "number":
        return forms.FloatField(**common, min_value=spec.min_value, max_value=spec.max_value)
    if spec.kind == "date":
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        return forms.DateField(**common, widget=widget)
    if spec.kind == "switch":
        # Three states: the default, on, off (a checkbox cannot say "the default"),
        # and anything else is refused, not read as "the default".
        return forms.TypedChoiceField(
            **common,
            choices=[DEFAULT_CHOICE, ("true", gettext_lazy("On")), ("false", gettext_lazy("Off"))],
            coerce=_is_on,
            empty_value=None,
        )
    choices = [DEFAULT_CHOICE, *((value, gettext_lazy(label)) for value, label in spec.choices)]
    return forms.ChoiceField(**common, choices=choices)


def serializer_field(spec: ParameterSpec) -> serializers.Field:
    """The API's field for one parameter (absent or null: the default)."""
    common: dict[str, Any] = {
        "required": False,
        "allow_null": True,
        "label": spec.label,
        "help_text": spec.help,
    }
    if spec.kind == "days":
        return serializers.IntegerField(**common, **_whole_bounds(spec))
    if spec.kind == "number":
        return serializers.FloatField(**common, min_value=spec.min_value, max_value=spec.max_value)
    if spec.kind == "date":
        return serializers.DateField(**common)
    if spec.kind == "switch":
        return serializers.BooleanField(**common)
    return serializers.ChoiceField(**common, choices=list(spec.values))


class _WholeBounds(TypedDict):
    min_value: int | None
    max_value: int | None


def _whole_bounds(spec: ParameterSpec) -> _WholeBounds:
    """The bounds of a ``days`` parameter, whole numbers as the integer fields take them."""
    return {
        "min_value": None if spec.min_value is None else int(spec.min_value),
        "max_value": None if spec.max_value is None else int(spec.max_value),
    }


def _is_on(value: str) -> bool:
    return value == "true"


def _option_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One ``--option`` per parameter (``--cutover-date``...) for a management command."""
    group = parser.add_argument_group("plan parameters (left out: the default)")
    for name, spec in parameter_specs().items():
        kwargs: dict[str, Any] = {"dest": name, "help": spec.help}
        if spec.kind == "days":
            kwargs.update(type=int, metavar="DAYS")
        elif spec.kind == "number":
            kwargs.update(type=float, metavar="NUMBER")
        elif spec.kind == "date":
            kwargs.update(metavar="YYYY-MM-DD")
        elif spec.kind == "switch":
            kwargs.update(type=_switch, metavar="on|off")
        else:
            kwargs.update(choices=list(spec.values))
        group.add_argument(_option_name(name), **kwargs)


def _switch(value: str) -> bool:
    """``on``/``off`` (also true/false, yes/no, 1/0) for a switch option."""
    lowered = value.strip().lower()
    if lowered in ("on", "true", "yes", "1"):
        return True
    if lowered in ("off", "false", "no", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected on or off, not {value!r}")


def from_options(options: dict[str, Any]) -> dict[str, Any]:
    """The parameters a command's options set (``add_arguments``); the rest stay default."""
    return {name: options[name] for name in parameter_specs() if options.get(name) is not None}
