"""The run pages of the web UI: history, one run, comparison, and a run's actions
(pin, archive, tags, notes, delete).

Views parse the query or form, call one selector or service of the
RunRegistry, and render. Run history filters with THE run FilterSet (the
``/runs`` API's), so the page and the API cannot disagree. A malformed query
is answered with the page and its errors at the fields, status 400.
"""

from runs.views.compare import RunCompareView
from runs.views.detail import (
    RunArchiveView,
    RunDeleteView,
    RunDetailView,
    RunNoteView,
    RunPinView,
    RunTagsView,
)
from runs.views.history import RunExportView, RunListView

__all__ = [
    "RunArchiveView",
    "RunCompareView",
    "RunDeleteView",
    "RunDetailView",
    "RunExportView",
    "RunListView",
    "RunNoteView",
    "RunPinView",
    "RunTagsView",
]
