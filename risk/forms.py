"""The replication-set form (plan page panel and /ui/plans/{id}/replications)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ReplicationSetForm(forms.Form):
    """``n`` and an optional ``seed``; their ranges are the service's to check."""

    n = forms.IntegerField(label=_("Replications"), initial=200)
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        help_text=_("Leave empty for a random seed; the same seed repeats the same numbers."),
    )


class OptimisationForm(forms.Form):
    """What ``level_optimisation_create`` takes; the scenario's plan versions to choose from."""

    plan_version_id = forms.ChoiceField(
        label=_("Plan version"),
        required=False,
        help_text=_("Its run is what the levels are refined on. Empty: the newest."),
    )
    n = forms.IntegerField(label=_("Replications a round"), initial=30)
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        help_text=_("Leave empty for a random seed; the same seed repeats the same numbers."),
    )
    service_level = forms.FloatField(
        label=_("Target service level"),
        required=False,
        help_text=_("For example 0.98 for every store. Empty: each store's own service level."),
    )

    def __init__(self, *args: Any, versions: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["plan_version_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("The newest")), *(versions or [])]
