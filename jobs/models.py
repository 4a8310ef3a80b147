"""Background jobs: the single source of truth for what a worker is doing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import CreatedModel, reference, subject_index
from jobs import registry


def job_reference(related_name: str = "+") -> models.ForeignKey[Any, Any]:
    """The job that makes or runs a record (a run, a replication set, an optimisation).
    Empty until the job exists, and again once retention prunes the job: the record
    outlives it, so pruning jobs never deletes or blocks what they made."""
    return reference("jobs.Job", _("job"), related_name, on_delete=models.SET_NULL)


class JobQuerySet(models.QuerySet["Job"]):
    def about(self, obj: models.Model) -> JobQuerySet:
        """Jobs whose subject is ``obj``."""
        return self.about_any(type(obj)).filter(subject_id=str(obj.pk))

    def about_any(self, model: type[models.Model]) -> JobQuerySet:
        """Jobs whose subject is any ``model`` row (filter ``subject_id`` further, e.g.
        with ``OuterRef("pk")`` in a subquery)."""
        return self.filter(subject_type=ContentType.objects.get_for_model(model))


class Job(CreatedModel):
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

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Canceled")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELED)

    # The types are whatever the apps registered (jobs/registry.py), so a new
    # type needs neither a migration nor an edit here.
    type = models.CharField(_("type"), max_length=32, choices=registry.job_type_choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    progress_message = models.CharField(_("progress message"), max_length=200, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # What the job works on (a plan version, a config...), generically: jobs
    # knows no app. Apps declare their subject kinds in the registry.
    subject_type = reference(
        ContentType, _("subject type"), on_delete=models.PROTECT, optional=True
    )
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    retry_of = reference("self", _("retry of"), "retries", on_delete=models.SET_NULL)
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
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("heartbeat at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta(CreatedModel.Meta):
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
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
            subject_index("-created_at", name="job_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} job #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def subject_kind(self) -> registry.SubjectKind | None:
        """How the API and the UI name this job's subject (None: no subject)."""
        if self.subject_type_id is None:
            return None
        subject_type = ContentType.objects.get_for_id(self.subject_type_id)
        return registry.subject_kind_for(f"{subject_type.app_label}.{subject_type.model}")

    @property
    def subject_url(self) -> str | None:
        """The subject's page, without loading the subject."""
        kind = self.subject_kind
        return kind.ui_url(self.subject_id) if kind and self.subject_id else None

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def duration(self) -> timedelta | None:
        """Time spent running; still growing while the job runs."""
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at
