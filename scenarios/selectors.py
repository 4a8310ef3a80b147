"""Reads of scenarios and config versions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from scenarios.filters import ConfigVersionFilter, ScenarioFilter
from scenarios.models import ConfigVersion, Scenario
from scpln.engine.canonical import ConfigError, load_config
from scpln.engine.canonical.diff import diff_configs
from scpln.engine.canonical.summary import ConfigSummary, summarise

# A config's document can be megabytes; lists and most details never need it.
CONFIG_SUMMARY_DEFER = ("document",)


def _filtered(filterset) -> QuerySet:
    if not filterset.is_valid():
        raise ValidationError({f: list(m) for f, m in filterset.errors.items()})
    return filterset.qs


def scenario_filterset(params: Mapping[str, Any] | None = None) -> ScenarioFilter:
    """THE scenario FilterSet bound to request parameters (the UI renders its form)."""
    queryset = Scenario.objects.select_related("locked_by", "parent")
    return ScenarioFilter(params or {}, queryset=queryset)


def scenario_list(*, params: Mapping[str, Any] | None = None) -> QuerySet[Scenario]:
    """Scenarios by name (or ``ordering``), with lock holder and parent in the same query."""
    return _filtered(scenario_filterset(params))


def scenario_get(*, scenario_id: int) -> Scenario:
    return Scenario.objects.select_related("locked_by", "parent").get(pk=scenario_id)


def config_filterset(params: Mapping[str, Any] | None = None) -> ConfigVersionFilter:
    """THE config-version FilterSet bound to request parameters, without documents."""
    queryset = ConfigVersion.objects.defer(*CONFIG_SUMMARY_DEFER)
    return ConfigVersionFilter(params or {}, queryset=queryset)


def config_list(*, params: Mapping[str, Any] | None = None) -> QuerySet[ConfigVersion]:
    """Config versions, newest first, without their documents."""
    return _filtered(config_filterset(params))


def config_get(*, config_id: int, with_document: bool = False) -> ConfigVersion:
    queryset = ConfigVersion.objects.all()
    if not with_document:
        queryset = queryset.defer(*CONFIG_SUMMARY_DEFER)
    return queryset.get(pk=config_id)


@dataclass(frozen=True)
class ScenarioRef:
    """A scenario as a link: its id and name."""

    id: int
    name: str


def config_scenarios_using(*, config_ids: Iterable[int]) -> dict[int, list[ScenarioRef]]:
    """Per config version, the scenarios planned or run on it, by name.

    A scenario carries no config of its own: it "uses" a config when a plan
    version (its base scenario) or a run was made on that config. One query
    for any number of configs, so a list page stays constant.
    """
    ids = list(config_ids)
    if not ids:
        return {}
    # No ORDER BY inside a UNION (SQLite refuses it); the rows are sorted below.
    # Through the reverse relations of the plan versions and runs made on a
    # scenario (scenarios sits below plans and runs and does not import them).
    planned = (
        Scenario.objects.filter(plan_versions__config_version_id__in=ids)
        .order_by()
        .values_list("plan_versions__config_version_id", "id", "name")
    )
    run = (
        Scenario.objects.filter(runs__config_version_id__in=ids)
        .order_by()
        .values_list("runs__config_version_id", "id", "name")
    )
    using: dict[int, list[ScenarioRef]] = {pk: [] for pk in ids}
    for config_id, scenario_id, name in sorted(planned.union(run), key=lambda row: row[2]):
        using[config_id].append(ScenarioRef(id=scenario_id, name=name))
    return using


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


def config_overview(*, config: ConfigVersion, limit: int = 200) -> ConfigSummary:
    """The config version's network summarised (scpln.engine.canonical.summary).

    Raises ``ConfigError`` when the stored document no longer loads.
    """
    document = config.document
    if document is None or "document" in config.get_deferred_fields():
        document = ConfigVersion.objects.values_list("document", flat=True).get(pk=config.pk)
    return summarise(load_config(document), limit=limit)
