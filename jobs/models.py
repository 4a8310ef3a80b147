"""Background jobs: the single source of truth for what a worker is doing."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A unit of background work, created before it is enqueued.

    A Celery message carries only the job id; the worker claims the row with a
    conditional update (queued → running), so a redelivered message cannot run
    a job twice.

    Transitions:
        queued → running → succeeded | failed | canceled
        queued → canceled (never starts)
        running → queued (requeued by the reaper after a lost worker, or by
        the runner after a transient error, within ``max_attempts``)
        running → failed | canceled (by the reaper when the worker is lost
        and no attempt is left, or a cancel was requested)
    ``attempts`` counts claims; every write of an attempt is conditional on
    ``status=running`` and its own attempt number, so a worker that was given
    up on cannot overwrite the attempt that replaced it. A retry by a user is
    a new job whose ``retry_of`` points here.
    """

    class Type(models.TextChoices):
        PLANNING = "planning", _("Planning")
        SIMULATION = "simulation", _("Simulation")
        AGGREGATE = "aggregate", _("Aggregate")
        BACKUP = "backup", _("Backup")
        EXPORT = "export", _("Run export")
        RETENTION = "retention", _("Retention")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Canceled")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELED)

    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    progress_message = models.CharField(_("progress message"), max_length=200, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    plan_version = models.ForeignKey(
        "plans.PlanVersion",
        verbose_name=_("plan version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
    )
    retry_of = models.ForeignKey(
        "self",
        verbose_name=_("retry of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
    )
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    celery_task_id = models.CharField(_("Celery task id"), max_length=64, blank=True)
    enqueued_at = models.DateTimeField(
        _("enqueued at"),
        null=True,
        blank=True,
        help_text=_("When the Celery message was last sent; the reaper sends it again if lost."),
    )
    worker = models.CharField(
        _("worker"), max_length=200, blank=True, help_text=_("Host and process of the attempt.")
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("max attempts"), default=3)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("heartbeat at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_lte_100"),
            # The same request may not be queued or running twice at once.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]) & ~Q(dedupe_key=""),
                name="job_active_dedupe_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="job_status_created_idx"),
            models.Index(fields=["type", "status", "-created_at"], name="job_type_status_idx"),
            models.Index(fields=["-created_at"], name="job_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} job #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def duration(self) -> timedelta | None:
        """Time spent running; still growing while the job runs."""
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at


class ArchivedRun(models.Model):
    """A run that was exported to the archive folder (``SCPLN_ARCHIVE_DIR``).

    Keyed by the run's id rather than a foreign key so the record outlives the
    run: retention deletes the run, the archive keeps it, and this row says
    where. When archiving is on, retention deletes only runs listed here.
    """

    run_id = models.UUIDField(_("run id"), primary_key=True)
    path = models.CharField(_("archive folder"), max_length=500)
    archived_at = models.DateTimeField(_("archived at"), default=timezone.now)

    class Meta:
        verbose_name = _("archived run")
        verbose_name_plural = _("archived runs")
        ordering = ["-archived_at"]
        indexes = [models.Index(fields=["-archived_at"], name="archived_run_at_idx")]

    def __str__(self) -> str:
        return str(self.run_id)
