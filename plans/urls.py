"""Web UI routes of the plans app (mounted under /ui/)."""

app_name = "plans"

urlpatterns: list = []
