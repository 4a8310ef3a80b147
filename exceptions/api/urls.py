"""REST API routes of the exceptions app (mounted at the site root, beside /runs and /plans)."""

from django.urls import path

from exceptions.api import views

app_name = "exceptions-api"

urlpatterns = [
    path("runs/<str:run_id>/exceptions", views.RunExceptionsView.as_view(), name="run"),
    path("plans/<str:plan_version_id>/exceptions", views.PlanExceptionsView.as_view(), name="plan"),
]
