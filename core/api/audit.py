"""API shapes of the audit trail and notes, for every app whose objects have them."""

from __future__ import annotations

from rest_framework import serializers

from core.audit import NOTE_MAX_CHARS


class EventSerializer(serializers.Serializer):
    """One audit event: who did what, when, from which state to which, and why."""

    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    action = serializers.CharField()
    from_state = serializers.CharField(help_text="State before (empty when none applies).")
    to_state = serializers.CharField(help_text="State after (empty when none applies).")
    reason = serializers.CharField()
    # DRF's serializer metaclass pops declared fields off the class, so this does not
    # replace Serializer.data; the stubs cannot see that.
    data = serializers.JSONField()  # type: ignore[assignment]


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    author = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    text = serializers.CharField()


class NoteInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=NOTE_MAX_CHARS)


class ReasonInputSerializer(serializers.Serializer):
    """The note a state change carries (who asked for it and why)."""

    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_CHARS
    )
