"""REST API routes of the runs app (mounted at the site root).

``runs/compare`` comes before ``runs/<run_id>`` so it is never taken for a run id.
"""

from django.urls import path

from core.routes import object_routes
from runs.api import views

app_name = "runs-api"

urlpatterns = [
    path("runs", views.RunListView.as_view(), name="list"),
    path("runs/compare", views.RunCompareView.as_view(), name="compare"),
    *object_routes(
        "runs/<str:run_id>",
        views.RunDetailView,
        pin=views.RunPinView,
        unpin=views.RunUnpinView,
        archive=views.RunArchiveView,
        unarchive=views.RunUnarchiveView,
        tags=views.RunTagsView,
        notes=views.RunNotesView,
        events=views.RunEventsView,
        psi=views.RunPsiView,
        pl=views.RunPlView,
        trace=views.RunTraceView,
    ),
]
