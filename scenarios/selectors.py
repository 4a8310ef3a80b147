"""Reads of scenarios and config versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from scenarios.filters import ConfigVersionFilter, ScenarioFilter
from scenarios.models import ConfigVersion, Scenario
from scpln.engine.canonical import ConfigError
from scpln.engine.canonical.diff import diff_configs

# A config's document can be megabytes; lists and most details never need it.
CONFIG_SUMMARY_DEFER = ("document",)


def _filtered(filterset) -> QuerySet:
    if not filterset.is_valid():
        raise ValidationError({f: list(m) for f, m in filterset.errors.items()})
    return filterset.qs


def scenario_list(*, params: Mapping[str, Any] | None = None) -> QuerySet[Scenario]:
    """Scenarios by name (or ``ordering``), with lock holder and parent in the same query."""
    queryset = Scenario.objects.select_related("locked_by", "parent")
    return _filtered(ScenarioFilter(params or {}, queryset=queryset))


def scenario_get(*, scenario_id: int) -> Scenario:
    return Scenario.objects.select_related("locked_by", "parent").get(pk=scenario_id)


def config_list(*, params: Mapping[str, Any] | None = None) -> QuerySet[ConfigVersion]:
    """Config versions, newest first, without their documents."""
    queryset = ConfigVersion.objects.defer(*CONFIG_SUMMARY_DEFER)
    return _filtered(ConfigVersionFilter(params or {}, queryset=queryset))


def config_get(*, config_id: int, with_document: bool = False) -> ConfigVersion:
    queryset = ConfigVersion.objects.all()
    if not with_document:
        queryset = queryset.defer(*CONFIG_SUMMARY_DEFER)
    return queryset.get(pk=config_id)


def config_diff(*, from_id: int, to_id: int, limit: int = 200) -> dict[str, Any]:
    """What changed from one config version to another, entity by entity.

    Raises ``ConfigVersion.DoesNotExist`` for ``from_id`` and a ``ValidationError``
    on ``to`` for an unknown ``to_id``.
    """
    old = config_get(config_id=from_id, with_document=True)
    try:
        new = config_get(config_id=to_id, with_document=True)
    except ConfigVersion.DoesNotExist:
        raise ValidationError({"to": [f"No config version {to_id}."]}) from None
    try:
        diff = diff_configs(old.document, new.document)
    except ConfigError as exc:
        raise ValidationError(str(exc)) from None
    return {
        "from_config_version_id": old.pk,
        "to_config_version_id": new.pk,
        **diff.to_dict(),
        "text": diff.render_text(limit=limit),
    }
