from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExceptionsConfig(AppConfig):
    name = "exceptions"
    verbose_name = _("Exceptions")

    def ready(self) -> None:
        # Records exceptions when a plan is finalised and when a run is recorded (in
        # their transactions), creates exceptions_total{kind} at zero, and adds the
        # exceptions section to the plan version and run pages.
        from exceptions import metrics, receivers  # noqa: F401
        from exceptions.panels import register_panels

        register_panels()
