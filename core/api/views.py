"""API-wide endpoints: the token an integration authenticates with."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.api.authentication import TokenAuthentication
from core.api.inputs import validated
from core.tokens import api_token_issue, api_token_revoke, credentials_check


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


TokenResponse = inline_serializer(
    "Token",
    {
        "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`."),
        "expiry": serializers.DateTimeField(help_text="When the token stops working."),
    },
)


class TokenObtainView(APIView):
    """Exchange a username and password for a new API token; revoke the token in use.

    Each ``POST`` issues a new token (stored only as a digest, so the same
    token cannot be handed out twice); it expires after
    ``SCPLN_API_TOKEN_TTL_DAYS``. Requests per address are throttled
    (``SCPLN_TOKEN_RATE``) and repeated wrong passwords lock the username out
    for this address (``SCPLN_LOGIN_FAILURE_LIMIT``): both answer 429.
    """

    # Credentials are the body; a browser session must not turn this into a
    # CSRF-checked request. DELETE authenticates with the token it revokes.
    authentication_classes = (TokenAuthentication,)
    throttle_scope = "token"

    def _posting(self) -> bool:
        # The schema generator asks before a request is attached.
        return getattr(getattr(self, "request", None), "method", None) == "POST"

    def get_permissions(self):
        return [AllowAny()] if self._posting() else [IsAuthenticated()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self._posting() else []

    def get_authenticators(self):
        return [] if self._posting() else super().get_authenticators()

    @extend_schema(
        operation_id="api_token_create",
        tags=["auth"],
        auth=[],
        request=TokenRequestSerializer,
        responses={
            200: TokenResponse,
            429: OpenApiResponse(description="Too many requests or failed logins; wait."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(TokenRequestSerializer, request.data)
        # A locked-out account: django-axes refuses it here and its middleware
        # answers 429 (core/lockout.py) in place of this view's answer.
        user = credentials_check(
            request=request._request,
            username=data["username"],
            password=data["password"],
        )
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to log in with the credentials given.")]}
            )
        token, text = api_token_issue(user=user)
        return Response({"token": text, "expiry": token.expiry})

    @extend_schema(operation_id="api_token_revoke", tags=["auth"], responses={204: None})
    def delete(self, request: Request) -> Response:
        """Revoke the token this request authenticated with (log an integration out)."""
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
