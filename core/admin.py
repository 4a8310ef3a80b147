"""The audit trail and notes in the admin: read-only, they are history."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from core.models import AuditEvent, Note


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "subject_type", "subject_id", "action", "from_state", "to_state", "actor"]
    list_filter = ["action", "subject_type", "at"]
    search_fields = ["=subject_id", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor", "subject_type"]


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subject_type", "subject_id", "created_by", "text"]
    list_filter = ["subject_type", "created_at"]
    search_fields = ["=subject_id", "text"]
    list_select_related = ["created_by", "subject_type"]
