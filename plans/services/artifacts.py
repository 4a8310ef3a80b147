"""Storing and reading a plan version's tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from django.db import connection, transaction

from core.binary_writes import bytes_update
from plans.models import PlanArtifact, PlanVersion
from runs.columnar import frame_to_parquet, frames_to_parquet, parquet_to_frame


def artifact_write(
    *,
    plan_version: PlanVersion,
    kind: str,
    name: str,
    frame: pd.DataFrame,
    params: dict[str, Any] | None = None,
) -> PlanArtifact:
    """Store one table of a plan version (replacing one of the same name).

    Callers write all tables of a stage inside one transaction, so a failed
    stage leaves none of them behind.
    """
    return _store(plan_version, kind, name, frame, _encode(frame), params)


def artifacts_write(
    *, plan_version: PlanVersion, tables: Iterable[tuple[str, str, pd.DataFrame]]
) -> list[PlanArtifact]:
    """Store many tables of a plan version, as (kind, name, frame), like :func:`artifact_write`
    each; their Parquet encoding runs on two threads at once (Arrow releases the GIL while it
    encodes), which a recalculation's 3 million rows notice: bench/bench_workbench.py."""
    tables = list(tables)
    encoded = frames_to_parquet([frame for _kind, _name, frame in tables], fast=True)
    return [
        _store(plan_version, kind, name, frame, data, None)
        for (kind, name, frame), data in zip(tables, encoded, strict=True)
    ]


def _encode(frame: pd.DataFrame) -> bytes:
    # Rewritten on every generation and recalculation: written fast (10,000 SKUs × 53 weeks:
    # 3 s → under 1 s, bench/bench_workbench.py).
    return frame_to_parquet(frame, fast=True)


def _store(
    plan_version: PlanVersion,
    kind: str,
    name: str,
    frame: pd.DataFrame,
    data: bytes,
    params: dict[str, Any] | None,
) -> PlanArtifact:
    # update_or_create would read the old bytes back only to overwrite them (tens of megabytes
    # per recalculation of a 10,000-SKU plan): the row is locked and rewritten without them.
    # On PostgreSQL the bytes go in a statement of their own, as a binary parameter (Django
    # would send a hex literal twice their size for the server to parse back).
    binary = connection.vendor == "postgresql"
    fields: dict[str, Any] = {
        "kind": kind,
        "row_count": len(frame),
        "columns": [str(c) for c in frame.columns],
        "params": params or {},
    }
    if not binary:
        fields["data"] = data
    with transaction.atomic():
        artifact = (
            PlanArtifact.objects.select_for_update()
            .defer("data")
            .filter(plan_version=plan_version, name=name)
            .first()
        )
        if artifact is None:
            artifact = PlanArtifact.objects.create(plan_version=plan_version, name=name, **fields)
        else:
            for field, value in fields.items():
                setattr(artifact, field, value)
            artifact.save(update_fields=list(fields))
        if binary:
            bytes_update(artifact, "data", data)
            artifact.data = data
    return artifact


def artifact_frame(artifact: PlanArtifact) -> pd.DataFrame:
    """The stored table as a DataFrame."""
    return parquet_to_frame(artifact.data)
