"""REST API routes of the risk app (mounted at the site root, beside /plans)."""

from django.urls import path

from risk.api import views

app_name = "risk-api"

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
        views.ReplicationSetListCreateView.as_view(),
        name="list",
    ),
    path(
        "plans/<str:plan_version_id>/replications/<id:set_id>",
        views.ReplicationSetDetailView.as_view(),
        name="detail",
    ),
    path(
        "plans/<str:plan_version_id>/replications/<id:set_id>/cancel",
        views.ReplicationSetCancelView.as_view(),
        name="cancel",
    ),
]
