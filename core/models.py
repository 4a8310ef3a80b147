"""Columns that most of scpln's records share, declared once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CreatedModel(models.Model):
    """A record that says when it was made and by whom (None: by the system, or a
    user since deleted; the record outlives its author)."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class TrackedModel(CreatedModel):
    """A :class:`CreatedModel` that can change afterwards, and says when it last did."""

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
