"""API-wide endpoints: the token an integration authenticates with."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for the account's API token.

    The same token is returned on every call until an operator deletes it in
    the admin (or with ``manage.py drf_create_token -r USER``). Send it as
    ``Authorization: Token <token>``.
    """

    # Credentials are the body; a browser session must not turn this into a
    # CSRF-checked request.
    authentication_classes = ()

    @extend_schema(
        operation_id="api_token_create",
        tags=["auth"],
        auth=[],
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
