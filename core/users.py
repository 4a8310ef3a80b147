"""The user a request acts as, in the one type the services record."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest
    from rest_framework.request import Request


def acting_user(request: HttpRequest | Request) -> User | None:
    """The signed-in user of ``request``, or None for an anonymous one.

    Services take this (``user: User | None``) and record it as ``created_by``
    or ``locked_by``; None means "by nobody in particular".
    """
    user = request.user
    if user.is_authenticated:
        return user
    return None
