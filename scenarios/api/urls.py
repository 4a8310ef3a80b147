"""REST API routes of the scenarios app (mounted at the site root)."""

from django.urls import path

from core.routes import object_routes
from scenarios.api import views

app_name = "scenarios-api"

urlpatterns = [
    path("scenarios", views.ScenarioListView.as_view(), name="scenario-list"),
    *object_routes(
        "scenarios/<id:pk>",
        views.ScenarioDetailView,
        name_prefix="scenario-",
        lock=views.ScenarioLockView,
        unlock=views.ScenarioUnlockView,
    ),
    path("configs", views.ConfigListView.as_view(), name="config-list"),
    *object_routes(
        "configs/<id:pk>",
        views.ConfigDetailView,
        name_prefix="config-",
        document=views.ConfigDocumentView,
        diff=views.ConfigDiffView,
    ),
]
