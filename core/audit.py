"""The audit trail and notes: what happened to an object, and what people wrote about it.

Services that change a plan version, a run or a scenario call
:func:`event_record` inside their own transaction, so an event exists exactly
when its change committed. Objects are named generically (content type + id):
``core`` knows no app, and a removed run keeps its history.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import AuditEvent, Note

NOTE_MAX_CHARS = 10_000

# What each recorded action is called on a page (apps may add theirs).
ACTION_LABELS: dict[str, str | Promise] = {
    "note": gettext_lazy("Note"),
    "pin": gettext_lazy("Pinned"),
    "unpin": gettext_lazy("Unpinned"),
    "archive": gettext_lazy("Archived"),
    "unarchive": gettext_lazy("Unarchived"),
    "tags": gettext_lazy("Tags changed"),
    "delete": gettext_lazy("Deleted"),
    "lock": gettext_lazy("Locked"),
    "unlock": gettext_lazy("Unlocked"),
}
# The states that events move objects between, by name (apps register theirs).
STATE_LABELS: dict[str, str | Promise] = {}


def register_labels(
    *,
    actions: Mapping[str, str | Promise] | None = None,
    states: Mapping[str, str | Promise] | None = None,
) -> None:
    """Name an app's actions and states for the history its pages show."""
    ACTION_LABELS.update(actions or {})
    STATE_LABELS.update(states or {})


def _subject(model: type[Model], object_id: Any) -> dict[str, Any]:
    return {
        "subject_type": ContentType.objects.get_for_model(model),
        "subject_id": str(object_id),
    }


def event_record(
    *,
    obj: Model,
    action: str,
    actor: User | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event about ``obj`` (call it in the transaction of the change)."""
    return AuditEvent.objects.create(
        **_subject(type(obj), obj.pk),
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )


def events_for(model: type[Model], object_id: Any) -> QuerySet[AuditEvent]:
    """The events about one object, newest first (it may no longer exist)."""
    return AuditEvent.objects.filter(**_subject(model, object_id)).select_related("actor")


def note_add(*, obj: Model, text: str, user: User | None = None) -> Note:
    """Add a note to ``obj``; an empty or oversized text is refused (``text``)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("A note needs some text.")})
    if len(text) > NOTE_MAX_CHARS or "\x00" in text:
        raise ValidationError(
            {"text": _("A note has at most %(max)d characters.") % {"max": NOTE_MAX_CHARS}}
        )
    note = Note.objects.create(**_subject(type(obj), obj.pk), text=text, created_by=user)
    event_record(obj=obj, action="note", actor=user, reason=text[:200])
    return note


def notes_for(model: type[Model], object_id: Any) -> QuerySet[Note]:
    """The notes on one object, newest first."""
    return Note.objects.filter(**_subject(model, object_id)).select_related("created_by")
