"""Web UI routes of the scenarios app (mounted under /ui/): scenarios and config versions.

Config pages' names start with ``config`` so the navigation marks the
"Configs" section (``core.context_processors.ui``).
"""

from django.urls import path, re_path

from scenarios.views import configs, legacy, scenarios

app_name = "scenarios"

urlpatterns = [
    path("scenarios", scenarios.ScenarioListView.as_view(), name="list"),
    path("scenarios/new", scenarios.ScenarioCreateView.as_view(), name="create"),
    path("scenarios/<id:pk>", scenarios.ScenarioDetailView.as_view(), name="detail"),
    path("scenarios/<id:pk>/edit", scenarios.ScenarioEditView.as_view(), name="edit"),
    path("scenarios/<id:pk>/delete", scenarios.ScenarioDeleteView.as_view(), name="delete"),
    path("scenarios/<id:pk>/lock", scenarios.ScenarioLockView.as_view(), name="lock"),
    path("scenarios/<id:pk>/unlock", scenarios.ScenarioUnlockView.as_view(), name="unlock"),
    # Any id (also one that is not a number or no longer exists), with or without a
    # trailing slash: an old bookmark must meet the banner, never a 404.
    re_path(r"^scenarios/(?P<sid>[^/]+)/run/?$", legacy.legacy_scenario_run, name="legacy-run"),
    path("configs", configs.ConfigListView.as_view(), name="configs"),
    path("configs/import", configs.ConfigImportView.as_view(), name="config-import"),
    path("configs/diff", configs.ConfigDiffView.as_view(), name="config-diff"),
    path("configs/<id:pk>", configs.ConfigDetailView.as_view(), name="config-detail"),
    path("configs/<id:pk>/download", configs.config_download, name="config-download"),
]
