"""Writes to scenarios and config versions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scenarios.models import Scenario


@transaction.atomic
def scenario_lock(
    *, scenario: Scenario, user: AbstractBaseUser | None, reason: str = ""
) -> Scenario:
    """Freeze a scenario so no edit, deletion, plan or run touches it.

    Locking a locked scenario is refused rather than silently re-stamped, so
    the record of who locked it first is kept.
    """
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if scenario.locked:
        raise ValidationError(
            {"locked": _("Scenario “%(name)s” is already locked.") % {"name": scenario.name}}
        )
    scenario.locked = True
    scenario.locked_by = user if user is not None and user.is_authenticated else None
    scenario.locked_at = timezone.now()
    scenario.lock_reason = reason.strip()
    scenario.save(update_fields=["locked", "locked_by", "locked_at", "lock_reason", "updated_at"])
    return scenario


@transaction.atomic
def scenario_unlock(*, scenario: Scenario, user: AbstractBaseUser | None) -> Scenario:
    """Make a locked scenario editable and usable for plans again."""
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if not scenario.locked:
        raise ValidationError(
            {"locked": _("Scenario “%(name)s” is not locked.") % {"name": scenario.name}}
        )
    scenario.locked = False
    scenario.locked_by = None
    scenario.locked_at = None
    scenario.lock_reason = ""
    scenario.save(update_fields=["locked", "locked_by", "locked_at", "lock_reason", "updated_at"])
    return scenario
