"""Who may do what through the API.

Reading needs an authenticated account. Every write names the model
permission it needs, per HTTP method, on the view (``write_permissions``);
a write method the view does not list is refused, so forgetting to declare a
permission fails closed. The permissions are Django's own (``add_``,
``change_``, ``delete_<model>``), granted in the admin to users or groups:

======================================  ================================
write                                   permission
======================================  ================================
``DELETE /runs/{id}``                   ``runs.delete_run``
``POST /runs/{id}/pin``, ``/unpin``     ``runs.change_run``
``POST /scenarios``                     ``scenarios.add_scenario``
``PUT/PATCH /scenarios/{id}``, lock,    ``scenarios.change_scenario``
unlock
``DELETE /scenarios/{id}``              ``scenarios.delete_scenario``
``POST /configs``                       ``scenarios.add_configversion``
``PATCH /configs/{id}``                 ``scenarios.change_configversion``
``POST /jobs/{id}/retry``               ``jobs.add_job``
``POST /jobs/{id}/cancel``              ``jobs.change_job``
``POST /runs/{id}/archive``, unarchive, ``runs.change_run``
tags, notes
``POST /plans/{id}/submit``, archive    ``plans.change_planversion``
``POST /plans/{id}/approve``, reject,   ``plans.approve_planversion``
release                                 (the "Approvers" group)
``POST /plans/{id}/notes``              either of the two above
======================================  ================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class AnyOf(tuple[str, ...]):
    """Permissions of which one is enough (a plain tuple needs all of them)."""


class ReadAuthenticatedWriteModelPermission(BasePermission):
    """Authenticated users read; a write needs the view's permission for its method."""

    message = "You do not have permission to perform this action."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        required = getattr(view, "write_permissions", {}).get(request.method)
        if required is None:
            return False
        if isinstance(required, str):
            required = (required,)
        if isinstance(required, AnyOf):
            return any(user.has_perm(permission) for permission in required)
        return user.has_perms(required)
