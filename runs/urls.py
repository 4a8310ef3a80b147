"""Web UI routes of the runs app (mounted under /ui/).

``runs/compare`` and ``runs/export`` are not run ids: ``<uuid:…>`` never
matches them, and a malformed run id is a 404 without reaching a view.
"""

from django.urls import path

from core.routes import object_routes
from runs import views

app_name = "runs"

urlpatterns = [
    path("runs", views.RunListView.as_view(), name="list"),
    path("runs/export", views.RunExportView.as_view(), name="export"),
    path("runs/compare", views.RunCompareView.as_view(), name="compare"),
    *object_routes(
        "runs/<uuid:run_id>",
        views.RunDetailView,
        pin=views.RunPinView.as_view(on=True),
        unpin=views.RunPinView.as_view(on=False),
        delete=views.RunDeleteView,
        archive=views.RunArchiveView.as_view(on=True),
        unarchive=views.RunArchiveView.as_view(on=False),
        tags=views.RunTagsView,
        notes=views.RunNoteView,
    ),
]
