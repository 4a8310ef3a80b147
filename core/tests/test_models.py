"""core.models: the reference helper scpln declares its foreign keys with."""

from __future__ import annotations

from django.db import models

from core.models import reference


def test_a_set_null_reference_may_be_left_empty_without_saying_so():
    kept = reference("auth.User", "author", on_delete=models.SET_NULL)
    owned = reference("auth.User", "owner")
    chosen = reference("auth.User", "reviewer", on_delete=models.PROTECT, optional=True)

    assert (kept.null, kept.blank) == (True, True)
    assert (owned.null, owned.blank) == (False, False)
    assert (chosen.null, chosen.blank) == (True, True)
