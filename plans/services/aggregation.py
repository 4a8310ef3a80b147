"""Aggregate jobs: reprocess a run of a plan version by time bucket and hierarchy.

A planner picks a plan version (and optionally one of its runs; by default
its latest), a time bucket, group keys and fields; the job sums the run's PSI
and P&L accordingly and stores the table as an artifact of that plan version,
so the output stays tied to the plan it came from.

Group keys: ``node``, ``item``, ``node_type``, and ``product.<level>`` /
``location.<level>`` for every level of the config's product and location
hierarchies (an item or node outside a hierarchy groups as ``(none)``).
Fields: PSI metrics (stocks such as on-hand are taken at the bucket's end,
flows summed) and P&L accounts (from the run's cost trace).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.forms import picked
from jobs.models import Job
from jobs.services import job_create
from plans.models import PlanArtifact, PlanVersion
from plans.services.artifacts import artifact_write
from runs.models import Run
from runs.selectors.tables import BUCKETS, TableQuery, run_table
from scpln.engine import canonical
from scpln.engine.canonical.hierarchy import group_keys
from scpln.engine.psi.rollup import PL_FIELDS, PSI_FIELDS, rollup

if TYPE_CHECKING:
    from jobs.runner import JobContext

AGGREGATE = "aggregate"  # the job type (plans/handlers.py)


def plan_aggregation_validate(
    *,
    plan_version: PlanVersion,
    run: Run | None,
    bucket: str,
    group_by: Sequence[str],
    fields: Sequence[str],
) -> Run:
    """Refuse, before a job is queued, what the aggregation could not do; returns the run."""
    errors: dict[str, list[str]] = {}
    if run is None:
        run = plan_version.runs.order_by("-started_at").first()
        if run is None:
            errors["run_id"] = [
                _("Plan version %(pv)s has no run to aggregate yet.") % {"pv": plan_version.pk}
            ]
    elif run.plan_version_id != plan_version.pk:
        errors["run_id"] = [_("Run %(run)s belongs to another plan version.") % {"run": run.run_id}]
    if bucket not in BUCKETS:
        errors["bucket"] = [_("Expected one of: %(choices)s.") % {"choices": ", ".join(BUCKETS)}]
    config = canonical.load_config(plan_version.config_version.document)
    allowed = group_keys(config)
    unknown = [key for key in group_by if key not in allowed]
    if unknown:
        errors["group_by"] = [
            _("Unknown group key(s): %(keys)s. Available: %(allowed)s.")
            % {"keys": ", ".join(unknown), "allowed": ", ".join(allowed)}
        ]
    if len(set(group_by)) != len(group_by):
        errors.setdefault("group_by", []).append(_("A group key is listed twice."))
    unknown_fields = [f for f in fields if f not in (*PSI_FIELDS, *PL_FIELDS)]
    if not fields:
        errors["fields"] = [_("Choose at least one field.")]
    elif unknown_fields:
        errors["fields"] = [
            _("Unknown field(s): %(fields)s. Available: %(allowed)s.")
            % {"fields": ", ".join(unknown_fields), "allowed": ", ".join((*PSI_FIELDS, *PL_FIELDS))}
        ]
    if errors:
        raise ValidationError(errors)
    assert run is not None
    return run


@transaction.atomic
def plan_aggregation_create(
    *,
    plan_version: PlanVersion,
    run: Run | None = None,
    bucket: str = "month",
    group_by: Sequence[str] = ("item",),
    fields: Sequence[str] = ("demand", "sales", "shortage"),
    user: User | None = None,
) -> Job:
    """Validate and queue an aggregate job tied to ``plan_version``."""
    run = plan_aggregation_validate(
        plan_version=plan_version, run=run, bucket=bucket, group_by=group_by, fields=fields
    )
    return job_create(
        job_type=AGGREGATE,
        subject=plan_version,
        params={
            "plan_version_id": plan_version.pk,
            "run_id": str(run.run_id),
            "bucket": bucket,
            "group_by": list(group_by),
            "fields": list(fields),
        },
        user=user,
    )


def aggregate_run(
    *,
    run: Run,
    config: canonical.CanonicalConfig,
    bucket: str,
    group_by: Sequence[str],
    fields: Sequence[str],
) -> pd.DataFrame:
    """The run's PSI and P&L summed by period and the chosen group keys (engine roll-up)."""
    wants_psi = any(f in PSI_FIELDS for f in fields)
    wants_pl = any(f in PL_FIELDS for f in fields)
    query = TableQuery(bucket=bucket)
    return rollup(
        psi=run_table(run=run, table="psi", query=query) if wants_psi else None,
        trace=run_table(run=run, table="trace", query=query) if wants_pl else None,
        config=config,
        period=bucket,
        group_by=group_by,
        fields=fields,
    )


def plan_aggregation_run(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Job handler for ``aggregate`` jobs: store the table as an artifact of the plan version."""
    params = job.params
    version = PlanVersion.objects.select_related("config_version").get(pk=job.subject_id)
    run = Run.objects.get(pk=params["run_id"])
    config = canonical.load_config(version.config_version.document)
    ctx.progress(10, "aggregating", force=True)
    table = aggregate_run(
        run=run,
        config=config,
        **picked(params, "bucket", "group_by", "fields"),
    )
    name = f"aggregation-{job.pk}"
    with ctx.finishing() as result:
        artifact_write(
            plan_version=version,
            kind=PlanArtifact.Kind.AGGREGATION,
            name=name,
            frame=table,
            params={k: params[k] for k in ("run_id", "bucket", "group_by", "fields")},
        )
        result.update(
            plan_version_id=version.pk, run_id=str(run.run_id), artifact=name, rows=len(table)
        )
    return result
