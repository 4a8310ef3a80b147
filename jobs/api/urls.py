"""REST API routes of the jobs app (mounted at the site root).

``POST /jobs/aggregate`` belongs to the plans app; ``jobs/<id:pk>`` never
matches it.
"""

from django.urls import path

from jobs.api import views

app_name = "jobs-api"

urlpatterns = [
    path("jobs", views.JobListView.as_view(), name="list"),
    path("jobs/<id:pk>", views.JobDetailView.as_view(), name="detail"),
    path("jobs/<id:pk>/retry", views.JobRetryView.as_view(), name="retry"),
    path("jobs/<id:pk>/cancel", views.JobCancelView.as_view(), name="cancel"),
]
