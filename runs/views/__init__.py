"""The run pages of the web UI: history, one run, comparison, pin/unpin/delete.

Views parse the query or form, call one selector or service of the
RunRegistry, and render. Run history filters with THE run FilterSet (the
``/runs`` API's), so the page and the API cannot disagree. A malformed query
is answered with the page and its errors at the fields, status 400.
"""

from runs.views.compare import RunCompareView
from runs.views.detail import RunDeleteView, RunDetailView, RunPinView
from runs.views.history import RunExportView, RunListView

__all__ = [
    "RunCompareView",
    "RunDeleteView",
    "RunDetailView",
    "RunExportView",
    "RunListView",
    "RunPinView",
]
