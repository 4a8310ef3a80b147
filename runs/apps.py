from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunsConfig(AppConfig):
    name = "runs"
    verbose_name = _("Runs")

    def ready(self) -> None:
        # Connects the run-retention receiver to the run_recorded signal.
        from runs.services import retention  # noqa: F401
