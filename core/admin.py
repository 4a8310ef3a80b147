"""The admin bases every app uses (no Add; read-only), the audit trail and notes (read-only:
they are history) and API tokens in the admin.

For tokens, knox's own admin is replaced (and listed as scpln's "API tokens", through the
``ApiToken`` proxy, as knox's model has no name to translate): it shows each token's digest as its
name and issues tokens from a form. Here a token is shown by its owner and the
first characters of its text (all an operator needs to recognise it), nothing
is issued (a user issues their own on the account page, an operator with
``manage.py issue_token``), and deleting one revokes it through the same
service the account page uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext
from knox.models import AuthToken

from core.models import ApiToken, AuditEvent, Note
from core.pages import admin_errors
from core.tokens import api_token_revoke, api_tokens_revoke

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups


class NoAddAdmin(admin.ModelAdmin):
    """The admin of rows that only a service makes (a job, a simulation, an import that
    validates them): it never offers Add, since a row typed in would skip that service."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class NoChangeAdmin(NoAddAdmin):
    """Rows that only services change: shown, never edited by hand, deleted where a
    permission allows. The page shows ``readonly_fields``, in that order (or ``fields``
    where an admin says otherwise)."""

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: object = None) -> _FieldGroups:
        return self.fields or tuple(self.readonly_fields)


class ReadOnlyAdmin(NoAddAdmin):
    """History that nobody edits or removes by hand."""

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@contextmanager
def admin_refusals(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    about: object | None = None,
    level: int = messages.ERROR,
) -> Iterator[None]:
    """Call a service for one object the admin acts on (an action's, a delete's): a
    ``ValidationError`` it raises becomes admin messages led by ``about``
    (:func:`core.pages.admin_errors`) and ends the block, so the admin goes on with the
    next object; the rest of the block is the success path."""
    try:
        yield
    except ValidationError as error:
        admin_errors(modeladmin, request, error, about=about, level=level)


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


admin.site.unregister(AuthToken)

# django-axes marks the names of its admin pages (lock-outs, login attempts) for translation
# but ships no Japanese: they are written here so that makemessages keeps them in scpln's
# catalogue, which Django reads before the apps' own.
AXES_NAMES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)


@admin.register(ApiToken)
class AuthTokenAdmin(NoChangeAdmin):
    list_display = ["user", "token_start", "created", "expiry"]
    list_filter = ["created", "expiry"]
    search_fields = ["user__username", "token_key"]
    list_select_related = ["user"]
    readonly_fields = ("user", "token_start", "created", "expiry")
    actions = ["revoke"]

    @admin.display(description=_("token starts with"))
    def token_start(self, token: AuthToken) -> str:
        return f"{token.token_key[:8]}…"

    def get_actions(self, request: HttpRequest) -> dict:
        # Django's bulk delete would bypass the service; "Revoke" is the same thing through it.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Revoke the selected tokens"), permissions=["delete"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[AuthToken]) -> None:
        count = api_tokens_revoke(tokens=queryset)
        self.message_user(
            request,
            ngettext("Revoked %(count)d token.", "Revoked %(count)d tokens.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def delete_model(self, request: HttpRequest, obj: AuthToken) -> None:
        api_token_revoke(token=obj)
