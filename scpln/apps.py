from django.apps import AppConfig


class ScplnConfig(AppConfig):
    name = "scpln"
    verbose_name = "scpln"

    def ready(self) -> None:
        # Register scpln's metrics at start-up so /metrics lists them (at
        # zero) before the first run or job has been observed.
        from scpln import metrics  # noqa: F401
