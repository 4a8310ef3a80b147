from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunsConfig(AppConfig):
    name = "runs"
    verbose_name = _("Runs")

    def ready(self) -> None:
        # Connects the run-retention receiver to the run_recorded signal, and
        # creates the runs' metric series (at zero) before the first run.
        from runs import metrics  # noqa: F401
        from runs.panels import register_panels
        from runs.services import retention  # noqa: F401

        register_panels()
