"""API tokens: issued, listed and revoked here, whichever interface asks.

A token is stored only as its SHA-512 digest (django-rest-knox), so the
database and its backups hold nothing that would let anyone call the API.
The token text exists once: in the answer to whoever issued it. Every token
expires ``SCPLN_API_TOKEN_TTL_DAYS`` after it was issued, and a user holds at
most ``SCPLN_API_TOKENS_PER_USER``: issuing one more revokes the oldest, so
an integration that asks for a token on every run cannot pile them up.

``POST /api/token``, the account page, the admin and ``manage.py
issue_token`` all call these functions.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from knox.models import AuthToken


def api_tokens_of(*, user: User) -> QuerySet[AuthToken]:
    """The user's tokens that still work (not expired), newest first."""
    return (
        AuthToken.objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
        .order_by("-created", "digest")
    )


@transaction.atomic
def api_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """Issue a token for ``user``; returns the stored row and the token text.

    The text is not stored anywhere: show it to the user once. The user's
    expired tokens are deleted, and the oldest beyond the per-user limit revoked.
    """
    now = timezone.now()
    AuthToken.objects.filter(user=user, expiry__lte=now).delete()
    token, text = AuthToken.objects.create(
        user=user, expiry=timedelta(days=settings.SCPLN_API_TOKEN_TTL_DAYS)
    )
    keep = api_tokens_of(user=user).values_list("digest", flat=True)[
        : settings.SCPLN_API_TOKENS_PER_USER
    ]
    AuthToken.objects.filter(user=user).exclude(digest__in=list(keep)).delete()
    return token, text


def api_token_revoke(*, token: AuthToken) -> None:
    """Revoke one token: the next request that sends it gets a 401."""
    AuthToken.objects.filter(digest=token.digest).delete()


def api_tokens_revoke(*, tokens: QuerySet[AuthToken]) -> int:
    """Revoke every token of ``tokens`` (all of a user's, an admin selection); how many."""
    deleted, _by_model = AuthToken.objects.filter(digest__in=tokens.values("digest")).delete()
    return deleted


def credentials_check(*, request: HttpRequest, username: str, password: str) -> User | None:
    """The active user these credentials belong to, or None.

    Through Django's ``authenticate`` with the request, so django-axes counts
    failures per username and address and refuses a locked-out pair
    (``axes.exceptions.AxesBackendPermissionDenied``) before the password is
    even checked.
    """
    user = authenticate(request=request, username=username, password=password)
    return user if user is not None and user.is_active else None
