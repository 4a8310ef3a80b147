from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("Risk")

    def ready(self) -> None:
        from risk.panels import register_panels
        from risk.selectors import replication_set_compare_body
        from runs.selectors.compare import register_set_comparison

        register_panels()
        register_set_comparison(replication_set_compare_body)
