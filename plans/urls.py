"""Web UI routes of the plans app (mounted under /ui/)."""

from django.urls import include, path

from plans import views

app_name = "plans"

urlpatterns = [
    path("plans", views.PlanListView.as_view(), name="list"),
    path("plans/<str:plan_version_id>", views.PlanDetailView.as_view(), name="detail"),
    path("plans/<str:plan_version_id>/execute", views.PlanExecuteView.as_view(), name="execute"),
    path(
        "plans/<str:plan_version_id>/export/<slug:table>.csv",
        views.PlanExportView.as_view(),
        name="export",
    ),
    path("plans/<str:plan_version_id>/notes", views.PlanNoteView.as_view(), name="note"),
    path(
        "plans/<str:plan_version_id>/aggregate",
        views.PlanAggregateView.as_view(),
        name="aggregate",
    ),
    path("plans/<str:plan_version_id>/", include("plans.workbench.urls")),
    # Last: any other word after the version is a transition (submit, approve, ...).
    path(
        "plans/<str:plan_version_id>/<slug:action>",
        views.PlanTransitionView.as_view(),
        name="transition",
    ),
]
