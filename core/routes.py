"""Routes of one object and of its actions and sub-resources, for the apps' URL confs.

An object's page or API resource has its own route (named ``detail``) and a row of
routes under it (``runs/<str:run_id>/pin``, ``…/unpin``, ``…/tags``), each named
after its last segment. :func:`object_routes` states the object's route once, and
each name is its segment by construction rather than by care. An app whose URL
namespace serves two kinds of object (the scenarios API: scenarios and configs)
starts their names with a ``name_prefix`` (``config-detail``, ``config-diff``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path
from django.views import View

ViewArg = type[View] | Callable[..., Any]


def object_routes(
    prefix: str, detail: ViewArg, /, *, name_prefix: str = "", **views: ViewArg
) -> list[URLPattern]:
    """``prefix`` served by ``detail`` (named ``detail``), then ``prefix/<name>`` for each
    ``name=view``, named ``name``; every name starts with ``name_prefix``.

    A view is a class-based view (its ``as_view()`` is routed) or a view function,
    e.g. ``as_view(pinned=True)`` where one class serves two actions.
    """
    return [
        path(prefix, _callable(detail), name=f"{name_prefix}detail"),
        *(
            path(f"{prefix}/{name}", _callable(view), name=f"{name_prefix}{name}")
            for name, view in views.items()
        ),
    ]


def _callable(view: ViewArg) -> Callable[..., Any]:
    if isinstance(view, type) and issubclass(view, View):
        return view.as_view()
    return view
