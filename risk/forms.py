"""The replication-set form (plan page panel and /ui/plans/{id}/replications)."""

from __future__ import annotations

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
