"""Web UI routes of the jobs app (mounted under /ui/)."""

app_name = "jobs"

urlpatterns: list = []
