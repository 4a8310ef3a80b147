"""Page-number pagination with a total, the same for every list endpoint.

Every list is ordered on a unique key at the end (e.g. ``-started_at,
-run_id``), so a page always holds the same rows while the data does not
change. A page number that is not a positive whole number, or a page size
outside 1…``max_page_size``, is a 400 naming the parameter; a page past the
last one is a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: _("Expected a whole number from 1 to %(max)d.")
                    % {"max": self.max_page_size}
                }
            )
        return size

    def get_page_number(self, request: Request, paginator) -> int | str:
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw == "":
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise ValidationError(
                {self.page_query_param: _("Expected a whole number of 1 or more, or “last”.")}
            )
        return number


class LargePagination(Pagination):
    """For row tables (PSI, P&L, trace): bigger pages, same rules."""

    page_size = 500
    max_page_size = 5000
