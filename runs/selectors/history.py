"""Run history and single runs, from whichever backend ``REGISTRY_BACKEND`` names."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict

from runs.filters import RunFilter
from runs.models import Run, RunTombstone
from runs.registry import get_registry
from runs.registry.base import ResultMeta
from runs.registry.db import list_queryset


def run_filterset(params: Mapping[str, Any] | None = None) -> RunFilter:
    """THE run FilterSet bound to request parameters (for the UI's form, too).

    Archived runs are hidden unless ``archived`` is given.
    """
    data: Any = params.copy() if isinstance(params, QueryDict) else dict(params or {})
    if not data.get("archived"):
        data["archived"] = "false"
    return RunFilter(data, queryset=list_queryset())


def run_list(
    *, filterset: RunFilter | None = None, params: Mapping[str, Any] | None = None
) -> Sequence[Run]:
    """Runs matching the filters, newest first unless ``ordering`` says otherwise.

    Invalid parameters raise ``ValidationError`` keyed by parameter name. On
    the database backend the result is a lazy queryset that never loads the
    summary JSON or result bytes, and one query fetches a page with each
    run's scenario name.
    """
    if filterset is None:
        filterset = run_filterset(params)
    if not filterset.is_valid():
        raise ValidationError(
            {field: list(messages) for field, messages in filterset.errors.items()}
        )
    return get_registry().list(filterset=filterset)


def run_get(*, run_id: uuid.UUID | str) -> Run:
    """One run with its plan version, plan, scenario, config (no document) and job.

    Raises ``Run.DoesNotExist`` for an unknown or malformed id.
    """
    try:
        key = run_id if isinstance(run_id, uuid.UUID) else uuid.UUID(str(run_id))
    except ValueError:
        raise Run.DoesNotExist(f"no run {run_id!r}") from None
    return get_registry().get(key)


def run_tombstone(*, run_id: uuid.UUID | str) -> RunTombstone | None:
    """What is left of a removed run (None: never existed, or not removed)."""
    try:
        key = run_id if isinstance(run_id, uuid.UUID) else uuid.UUID(str(run_id))
    except ValueError:
        return None
    return RunTombstone.objects.filter(pk=key).first()


def run_tombstones(*, plan_version_id: str) -> list[RunTombstone]:
    """The removed runs of a plan version, newest removal first."""
    return list(RunTombstone.objects.filter(plan_version_id=plan_version_id))


def run_get_many(*, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Run]:
    return get_registry().get_many(run_ids)


def run_result_meta(*, run: Run) -> ResultMeta | None:
    """Schema version and row counts of the run's stored result, without its bytes
    (None when nothing is stored)."""
    return get_registry().result_meta(run)
