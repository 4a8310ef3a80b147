"""Web UI routes of the jobs app (mounted under /ui/)."""

from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobs", views.JobListView.as_view(), name="list"),
    path("jobs/<id:pk>", views.JobDetailView.as_view(), name="detail"),
    path("jobs/<id:pk>/retry", views.JobRetryView.as_view(), name="retry"),
    path("jobs/<id:pk>/cancel", views.JobCancelView.as_view(), name="cancel"),
]
