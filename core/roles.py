"""Roles: named groups of model permissions, the same in every installation.

Reading needs only an account (every signed-in user reads every plan, run,
scenario, config and job: scpln is one planning team's hub, see the security
section of docs/operations.md); what a role adds is the permission to change
things. A role is a Django group that :func:`role_grant` keeps in step with
its definition here, so an operator can also assign it in the admin.

``planner`` may do everything the Plan & Run flow needs: import configs,
edit and lock scenarios, create, re-execute, submit and archive plan
versions, run, retry and cancel jobs, pin runs and write notes. Deleting runs
and the admin stay with operators (staff). ``approver`` is the "Approvers"
group that plans/migrations/0004 makes: approve, reject and release plan
versions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import Q


@dataclass(frozen=True)
class Role:
    group: str
    permissions: tuple[str, ...]  # "app_label.codename"


PLANNER = Role(
    group="Planners",
    permissions=(
        "plans.add_plan",
        "plans.add_planversion",
        "plans.change_planversion",
        "scenarios.add_scenario",
        "scenarios.change_scenario",
        "scenarios.delete_scenario",
        "scenarios.add_configversion",
        "scenarios.change_configversion",
        "jobs.add_job",
        "jobs.change_job",
        "runs.change_run",
        "risk.add_replicationset",
    ),
)

# The group plans/migrations/0004 makes, with the same permissions: approve,
# reject and release plan versions, and read what they decide on.
APPROVER = Role(
    group="Approvers",
    permissions=(
        "plans.approve_planversion",
        "plans.view_planversion",
        "runs.view_run",
    ),
)

ROLES: dict[str, Role] = {"planner": PLANNER, "approver": APPROVER}


@transaction.atomic
def role_grant(*, user: User, role: str) -> Group:
    """Put ``user`` in the role's group, whose permissions are set to the role's exactly."""
    definition = ROLES[role]
    group, _created = Group.objects.get_or_create(name=definition.group)
    wanted = Q()
    for perm in definition.permissions:
        app_label, codename = perm.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) != len(definition.permissions):
        found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
        missing = sorted(set(definition.permissions) - found)
        raise LookupError(f"role {role!r}: no such permissions {missing} (migrated?)")
    group.permissions.set(permissions)
    user.groups.add(group)
    return group
