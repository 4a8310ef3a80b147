"""Web UI routes of the exceptions app (mounted under /ui/)."""

from django.urls import path

from exceptions import views

app_name = "exceptions"

urlpatterns = [
    path("runs/<uuid:run_id>/exceptions", views.RunExceptionsView.as_view(), name="run"),
    path("plans/<str:plan_version_id>/exceptions", views.PlanExceptionsView.as_view(), name="plan"),
]
