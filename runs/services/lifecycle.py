"""A run's life after it is recorded: pin, archive, tag, note, delete — each an audit event.

Every change goes through the registry backend that keeps the run, in one
transaction with its audit event (core/audit.py), so the trail says who did
what to a run even after retention removed it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import event_record, note_add
from core.models import Note
from runs.models import Run
from runs.registry import get_registry

TAG_MAX_CHARS = 50
TAGS_MAX = 20


def run_set_pinned(*, run: Run, pinned: bool, user: User | None = None) -> Run:
    """Pin a run (retention never deletes it) or release it to retention again.

    Idempotent: pinning a pinned run changes nothing (and records nothing).
    Raises ``Run.DoesNotExist`` if the run is gone (e.g. pruned meanwhile).
    """
    with transaction.atomic():
        was = run.pinned
        run = get_registry().set_pinned(run, pinned)
        if was != pinned:
            event_record(obj=run, action="pin" if pinned else "unpin", actor=user)
    return run


def run_pin(*, run: Run, user: User | None = None) -> Run:
    return run_set_pinned(run=run, pinned=True, user=user)


def run_unpin(*, run: Run, user: User | None = None) -> Run:
    return run_set_pinned(run=run, pinned=False, user=user)


def run_set_archived(*, run: Run, archived: bool, user: User | None = None, note: str = "") -> Run:
    """Hide a run from the default history (``archived``) or show it again.

    The run, its result and its links stay; ``?archived=true`` lists archived
    runs. Idempotent like pinning.
    """
    with transaction.atomic():
        was = run.archived
        run = get_registry().update(run, archived=archived)
        if was != archived:
            event_record(
                obj=run, action="archive" if archived else "unarchive", actor=user, reason=note
            )
    return run


def run_set_tags(*, run: Run, tags: Sequence[str], user: User | None = None) -> Run:
    """Replace a run's tags (trimmed, unique, in the given order)."""
    clean: list[str] = []
    for tag in tags:
        text = str(tag).strip()
        if not text or len(text) > TAG_MAX_CHARS or "\x00" in text:
            raise ValidationError(
                {"tags": _("A tag is 1 to %(max)d characters.") % {"max": TAG_MAX_CHARS}}
            )
        if text not in clean:
            clean.append(text)
    if len(clean) > TAGS_MAX:
        raise ValidationError({"tags": _("At most %(max)d tags.") % {"max": TAGS_MAX}})
    with transaction.atomic():
        before = list(run.tags or [])
        run = get_registry().update(run, tags=clean)
        if before != clean:
            event_record(obj=run, action="tags", actor=user, data={"from": before, "to": clean})
    return run


def run_note_add(*, run: Run, text: str, user: User | None = None) -> Note:
    """A note on the run (who, when, text); also an audit event."""
    with transaction.atomic():
        return note_add(obj=run, text=text, user=user)


def run_delete(*, run: Run, user: User | None = None) -> None:
    """Delete a run and its result, leaving a tombstone and an audit event.

    A pinned or held run is refused: pinning says "keep this", and a held run
    is the baseline or a run of an approved plan.
    """
    if run.pinned:
        raise ValidationError(
            {
                "pinned": _("Run %(run_id)s is pinned; unpin it before deleting it.")
                % {"run_id": run.run_id}
            },
            code="pinned",
        )
    if run.held:
        raise ValidationError(
            {
                "held": _(
                    "Run %(run_id)s belongs to an approved plan or is its baseline; it is kept."
                )
                % {"run_id": run.run_id}
            },
            code="held",
        )
    with transaction.atomic():
        event_record(obj=run, action="delete", actor=user)
        get_registry().delete(run)
