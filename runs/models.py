"""Runs: the RunRegistry's record of every PSI simulation."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import reference
from jobs.models import job_reference

# KPIs kept as columns of Run (sortable, filterable); every KPI stays in ``summary``.
HEADLINE_KPIS = (
    "fill_rate",
    "cycle_service_level",
    "avg_on_hand",
    "avg_backlog",
    "shortage_total",
    "profit_total",
)


class Run(models.Model):
    """One PSI simulation, traceable to the plan version, scenario and config.

    ``run_id`` is what users see. Headline KPIs are columns (not only keys of
    ``summary``) so run history can sort and filter 100,000 runs with an
    index instead of parsing JSON; the full KPI dict stays in ``summary``. The
    PSI result lives in :class:`RunResult` so that list pages never load it.
    """

    class Status(models.TextChoices):
        # A run is recorded once its simulation has finished: a simulation that
        # fails fails its job (with the error there) and records no run.
        SUCCEEDED = "succeeded", _("Succeeded")

    class Source(models.TextChoices):
        PLAN = "plan", _("Plan")
        OTHER = "other", _("Other")

    run_id = models.UUIDField(_("run id"), primary_key=True, default=uuid.uuid4, editable=False)
    plan_version = reference(
        "plans.PlanVersion", _("plan version"), "runs", on_delete=models.PROTECT, optional=True
    )
    scenario = reference(
        "scenarios.Scenario", _("scenario"), "runs", on_delete=models.PROTECT, optional=True
    )
    config_version = reference(
        "scenarios.ConfigVersion", _("config version"), "runs", on_delete=models.PROTECT
    )
    job = job_reference(related_name="runs")
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.PLAN
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUCCEEDED
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)

    summary = models.JSONField(_("KPIs"), default=dict, blank=True)
    fill_rate = models.FloatField(_("fill rate"), null=True, blank=True)
    cycle_service_level = models.FloatField(_("cycle service level"), null=True, blank=True)
    avg_on_hand = models.FloatField(_("average on-hand"), null=True, blank=True)
    avg_backlog = models.FloatField(_("average backlog"), null=True, blank=True)
    shortage_total = models.FloatField(_("shortage"), null=True, blank=True)
    profit_total = models.FloatField(_("profit"), null=True, blank=True)

    engine_version = models.CharField(_("engine version"), max_length=32, blank=True)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    stochastic = models.BooleanField(_("stochastic"), default=False)
    horizon_days = models.PositiveIntegerField(_("days"), null=True, blank=True)
    input_hash = models.CharField(_("input hash"), max_length=64, blank=True)
    # What the engine consumed besides the frozen config document: the
    # scenario's overrides as they were, and whether factories followed a plan
    # (the receipts are stored with the result). A re-run reads only these, so
    # it does not depend on a scenario that was edited or a plan that is gone.
    inputs = models.JSONField(_("engine inputs"), default=dict, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    # Kept by retention because a plan needs it: the plan's baseline, or a run of
    # an approved or released plan version (set by the plans' lifecycle).
    held = models.BooleanField(_("held by an approved plan"), default=False)
    is_baseline = models.BooleanField(_("baseline"), default=False)
    # Hidden from the default run history (its record and result stay).
    archived = models.BooleanField(_("archived"), default=False)
    tags = models.JSONField(_("tags"), default=list, blank=True)

    class Meta:
        verbose_name = _("run")
        verbose_name_plural = _("runs")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fill_rate__isnull=True) | Q(fill_rate__gte=0, fill_rate__lte=1),
                name="run_fill_rate_0_1",
            ),
        ]
        indexes = [
            # run_id last: the tie-breaker of every ordering, so pages are stable
            # and the index alone yields them in order.
            models.Index(fields=["-started_at", "-run_id"], name="run_started_id_idx"),
            models.Index(
                fields=["plan_version", "-started_at", "-run_id"], name="run_pv_started_id_idx"
            ),
            models.Index(fields=["scenario", "-started_at"], name="run_scenario_started_idx"),
            models.Index(fields=["config_version", "-started_at"], name="run_config_started_idx"),
            models.Index(fields=["status", "-started_at"], name="run_status_started_idx"),
            # Retention's scan: the newest runs neither pinned nor held.
            models.Index(
                fields=["pinned", "held", "-started_at", "-run_id"], name="run_kept_started_id_idx"
            ),
            models.Index(
                fields=["archived", "-started_at", "-run_id"], name="run_archived_started_idx"
            ),
            models.Index(fields=["is_baseline"], name="run_baseline_idx"),
            models.Index(fields=["duration_ms"], name="run_duration_idx"),
            models.Index(fields=["fill_rate"], name="run_fill_rate_idx"),
            models.Index(fields=["profit_total"], name="run_profit_idx"),
            models.Index(fields=["cycle_service_level"], name="run_csl_idx"),
            models.Index(fields=["avg_on_hand"], name="run_avg_on_hand_idx"),
            models.Index(fields=["avg_backlog"], name="run_avg_backlog_idx"),
            models.Index(fields=["shortage_total"], name="run_shortage_idx"),
        ]

    def __str__(self) -> str:
        return str(self.run_id)

    def get_absolute_url(self) -> str:
        return f"/ui/runs/{self.run_id}"

    @property
    def kpis(self) -> dict[str, float | None]:
        """The headline KPIs, from their columns."""
        return {name: getattr(self, name) for name in HEADLINE_KPIS}


class RunResult(models.Model):
    """A run's full result, stored columnar as Parquet bytes.

    One row per run rather than one row per day × node × item: a large run
    would otherwise be millions of rows, and a Parquet column of the daily
    PSI compresses to a fraction of its JSON size and loads straight into a
    DataFrame. The cost trace (the largest table: 14 million rows for a
    10,000-SKU year) is stored with the rest unless ``SCPLN_RUN_TRACE=on_request``:
    then it is built when first asked for, from the run's inputs, and ``trace``
    and ``trace_rows`` stay null until then.
    """

    run = models.OneToOneField(
        Run,
        verbose_name=_("run"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="result",
    )
    schema_version = models.CharField(_("schema version"), max_length=32)
    psi = models.BinaryField(_("PSI (Parquet)"))
    pl = models.BinaryField(_("P&L (Parquet)"))
    # Null until first requested: built then from the run's stored inputs
    # (runs.services.traces), not while the run is recorded.
    trace = models.BinaryField(_("cost trace (Parquet)"), null=True, blank=True)
    receipts = models.BinaryField(
        _("plan receipts followed (Parquet)"),
        null=True,
        blank=True,
        help_text=_("Empty: the factories followed their policies, not a plan."),
    )
    psi_rows = models.PositiveIntegerField(_("PSI rows"), default=0)
    pl_rows = models.PositiveIntegerField(_("P&L rows"), default=0)
    trace_rows = models.PositiveIntegerField(_("trace rows"), null=True, blank=True)

    class Meta:
        verbose_name = _("run result")
        verbose_name_plural = _("run results")

    def __str__(self) -> str:
        return f"result of {self.run_id}"


class ExportedRun(models.Model):
    """A run that was exported to the archive folder (``SCPLN_ARCHIVE_DIR``).

    Keyed by the run's id rather than a foreign key so the record outlives the
    run: retention deletes the run, the archive folder keeps it, and this row
    says where. When exporting is on, retention deletes only runs listed here.
    (Not to be confused with a run's ``archived`` flag, which only hides it
    from the default history.)
    """

    run_id = models.UUIDField(_("run id"), primary_key=True)
    path = models.CharField(_("archive folder"), max_length=500)
    archived_at = models.DateTimeField(_("archived at"), default=timezone.now)

    class Meta:
        verbose_name = _("exported run")
        verbose_name_plural = _("exported runs")
        ordering = ["-archived_at"]
        indexes = [models.Index(fields=["-archived_at"], name="archived_run_at_idx")]

    def __str__(self) -> str:
        return str(self.run_id)


class RunTombstone(models.Model):
    """What is left of a run that retention (or a user) removed: enough to say so.

    Pages and the API that meet a removed run's id show "removed by retention on
    …" with where it was exported, instead of a bare 404; ``GET /runs/{id}``
    answers 410 with this record.
    """

    class Reason(models.TextChoices):
        RETENTION = "retention", _("Removed by retention")
        DELETED = "deleted", _("Deleted by a user")

    run_id = models.UUIDField(_("run id"), primary_key=True)
    plan_version_id = models.CharField(_("plan version id"), max_length=40, blank=True)
    scenario_id = models.BigIntegerField(_("scenario id"), null=True, blank=True)
    config_version_id = models.BigIntegerField(_("config version id"), null=True, blank=True)
    job_id = models.BigIntegerField(_("job id"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    kpis = models.JSONField(_("KPIs"), default=dict, blank=True)
    removed_at = models.DateTimeField(_("removed at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    export_path = models.CharField(_("exported to"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("removed run")
        verbose_name_plural = _("removed runs")
        ordering = ["-removed_at"]
        indexes = [
            models.Index(fields=["plan_version_id", "-removed_at"], name="tombstone_pv_idx"),
            models.Index(fields=["job_id"], name="tombstone_job_idx"),
        ]

    def __str__(self) -> str:
        return str(self.run_id)

    def get_absolute_url(self) -> str:
        return f"/ui/runs/{self.run_id}"
