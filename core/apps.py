from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared pieces of the web UI and the API: layout, tables, charts, API plumbing, metrics."""

    name = "core"
    verbose_name = "scpln"

    def ready(self) -> None:
        # Register scpln's metrics at start-up so /metrics lists them (at
        # zero) before the first run or job has been observed.
        from core import metrics  # noqa: F401
