"""What the workbench keeps about an edited draft: its revision, the cells planners set and the
cells they locked. The values themselves live in the version's tables (plans.PlanArtifact);
the edits are laid over them until a recalculation writes them into the tables."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import reference, user_reference


class Workbench(models.Model):
    """Marks a plan version as a draft made by editing its parent, and counts its edits.

    ``revision`` goes up by one with every applied PATCH; an edit that carries an older
    revision is refused (409), so two planners never overwrite each other unseen.
    """

    plan_version = models.OneToOneField(
        "plans.PlanVersion",
        verbose_name=_("plan version"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="workbench",
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    recalculated_at = models.DateTimeField(_("recalculated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("workbench draft")
        verbose_name_plural = _("workbench drafts")

    def __str__(self) -> str:
        return f"{self.plan_version_id} r{self.revision}"


class CellEdit(models.Model):
    """A detail cell (SKU × week) a planner set, directly or by distributing an aggregate edit.

    The latest value wins (one row per cell); the audit trail keeps every old → new.
    """

    plan_version = reference("plans.PlanVersion", _("plan version"), "cell_edits")
    sku = models.CharField(_("SKU"), max_length=200)
    measure = models.CharField(_("measure"), max_length=32)
    week = models.CharField(_("week"), max_length=32)
    value = models.FloatField(_("value"))
    edited_at = models.DateTimeField(_("edited at"), default=timezone.now)
    edited_by = user_reference(_("edited by"))

    class Meta:
        verbose_name = _("cell edit")
        verbose_name_plural = _("cell edits")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version", "sku", "measure", "week"], name="cell_edit_unique"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="cell_edit_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_version_id} {self.sku} {self.measure} {self.week} = {self.value}"


class CellLock(models.Model):
    """A locked row (``period`` empty) or cell of the grid, by row key (``family:…``/``sku:…``).

    A family lock holds all of its SKUs' cells in that period; no edit, direct or distributed,
    changes a locked cell.
    """

    plan_version = reference("plans.PlanVersion", _("plan version"), "cell_locks")
    key = models.CharField(_("row key"), max_length=210)
    period = models.CharField(_("period"), max_length=32, blank=True)
    locked_at = models.DateTimeField(_("locked at"), default=timezone.now)
    locked_by = user_reference(_("locked by"))

    class Meta:
        verbose_name = _("cell lock")
        verbose_name_plural = _("cell locks")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version", "key", "period"], name="cell_lock_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_version_id} {self.key} {self.period or '*'}"
