"""core.routes: an object's routes are named after their last segment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import View

from core.routes import object_routes


class _Detail(View):
    pass


class _Pin(View):
    pinned = True


def _notes(request: HttpRequest, run_id: str) -> HttpResponse:
    return HttpResponse()


def test_object_routes_name_each_route_after_its_segment_and_route_classes_and_functions():
    pin = _Pin.as_view(pinned=False)
    routes = object_routes("runs/<str:run_id>", _Detail, unpin=pin, notes=_notes)

    assert [(str(r.pattern), r.name) for r in routes] == [
        ("runs/<str:run_id>", "detail"),
        ("runs/<str:run_id>/unpin", "unpin"),
        ("runs/<str:run_id>/notes", "notes"),
    ]
    assert routes[0].callback.view_class is _Detail  # type: ignore[attr-defined]
    assert routes[1].callback is pin
    assert routes[2].callback is _notes
    match = routes[1].resolve("runs/r1/unpin")
    assert match is not None
    assert match.kwargs == {"run_id": "r1"}


def test_object_routes_start_every_name_with_the_name_prefix():
    routes = object_routes("configs/<id:pk>", _Detail, name_prefix="config-", diff=_notes)

    assert [(str(r.pattern), r.name) for r in routes] == [
        ("configs/<id:pk>", "config-detail"),
        ("configs/<id:pk>/diff", "config-diff"),
    ]
