"""Web UI routes of the scenarios app (mounted under /ui/): scenarios and config versions.

Config pages' names start with ``config`` so the navigation marks the
"Configs" section (``core.context_processors.ui``).
"""

from django.urls import path, re_path

from core.routes import object_routes
from scenarios.views import configs, legacy, scenarios

app_name = "scenarios"

urlpatterns = [
    path("scenarios", scenarios.ScenarioListView.as_view(), name="list"),
    path("scenarios/new", scenarios.ScenarioCreateView.as_view(), name="create"),
    *object_routes(
        "scenarios/<id:pk>",
        scenarios.ScenarioDetailView,
        edit=scenarios.ScenarioEditView,
        delete=scenarios.ScenarioDeleteView,
        lock=scenarios.ScenarioLockView,
        unlock=scenarios.ScenarioUnlockView,
    ),
    # Any id (also one that is not a number or no longer exists), with or without a
    # trailing slash: an old bookmark must meet the banner, never a 404.
    re_path(r"^scenarios/(?P<sid>[^/]+)/run/?$", legacy.legacy_scenario_run, name="legacy-run"),
    path("configs", configs.ConfigListView.as_view(), name="configs"),
    path("configs/import", configs.ConfigImportView.as_view(), name="config-import"),
    path("configs/diff", configs.ConfigDiffView.as_view(), name="config-diff"),
    *object_routes(
        "configs/<id:pk>",
        configs.ConfigDetailView,
        name_prefix="config-",
        download=configs.config_download,
    ),
]
