from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        # The plans' metric series exist (at zero) before the first plan; the
        # scenario and config pages show the plans made from them.
        from core.audit import register_labels
        from plans import metrics  # noqa: F401
        from plans.models import PlanVersion
        from plans.panels import register_panels
        from plans.services.lifecycle import TRANSITIONS

        register_panels()
        # History names each transition by the state it led to ("Approved").
        states = dict(PlanVersion.State.choices)
        register_labels(
            actions={
                **{t.action: states[t.target] for t in TRANSITIONS.values()},
                "supersede": states[PlanVersion.State.SUPERSEDED],
                "baseline": _("Became the baseline"),
                # The planning workbench (plans/workbench/).
                "psi_draft": _("Draft made by editing"),
                "psi_edit": _("Grid edited"),
                "psi_recalculate": _("Recalculated"),
            },
            states=states,
        )
