"""Plans, their versions and the artifacts each version's generation produced."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import CreatedModel, TrackedModel, reference
from jobs.models import Job, JobQuerySet


def new_plan_version_id() -> str:
    """A short, URL-safe identifier that planners can read out and paste."""
    return f"pv-{secrets.token_hex(6)}"


class Plan(CreatedModel):
    """A planning effort that planners name; each generation is a PlanVersion.

    ``baseline_run`` is the run later versions are compared with: the latest
    run of the version approved last (plans/services/lifecycle.py). A superseded
    baseline stays a run like any other.
    """

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    baseline_run = reference("runs.Run", _("baseline run"), on_delete=models.SET_NULL)

    class Meta(CreatedModel.Meta):
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        indexes = [models.Index(fields=["-created_at"], name="plan_created_idx")]

    def __str__(self) -> str:
        return self.name


class PlanVersion(TrackedModel):
    """One generation of a plan from a base scenario and a config version.

    ``plan_version_id`` is the primary key and the identifier users see, so a
    run's ``plan_version_id`` column holds exactly what planners type into
    filters. A version is never overwritten: executing a plan again makes a
    new version whose ``parent`` is the one it came from.

    States of generation: draft → aggregated → disaggregated → scheduled →
    executed, or failed from any of them (with ``error``). Then its life as a
    plan (plans/services/lifecycle.py, the one place that moves it): executed →
    submitted → approved → released; submitted → rejected → submitted again;
    approved or released → superseded when another version of the plan is
    approved; executed, rejected, superseded or failed → archived. Approved and
    released versions are read-only.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AGGREGATED = "aggregated", _("Aggregated")
        DISAGGREGATED = "disaggregated", _("Disaggregated")
        SCHEDULED = "scheduled", _("Scheduled")
        EXECUTED = "executed", _("Executed")
        FAILED = "failed", _("Failed")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RELEASED = "released", _("Released")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")
        ARCHIVED = "archived", _("Archived")

    GENERATING = (
        State.DRAFT,
        State.AGGREGATED,
        State.DISAGGREGATED,
        State.SCHEDULED,
    )
    READ_ONLY = (State.APPROVED, State.RELEASED)

    plan_version_id = models.CharField(
        _("plan version id"),
        max_length=40,
        primary_key=True,
        default=new_plan_version_id,
        editable=False,
    )
    plan = reference(Plan, _("plan"), "versions")
    number = models.PositiveIntegerField(_("version"))
    parent = reference("self", _("executed again from"), "children", on_delete=models.SET_NULL)
    base_scenario = reference(
        "scenarios.Scenario", _("base scenario"), "plan_versions", on_delete=models.PROTECT
    )
    config_version = reference(
        "scenarios.ConfigVersion", _("config version"), "plan_versions", on_delete=models.PROTECT
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)

    input_set = reference(
        "plans.PlanningInputSet",
        _("planning input set"),
        "plan_versions",
        on_delete=models.PROTECT,
        optional=True,
        help_text=_("Empty: the planning inputs are derived from the config version."),
    )
    # The engine's PlanParameters (horizon_days, cutover_date, recon_window_days,
    # anchor_policy, carryover, rounding, lead_time_unit, tolerances), as the
    # engine validated them: one JSON value, so the engine stays the only
    # definition of what a parameter means.
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    kpis = models.JSONField(_("KPIs"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["-created_at"]
        permissions = [
            ("approve_planversion", _("Can approve, reject and release plan versions")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            models.CheckConstraint(
                condition=~Q(plan_version_id=""), name="plan_version_id_not_empty"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-created_at"], name="pv_state_created_idx"),
            models.Index(fields=["-created_at"], name="pv_created_idx"),
        ]

    def __str__(self) -> str:
        return self.plan_version_id

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.plan_version_id])

    @property
    def is_read_only(self) -> bool:
        """Approved and released versions do not change; edits go to a new version."""
        return self.state in self.READ_ONLY

    @property
    def jobs(self) -> JobQuerySet:
        """The jobs about this version (its planning job, aggregate jobs)."""
        return Job.objects.about(self)


class PlanningInputSet(CreatedModel):
    """An aggregate-planning input set imported as its files are written.

    ``files`` maps each file name (``demand_family.csv``, ...,
    ``planning_calendar.json``) to its text, exactly as imported, so the set
    can be read again by the engine and downloaded unchanged.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    files = models.JSONField(_("files"))
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    family_count = models.PositiveIntegerField(_("families"), default=0)
    sku_count = models.PositiveIntegerField(_("SKUs"), default=0)
    period_count = models.PositiveIntegerField(_("periods"), default=0)

    class Meta(CreatedModel.Meta):
        verbose_name = _("planning input set")
        verbose_name_plural = _("planning input sets")

    def __str__(self) -> str:
        return self.name


class PlanArtifact(models.Model):
    """A table produced for a plan version, stored columnar (Parquet bytes).

    ``kind`` is the pipeline stage that produced the table (``name`` is the
    table's own name, e.g. ``sku_week`` of stage ``allocate``); all tables of
    a stage are written in one transaction. Outputs of aggregate jobs
    (reprocessing a run of this version) are of kind ``aggregation``.
    """

    class Kind(models.TextChoices):
        AGGREGATE = "aggregate", _("Aggregate")
        ALLOCATE = "allocate", _("Detail (SKU × week)")
        MRP = "mrp", _("MRP")
        RECONCILE = "reconcile", _("Reconciliation")
        PLAN_FINAL = "plan_final", _("Final plan")
        AGGREGATION = "aggregation", _("Run aggregation")

    plan_version = reference(PlanVersion, _("plan version"), "artifacts")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    data = models.BinaryField(_("data"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("plan artifact")
        verbose_name_plural = _("plan artifacts")
        ordering = ["plan_version", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan_version", "name"], name="artifact_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_version_id}/{self.name}"


# The workbench's tables (edited drafts, cell edits and locks) live in their own module.
from plans.workbench.models import CellEdit, CellLock, Workbench  # noqa: E402

__all__ = [
    "CellEdit",
    "CellLock",
    "Plan",
    "PlanArtifact",
    "PlanVersion",
    "PlanningInputSet",
    "Workbench",
]
