"""REST API routes of the runs app (mounted at the site root).

``runs/compare`` comes before ``runs/<run_id>`` so it is never taken for a run id.
"""

from django.urls import path

from runs.api import views

app_name = "runs-api"

urlpatterns = [
    path("runs", views.RunListView.as_view(), name="list"),
    path("runs/compare", views.RunCompareView.as_view(), name="compare"),
    path("runs/<str:run_id>", views.RunDetailView.as_view(), name="detail"),
    path("runs/<str:run_id>/pin", views.RunPinView.as_view(), name="pin"),
    path("runs/<str:run_id>/unpin", views.RunUnpinView.as_view(), name="unpin"),
    path("runs/<str:run_id>/archive", views.RunArchiveView.as_view(), name="archive"),
    path("runs/<str:run_id>/unarchive", views.RunUnarchiveView.as_view(), name="unarchive"),
    path("runs/<str:run_id>/tags", views.RunTagsView.as_view(), name="tags"),
    path("runs/<str:run_id>/notes", views.RunNotesView.as_view(), name="notes"),
    path("runs/<str:run_id>/events", views.RunEventsView.as_view(), name="events"),
    path("runs/<str:run_id>/psi", views.RunPsiView.as_view(), name="psi"),
    path("runs/<str:run_id>/pl", views.RunPlView.as_view(), name="pl"),
    path("runs/<str:run_id>/trace", views.RunTraceView.as_view(), name="trace"),
]
