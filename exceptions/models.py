"""Stored exceptions of plan versions and runs (one table, written once, read often)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import reference
from exceptions.labels import KIND_LABELS, SEVERITY_LABELS


class PlanningException(models.Model):
    """One exception: what is wrong, where (node × item), since when, how much, why.

    A row belongs to a run (``run`` set; ``plan_version`` is the run's, for filtering)
    or to a plan version's own plan (``run`` empty): late demand, component shortages,
    past-due receipts and unreachable demand come from the plan, the rest from the run
    that executes it. Rows are computed by the engine (``scpln.engine.exceptions``)
    when the plan is finalised or the run recorded, in the same transaction, and never
    change; they go with their run or plan version. Not a Python exception: a planning
    exception in the APS sense ("problem").
    """

    id = models.BigAutoField(primary_key=True)
    plan_version = reference(
        "plans.PlanVersion", _("plan version"), "exception_rows", optional=True
    )
    run = reference("runs.Run", _("run"), "exception_rows", optional=True)
    kind = models.CharField(_("kind"), max_length=32, choices=list(KIND_LABELS.items()))
    node = models.CharField(_("node"), max_length=200, blank=True)
    item = models.CharField(_("item"), max_length=200, blank=True)
    first_day = models.IntegerField(_("first day"), null=True, blank=True)
    last_day = models.IntegerField(_("last day"), null=True, blank=True)
    first_date = models.DateField(_("first date"), null=True, blank=True)
    last_date = models.DateField(_("last date"), null=True, blank=True)
    quantity = models.FloatField(_("quantity"))
    value = models.FloatField(_("value at risk"))
    severity = models.CharField(_("severity"), max_length=8, choices=list(SEVERITY_LABELS.items()))
    # 3 high, 2 medium, 1 low: ordering by severity orders by this.
    severity_rank = models.PositiveSmallIntegerField(_("severity rank"))
    cause_kind = models.CharField(_("cause"), max_length=32, blank=True)
    cause_refs = models.JSONField(_("traces to"), default=list, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("exception")
        verbose_name_plural = _("exceptions")
        ordering = ["-severity_rank", "-value", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(run__isnull=False) | Q(plan_version__isnull=False),
                name="exception_has_owner",
            ),
            models.CheckConstraint(
                condition=Q(severity_rank__gte=1) & Q(severity_rank__lte=3),
                name="exception_severity_rank_range",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "-severity_rank", "-value"], name="exc_run_severity_idx"),
            models.Index(fields=["run", "kind"], name="exc_run_kind_idx"),
            models.Index(fields=["run", "node", "item"], name="exc_run_node_item_idx"),
            models.Index(fields=["run", "first_date"], name="exc_run_first_date_idx"),
            models.Index(
                fields=["plan_version", "-severity_rank", "-value"], name="exc_pv_severity_idx"
            ),
            models.Index(fields=["plan_version", "kind"], name="exc_pv_kind_idx"),
            models.Index(fields=["plan_version", "node", "item"], name="exc_pv_node_item_idx"),
        ]

    def __str__(self) -> str:
        where = "/".join(part for part in (self.node, self.item) if part)
        return f"{self.get_kind_display()} {where}".strip()
