"""Web UI routes of the risk app (mounted under /ui/, before the plans' routes)."""

from django.urls import path

from risk import views

app_name = "risk"

urlpatterns = [
    path("scenarios/<id:scenario_id>/optimise", views.OptimiseView.as_view(), name="optimise"),
    path(
        "scenarios/<id:scenario_id>/optimisations/<id:optimisation_id>",
        views.OptimisationDetailView.as_view(),
        name="optimisation-detail",
    ),
    path("replications/compare", views.ReplicationSetCompareView.as_view(), name="compare"),
    path(
        "plans/<str:plan_version_id>/replications",
        views.ReplicationSetListView.as_view(),
        name="set-list",
    ),
    path(
        "plans/<str:plan_version_id>/replications/<id:set_id>",
        views.ReplicationSetDetailView.as_view(),
        name="set-detail",
    ),
    path(
        "plans/<str:plan_version_id>/replications/<id:set_id>/cancel",
        views.ReplicationSetCancelView.as_view(),
        name="set-cancel",
    ),
]
