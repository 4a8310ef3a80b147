"""Replication sets: many stochastic runs of one plan version, kept compactly."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import CreatedModel, reference
from jobs.models import job_reference

SEED_LIMIT = 2**63  # seeds are stored in a signed 64-bit column


class ReplicationSet(CreatedModel):
    """``n`` stochastic runs of the run a plan version was simulated with.

    Replication ``i`` runs with the seed spawned from ``(seed, i)``
    (``scpln.engine.risk.replication_seed``), so the set is the same however many
    workers ran it. The set's job (type ``replications``) fans its chunks out as a
    Celery group (risk/services/execution.py) and owns the status; ``n_done`` is the
    number of :class:`Replication` rows. ``targets`` (the store × item target service levels)
    is filled when the job starts, ``bands`` (weekly p05/p50/p95 of the network's
    sales, shortage and on-hand) when the last replication is in.
    """

    plan_version = reference("plans.PlanVersion", _("plan version"), "replication_sets")
    run = reference(
        "runs.Run",
        _("run"),
        "replication_sets",
        on_delete=models.SET_NULL,
        help_text=_("The run whose inputs (config, overrides, plan receipts) are replicated."),
    )
    n = models.PositiveIntegerField(_("replications"))
    seed = models.BigIntegerField(_("seed"))
    chunk_size = models.PositiveIntegerField(_("chunk size"))
    job = job_reference()
    targets = models.JSONField(_("targets"), default=list, blank=True)
    bands = models.JSONField(_("quantile bands"), default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["plan_version", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(n__gt=0), name="risk_set_n_positive"),
            models.CheckConstraint(condition=models.Q(seed__gte=0), name="risk_set_seed_nonneg"),
            models.CheckConstraint(
                condition=models.Q(chunk_size__gt=0), name="risk_set_chunk_positive"
            ),
        ]
        verbose_name = _("replication set")
        verbose_name_plural = _("replication sets")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.n} × {self.plan_version_id})"

    def get_absolute_url(self) -> str:
        return reverse("risk:set-detail", args=[self.plan_version_id, self.pk])


class Replication(models.Model):
    """What a set keeps of one replication: its KPIs, per-store service, weekly totals.

    ``(replication_set, index)`` is unique, so a chunk delivered twice (a worker lost
    mid-chunk, its message redelivered or sent again) counts each replication once.
    """

    replication_set = reference(ReplicationSet, _("replication set"), "replications")
    index = models.PositiveIntegerField(_("index"))
    seed = models.BigIntegerField(_("seed"))
    fill_rate = models.FloatField(_("fill rate"))
    cycle_service_level = models.FloatField(_("cycle service level"))
    avg_on_hand = models.FloatField(_("average on-hand"))
    profit_total = models.FloatField(_("profit"))
    # float64 arrays: cycle service level per store customer (ReplicationSet.targets
    # order), and the weekly series (SERIES_NAMES rows × weeks).
    service = models.BinaryField(_("service by store and item"))
    series = models.BinaryField(_("weekly series"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ("replication_set", "index")
        constraints = [
            models.UniqueConstraint(
                fields=["replication_set", "index"], name="risk_replication_once"
            ),
        ]
        verbose_name = _("replication")
        verbose_name_plural = _("replications")

    def __str__(self) -> str:
        return f"{self.replication_set_id}/{self.index}"


class LevelOptimisation(CreatedModel):
    """Stock levels for a scenario's store targets, found on a plan version's run.

    The job (type ``level_optimisation``, about the source scenario) writes the levels
    as a NEW scenario (``result_scenario``, a child of ``scenario`` with the levels as
    its ``inventory_levels`` override) and the ``report`` in the same transaction as its
    success; the source scenario is never changed. ``report`` holds ``kpis_before`` and
    ``kpis_after`` (``{name: {mean, sd, ci_low, ci_high, …}}``), ``rows`` (one per sized
    node-item, the optimiser's columns), ``rounds`` and ``reached``.
    """

    scenario = reference("scenarios.Scenario", _("scenario"), "level_optimisations")
    plan_version = reference("plans.PlanVersion", _("plan version"), "level_optimisations")
    n = models.PositiveIntegerField(_("replications a round"))
    seed = models.BigIntegerField(_("seed"))
    rounds = models.PositiveIntegerField(_("refinement rounds at most"), default=6)
    service_level = models.FloatField(
        _("target service level"),
        null=True,
        blank=True,
        help_text=_("Empty: each store's own service level."),
    )
    job = job_reference()
    result_scenario = reference(
        "scenarios.Scenario", _("optimised scenario"), on_delete=models.SET_NULL
    )
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=models.Q(n__gt=1), name="risk_opt_n_at_least_2"),
            models.CheckConstraint(condition=models.Q(seed__gte=0), name="risk_opt_seed_nonneg"),
        ]
        verbose_name = _("stock-level optimisation")
        verbose_name_plural = _("stock-level optimisations")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.scenario_id})"

    def get_absolute_url(self) -> str:
        return reverse("risk:optimisation-detail", args=[self.scenario_id, self.pk])
