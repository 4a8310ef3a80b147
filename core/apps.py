from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared pieces of the web UI and the API: layout, tables, charts, API plumbing, metrics."""

    name = "core"
    verbose_name = "scpln"

    def ready(self) -> None:
        # The ``<id:…>`` path converter, before any app's URLconf is read; the
        # deployment checks (manage.py check --deploy).
        from core import checks, converters  # noqa: F401
