"""Web UI routes of the scenarios app (mounted under /ui/)."""

app_name = "scenarios"

urlpatterns: list = []
