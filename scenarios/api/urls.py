"""REST API routes of the scenarios app (mounted at the site root)."""

from django.urls import path

from scenarios.api import views

app_name = "scenarios-api"

urlpatterns = [
    path("scenarios", views.ScenarioListView.as_view(), name="scenario-list"),
    path("scenarios/<id:pk>", views.ScenarioDetailView.as_view(), name="scenario-detail"),
    path("scenarios/<id:pk>/lock", views.ScenarioLockView.as_view(), name="scenario-lock"),
    path("scenarios/<id:pk>/unlock", views.ScenarioUnlockView.as_view(), name="scenario-unlock"),
    path("configs", views.ConfigListView.as_view(), name="config-list"),
    path("configs/<id:pk>", views.ConfigDetailView.as_view(), name="config-detail"),
    path("configs/<id:pk>/document", views.ConfigDocumentView.as_view(), name="config-document"),
    path("configs/<id:pk>/diff", views.ConfigDiffView.as_view(), name="config-diff"),
]
