"""Helpers for API tests: accounts with exactly the permissions a test needs."""

from __future__ import annotations

from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from core.tokens import api_token_issue


def api_user(username: str = "reader", *perms: str, password: str | None = None) -> User:
    """A user holding the given ``app_label.codename`` permissions (and nothing else).

    No password unless asked for: hashing one costs half a second per user.
    """
    user = User.objects.create_user(username, password=password)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)  # fresh: no stale permission cache


def token_client(user: User | None) -> APIClient:
    """A client that authenticates with the user's API token (None: anonymous)."""
    client = APIClient()
    if user is not None:
        _token, text = api_token_issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    return client
