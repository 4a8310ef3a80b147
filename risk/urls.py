"""Web UI routes of the risk app (mounted under /ui/, before the plans' routes).

The API (risk/api/urls.py) serves the same paths; :data:`ROUTES` lists them once.
"""

from types import ModuleType

from django.urls import URLPattern, path

from risk import views

app_name = "risk"

# path, then (view class, URL name) in the UI and in the API
ROUTES = (
    (
        "scenarios/<id:scenario_id>/optimise",
        ("OptimiseView", "optimise"),
        ("OptimiseView", "optimise"),
    ),
    (
        "scenarios/<id:scenario_id>/optimisations/<id:optimisation_id>",
        ("OptimisationDetailView", "optimisation-detail"),
        ("OptimisationDetailView", "optimisation-detail"),
    ),
    (
        "replications/compare",
        ("ReplicationSetCompareView", "compare"),
        ("ReplicationSetCompareView", "compare"),
    ),
    (
        "plans/<str:plan_version_id>/replications",
        ("ReplicationSetListView", "set-list"),
        ("ReplicationSetListCreateView", "list"),
    ),
    (
        "plans/<str:plan_version_id>/replications/<id:set_id>",
        ("ReplicationSetDetailView", "set-detail"),
        ("ReplicationSetDetailView", "detail"),
    ),
    (
        "plans/<str:plan_version_id>/replications/<id:set_id>/cancel",
        ("ReplicationSetCancelView", "set-cancel"),
        ("ReplicationSetCancelView", "cancel"),
    ),
)


def routes(module: ModuleType, *, api: bool) -> list[URLPattern]:
    """:data:`ROUTES` bound to the views of ``module`` (the UI's or the API's)."""
    patterns = []
    for route, ui, rest in ROUTES:
        view, name = rest if api else ui
        patterns.append(path(route, getattr(module, view).as_view(), name=name))
    return patterns


urlpatterns = routes(views, api=False)
