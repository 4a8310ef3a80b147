"""Steps that every app's UI views take the same way: name the page, refuse without a
permission, page a FilterSet's rows, add a note, show a service's refusal as messages
(in the admin too)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import django_filters
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import error_lines
from core.users import acting_user

# A breadcrumb above the current page: its label and URL.
Crumb = tuple[str | Promise, str | Promise]
HOME: Crumb = (gettext_lazy("Home"), reverse_lazy("home"))


@dataclass(frozen=True)
class PageHead:
    """A page's title and where it sits, said once in its view (as ``page_head``):
    base.html shows the title as the window's ``<title>``, the page's ``<h1>`` and
    the breadcrumb trail's last entry, so the three cannot disagree."""

    title: str | Promise
    # The trail's entries above this page.
    parents: tuple[Crumb, ...] = (HOME,)
    # The trail's name for this page where it says less than the title ("Import").
    crumb: str | Promise = ""
    # A page reached outside the site's tree (an upload refused, a login locked out).
    trail: bool = True
    # False where the template puts the <h1> itself: inside an alert banner, so
    # that a screen reader announces it with the message.
    heading: bool = True


def require_permission(request: HttpRequest, *permissions: str) -> None:
    """Raise 403 unless the user has one of ``permissions`` (a view checked before
    it reads or writes anything)."""
    if not any(request.user.has_perm(permission) for permission in permissions):
        raise PermissionDenied(_("You do not have permission to do this."))


def filtered_page(
    request: HttpRequest, filterset: django_filters.FilterSet, *, page_size: int
) -> tuple[Page, bool]:
    """The page of the FilterSet's rows that ``?page=`` asks for, and whether the
    filters were valid: invalid filters list nothing (the page shows the errors at
    their fields) rather than everything."""
    valid = filterset.is_valid()
    queryset = filterset.qs if valid else filterset.queryset.none()
    return Paginator(queryset, page_size).get_page(request.GET.get("page")), valid


def filters_applied(request: HttpRequest, filterset: django_filters.FilterSet) -> bool:
    """Whether the request narrows the list (a filter other than the ordering has a
    value): an empty page then says nothing matches and offers to clear the filters."""
    return any(request.GET.get(name) for name in filterset.filters if name != "ordering")


def note_post(request: HttpRequest, add: Callable[..., object], *, back: str) -> HttpResponse:
    """Add the POSTed note through the app's service (``add(text=…, user=…)``) and go
    back to the page's notes; a refused note (empty, too long) shows as a message."""
    try:
        add(text=request.POST.get("text", ""), user=acting_user(request))
    except ValidationError as error:
        flash_errors(request, error, {"text": _("Note")})
    return redirect(f"{back}#notes-heading")


def flash_errors(
    request: HttpRequest, error: ValidationError, labels: Mapping[str, str] | None = None
) -> None:
    """A service's refusal as error messages on the next page, one a line (the
    fields by their labels when given)."""
    for line in error_lines(error, labels):
        messages.error(request, line)


def admin_errors(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    error: ValidationError,
    *,
    about: object | None = None,
    level: int = messages.ERROR,
) -> None:
    """A service's refusal as admin messages, one a line, each led by the object it is
    about (an action works on many at once)."""
    for line in error_lines(error):
        modeladmin.message_user(request, line if about is None else f"{about}: {line}", level)
