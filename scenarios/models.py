"""Scenarios (what-if overrides) and canonical config versions (the network)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.models import CreatedModel, TrackedModel, reference, user_reference


class ConfigVersion(CreatedModel):
    """A canonical-1.0 supply-chain network, validated and frozen at import.

    The document never changes after import: plans and runs refer to it by
    ``config_version_id``, so editing it would silently rewrite history. A
    changed network is a new import and a new version. The content hash is
    unique, so importing the same network twice finds the existing version.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    schema_version = models.CharField(_("schema version"), max_length=32)
    document = models.JSONField(_("document"))
    content_hash = models.CharField(_("content hash"), max_length=64, unique=True, editable=False)
    # Findings that did not stop the import (e.g. a store item nothing replenishes),
    # as "path: message" lines, shown wherever the config is.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    horizon_days = models.PositiveIntegerField(_("horizon (days)"))
    item_count = models.PositiveIntegerField(_("items"), default=0)
    node_count = models.PositiveIntegerField(_("nodes"), default=0)
    source_filename = models.CharField(_("source file"), max_length=255, blank=True)

    # What the import recorded about the document and where it came from: shown
    # wherever the version is (the API's output, the admin's read-only fields), never edited.
    IMPORT_RECORD = (
        "horizon_days",
        "item_count",
        "node_count",
        "source_filename",
        "created_at",
        "created_by",
    )

    class Meta(CreatedModel.Meta):
        verbose_name = _("config version")
        verbose_name_plural = _("config versions")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="config_status_created_idx"),
            models.Index(fields=["name"], name="config_name_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("scenarios:config-detail", args=[self.pk])


class Scenario(TrackedModel):
    """A named set of what-if overrides applied on top of a config version.

    A locked scenario is frozen: it cannot be edited or deleted, and no plan
    or run may be started against it until it is unlocked. The lock records
    who and when so a refusal can say so.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    parent = reference("self", _("parent"), "children", on_delete=models.SET_NULL)
    tags = models.JSONField(_("tags"), default=list, blank=True)

    demand_scale = models.FloatField(_("demand scale"), default=1.0)
    demand_scale_by_item = models.JSONField(
        _("demand scale by item or family"), default=dict, blank=True
    )
    capacity_scale = models.FloatField(_("capacity scale"), default=1.0)
    capacity_scale_by_node = models.JSONField(_("capacity scale by node"), default=dict, blank=True)
    lead_time_shift_days = models.IntegerField(_("lead-time shift (days)"), default=0)
    initial_inventory_scale = models.FloatField(_("initial-inventory scale"), default=1.0)
    horizon_days = models.PositiveIntegerField(_("horizon (days)"), null=True, blank=True)
    # {node: {item: {"order_up_to": S, "reorder_point": s, "initial_inventory": x}}}
    inventory_levels = models.JSONField(
        _("stock levels by node and item"), default=dict, blank=True
    )

    locked = models.BooleanField(_("locked"), default=False)
    locked_by = user_reference(_("locked by"))
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    lock_reason = models.CharField(_("lock reason"), max_length=500, blank=True)

    # The lock: set and cleared together, only by scenario_lock / scenario_unlock;
    # shown (never edited) in the API's output and the admin.
    LOCK_FIELDS = ("locked", "locked_by", "locked_at", "lock_reason")

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(demand_scale__gt=0), name="scenario_demand_scale_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(capacity_scale__gt=0), name="scenario_capacity_scale_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(initial_inventory_scale__gte=0),
                name="scenario_initial_inventory_scale_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(locked=False) | Q(locked_at__isnull=False),
                name="scenario_lock_has_time",
            ),
        ]
        indexes = [models.Index(fields=["locked", "name"], name="scenario_locked_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("scenarios:detail", args=[self.pk])

    def override_summary(self) -> list[str]:
        """The overrides that change the config, a few words each (lists show these)."""
        parts = []
        for factor, label in (
            (self.demand_scale, gettext("demand")),
            (self.capacity_scale, gettext("capacity")),
            (self.initial_inventory_scale, gettext("initial inventory")),
        ):
            if factor != 1:
                parts.append(f"{label} ×{factor:g}")
        if self.demand_scale_by_item:
            count = len(self.demand_scale_by_item)
            parts.append(
                ngettext("demand of %(n)d item", "demand of %(n)d items", count) % {"n": count}
            )
        if self.capacity_scale_by_node:
            count = len(self.capacity_scale_by_node)
            parts.append(
                ngettext("capacity of %(n)d node", "capacity of %(n)d nodes", count) % {"n": count}
            )
        if self.lead_time_shift_days:
            parts.append(gettext("lead time %(days)+d d") % {"days": self.lead_time_shift_days})
        if self.horizon_days:
            parts.append(gettext("horizon %(days)d d") % {"days": self.horizon_days})
        if self.inventory_levels:
            count = sum(len(items) for items in self.inventory_levels.values())
            parts.append(
                ngettext(
                    "stock levels of %(n)d node-item", "stock levels of %(n)d node-items", count
                )
                % {"n": count}
            )
        return parts

    def overrides(self) -> dict:
        """The scenario's overrides in the engine's ``ScenarioOverrides`` shape."""
        return {
            "demand_scale": self.demand_scale,
            "demand_scale_by_item": dict(self.demand_scale_by_item or {}),
            "capacity_scale": self.capacity_scale,
            "capacity_scale_by_node": dict(self.capacity_scale_by_node or {}),
            "lead_time_shift_days": self.lead_time_shift_days,
            "initial_inventory_scale": self.initial_inventory_scale,
            "horizon_days": self.horizon_days,
            "inventory_levels": dict(self.inventory_levels or {}),
        }


class ConfigUpload(CreatedModel):
    """A config file waiting for its import job: the bytes as uploaded, nothing parsed.

    A config too large to import inside a request (``SCPLN_CONFIG_INLINE_BYTES``)
    is kept here and imported by a ``config_import`` job, which deletes the
    row once the import has succeeded or was refused (a refusal would repeat).
    In the database, not a folder, because the worker may be on another machine.
    """

    data = models.BinaryField(_("data"))
    source_filename = models.CharField(_("source file"), max_length=255, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("config upload")
        verbose_name_plural = _("config uploads")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"upload #{self.pk} {self.source_filename}"
