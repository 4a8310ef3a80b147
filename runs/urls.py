"""Web UI routes of the runs app (mounted under /ui/).

``runs/compare`` and ``runs/export`` are not run ids: ``<uuid:…>`` never
matches them, and a malformed run id is a 404 without reaching a view.
"""

from django.urls import path

from runs import views

app_name = "runs"

urlpatterns = [
    path("runs", views.RunListView.as_view(), name="list"),
    path("runs/export", views.RunExportView.as_view(), name="export"),
    path("runs/compare", views.RunCompareView.as_view(), name="compare"),
    path("runs/<uuid:run_id>", views.RunDetailView.as_view(), name="detail"),
    path("runs/<uuid:run_id>/pin", views.RunPinView.as_view(pinned=True), name="pin"),
    path("runs/<uuid:run_id>/unpin", views.RunPinView.as_view(pinned=False), name="unpin"),
    path("runs/<uuid:run_id>/delete", views.RunDeleteView.as_view(), name="delete"),
    path("runs/<uuid:run_id>/archive", views.RunArchiveView.as_view(archived=True), name="archive"),
    path(
        "runs/<uuid:run_id>/unarchive",
        views.RunArchiveView.as_view(archived=False),
        name="unarchive",
    ),
    path("runs/<uuid:run_id>/tags", views.RunTagsView.as_view(), name="tags"),
    path("runs/<uuid:run_id>/notes", views.RunNoteView.as_view(), name="notes"),
]
