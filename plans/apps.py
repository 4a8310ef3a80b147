from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        # The plans' metric series exist (at zero) before the first plan; the
        # scenario and config pages show the plans made from them.
        from plans import metrics  # noqa: F401
        from plans.panels import register_panels

        register_panels()
