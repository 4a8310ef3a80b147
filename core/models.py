"""Columns that most of scpln's records share, declared once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def reference(
    to: str | type[models.Model],
    verbose_name: StrOrPromise,
    related_name: str = "+",
    *,
    on_delete: Callable[..., None] = models.CASCADE,
    optional: bool = False,
    **options: Any,
) -> models.ForeignKey[Any, Any]:
    """A foreign key as scpln declares them: always named and with its reverse name
    chosen. ``optional`` is null and blank together, so a reference the database may
    leave empty is one that forms and the admin may leave empty too. A reference that
    ``SET_NULL`` empties when its target is deleted is optional without saying so."""
    if optional or on_delete is models.SET_NULL:
        options.update(null=True, blank=True)
    return models.ForeignKey(
        to, verbose_name=verbose_name, on_delete=on_delete, related_name=related_name, **options
    )


def user_reference(verbose_name: StrOrPromise) -> models.ForeignKey[Any, Any]:
    """The user who did something to a record (made, edited, locked it). Empty for the
    system or a user since deleted: the record outlives its author, so deleting a user
    never deletes or blocks what they did."""
    return reference(settings.AUTH_USER_MODEL, verbose_name, on_delete=models.SET_NULL)


class CreatedModel(models.Model):
    """A record that says when it was made and by whom (None: by the system, or a
    user since deleted; the record outlives its author).

    Listed newest first, the id breaking ties so pages are stable: a model keeps that
    order by extending ``CreatedModel.Meta``, or declares its own ``Meta`` to order
    otherwise.
    """

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = user_reference(_("created by"))

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class TrackedModel(CreatedModel):
    """A :class:`CreatedModel` that can change afterwards, and says when it last did."""

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SubjectModel(models.Model):
    """A record about another record, named generically (content type + id) so any
    app's objects can have one without this app knowing them; the subject may be
    deleted later and the record stays (a removed run keeps its history)."""

    subject_type = reference(
        "contenttypes.ContentType", _("subject type"), on_delete=models.PROTECT
    )
    subject_id = models.CharField(_("subject id"), max_length=64)

    class Meta:
        abstract = True


def subject_index(newest: str, *, name: str) -> models.Index:
    """The index behind one subject's history (its audit trail, notes or jobs), ``newest``
    (a descending time column) first."""
    return models.Index(fields=["subject_type", "subject_id", newest], name=name)


class AuditEvent(SubjectModel):
    """One thing that happened to a plan version, a run or a scenario: who, when, what,
    from which state to which, and why. Written by the services that make the change,
    in the same transaction, and never changed afterwards."""

    at = models.DateTimeField(_("at"), default=timezone.now, editable=False)
    actor = user_reference(_("actor"))
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            subject_index("-at", name="audit_subject_idx"),
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.subject_id}"


class Note(SubjectModel, CreatedModel):
    """A planner's or approver's note on a plan version or a run."""

    text = models.TextField(_("text"))

    class Meta(CreatedModel.Meta):
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [subject_index("-created_at", name="note_subject_idx")]

    def __str__(self) -> str:
        return self.text[:50]


class Notification(models.Model):
    """Something a user should know (a plan to approve, a decision on their plan),
    shown on their notifications page until read; also sent by e-mail."""

    recipient = reference(settings.AUTH_USER_MODEL, _("recipient"), "notifications")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            )
        ]

    def __str__(self) -> str:
        return self.subject


class ApiToken(AuthToken):
    """knox's token under the name scpln gives it. knox's model has no verbose name, so the
    admin listed "Auth tokens" in English in every language; this proxy names it, and the
    admin shows tokens through it (core/admin.py). Same table, no field of its own."""

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
