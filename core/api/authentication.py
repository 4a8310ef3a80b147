"""Token authentication: knox's, with one query per request.

knox looks the token up (one query, with its user) and then, on every
request, loads all the user's other tokens to delete expired ones (a second
query). scpln deletes a user's expired tokens when it issues them a new one
(core/tokens.py), and an expired token never authenticates, so only the
token in hand is checked here and every API request keeps its query budget.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.models import AuthToken


class TokenAuthentication(auth.TokenAuthentication):
    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        """True (and the token deleted) when it has expired."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme (``Authorization: Token …``) for the class above."""

    target_class = "core.api.authentication.TokenAuthentication"
    name = "tokenAuth"
