"""REST API routes of the jobs app (mounted at the site root).

``POST /jobs/aggregate`` belongs to the plans app; ``jobs/<int:pk>`` never
matches it.
"""

from django.urls import path

from jobs.api import views

app_name = "jobs-api"

urlpatterns = [
    path("jobs", views.JobListView.as_view(), name="list"),
    path("jobs/<int:pk>", views.JobDetailView.as_view(), name="detail"),
    path("jobs/<int:pk>/retry", views.JobRetryView.as_view(), name="retry"),
    path("jobs/<int:pk>/cancel", views.JobCancelView.as_view(), name="cancel"),
]
