"""REST API routes of the plans app (mounted at the site root)."""

from django.urls import path

from plans.api import views
from plans.workbench.api import views as workbench

app_name = "plans-api"

urlpatterns = [
    path("plans", views.PlanListCreateView.as_view(), name="list"),
    path("jobs/aggregate", views.AggregateJobView.as_view(), name="aggregate-job"),
    path("plans/<str:plan_version_id>", views.PlanDetailView.as_view(), name="detail"),
    path("plans/<str:plan_version_id>/execute", views.PlanExecuteView.as_view(), name="execute"),
    path("plans/<str:plan_version_id>/submit", views.PlanSubmitView.as_view(), name="submit"),
    path("plans/<str:plan_version_id>/approve", views.PlanApproveView.as_view(), name="approve"),
    path("plans/<str:plan_version_id>/reject", views.PlanRejectView.as_view(), name="reject"),
    path("plans/<str:plan_version_id>/release", views.PlanReleaseView.as_view(), name="release"),
    path("plans/<str:plan_version_id>/archive", views.PlanArchiveView.as_view(), name="archive"),
    path("plans/<str:plan_version_id>/events", views.PlanEventsView.as_view(), name="events"),
    path("plans/<str:plan_version_id>/notes", views.PlanNotesView.as_view(), name="notes"),
    path(
        "plans/<str:plan_version_id>/artifacts/<str:name>",
        views.PlanArtifactView.as_view(),
        name="artifact",
    ),
    path("plans/<str:plan_version_id>/psi", workbench.PsiView.as_view(), name="psi"),
    path(
        "plans/<str:plan_version_id>/psi/events",
        workbench.PsiEventsView.as_view(),
        name="psi-events",
    ),
    path(
        "plans/<str:plan_version_id>/recalculate",
        workbench.RecalculateView.as_view(),
        name="recalculate",
    ),
]
