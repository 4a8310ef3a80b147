"""Steps that every app's UI views take the same way: name the page, refuse without a
permission, page a FilterSet's rows, add a note, show a service's refusal as messages
(in the admin too)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import django_filters
from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
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


T = TypeVar("T")


def found_or_404(find: Callable[[], T], not_found: str) -> T:
    """What ``find`` (a selector's get) returns, or a 404 page saying ``not_found``:
    the planner reads which plan, run or job is missing, not Django's generic
    "No … matches the given query"."""
    try:
        return find()
    except ObjectDoesNotExist:
        raise Http404(not_found) from None


def require_permission(request: HttpRequest, *permissions: str) -> None:
    """Raise 403 unless the user has one of ``permissions`` (a view checked before
    it reads or writes anything)."""
    if not any(request.user.has_perm(permission) for permission in permissions):
        raise PermissionDenied(_("You do not have permission to do this."))


@dataclass(frozen=True)
class FilteredList:
    """The page of a FilterSet's rows that ``?page=`` asks for, as a list page shows it."""

    filterset: django_filters.FilterSet
    page: Page
    # Invalid filters list nothing (the page shows the errors at their fields)
    # rather than everything.
    valid: bool
    # The request narrows the list (a filter other than the ordering has a value):
    # an empty page then says nothing matches and offers to clear the filters.
    filtered: bool

    @property
    def context(self) -> dict[str, object]:
        """What every list template reads (``includes/paged_table.html``, the filter form)."""
        return {"filterset": self.filterset, "page_obj": self.page, "filtered": self.filtered}


def filtered_list(
    request: HttpRequest, filterset: django_filters.FilterSet, *, page_size: int
) -> FilteredList:
    """One call for what every list view needs before it adds its own rows' context."""
    valid = filterset.is_valid()
    queryset = filterset.qs if valid else filterset.queryset.none()
    return FilteredList(
        filterset=filterset,
        page=Paginator(queryset, page_size).get_page(request.GET.get("page")),
        valid=valid,
        filtered=any(request.GET.get(name) for name in filterset.filters if name != "ordering"),
    )


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
