"""REST API routes of the plans app (mounted at the site root)."""

from django.urls import include, path

from core.routes import object_routes
from plans.api import views

app_name = "plans-api"

urlpatterns = [
    path("plans", views.PlanListCreateView.as_view(), name="list"),
    path("jobs/aggregate", views.AggregateJobView.as_view(), name="aggregate-job"),
    *object_routes(
        "plans/<str:plan_version_id>",
        views.PlanDetailView,
        execute=views.PlanExecuteView,
        submit=views.PlanSubmitView,
        approve=views.PlanApproveView,
        reject=views.PlanRejectView,
        release=views.PlanReleaseView,
        archive=views.PlanArchiveView,
        events=views.PlanEventsView,
        notes=views.PlanNotesView,
    ),
    path(
        "plans/<str:plan_version_id>/artifacts/<str:name>",
        views.PlanArtifactView.as_view(),
        name="artifact",
    ),
    path("plans/<str:plan_version_id>/", include("plans.workbench.api.urls")),
]
