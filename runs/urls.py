"""Web UI routes of the runs app (mounted under /ui/)."""

app_name = "runs"

urlpatterns: list = []
