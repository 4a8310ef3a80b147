"""Web UI routes of the jobs app (mounted under /ui/).

The API addresses jobs the same way (``jobs/api/urls.py``): both take their
routes from :func:`job_routes`, each with its own views.
"""

from types import ModuleType

from django.urls import URLPattern, path

from jobs import views

app_name = "jobs"


def job_routes(views_module: ModuleType) -> list[URLPattern]:
    """The job list, one job, and its retry and cancel, served by ``views_module``."""
    return [
        path("jobs", views_module.JobListView.as_view(), name="list"),
        path("jobs/<id:pk>", views_module.JobDetailView.as_view(), name="detail"),
        path("jobs/<id:pk>/retry", views_module.JobRetryView.as_view(), name="retry"),
        path("jobs/<id:pk>/cancel", views_module.JobCancelView.as_view(), name="cancel"),
    ]


urlpatterns = job_routes(views)
