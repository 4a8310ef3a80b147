"""Links the API answers with, made in one place: absolute URIs of the request's host.

A serializer used outside a view has no request in its context; it then links by
path rather than failing, the same rule for every link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def absolute(request: HttpRequest | None, path: str) -> str:
    """``path`` as an absolute URI of ``request``'s host, or as it is without a request."""
    return request.build_absolute_uri(path) if request is not None else path


def link(
    request: HttpRequest | None, name: str, *args: Any, query: dict[str, Any] | None = None
) -> str:
    """The URL named ``name`` (with ``args`` and an optional query string), absolute."""
    path = reverse(name, args=args)
    return absolute(request, f"{path}?{urlencode(query)}" if query else path)


@extend_schema_field(OpenApiTypes.URI)
class LinkField(serializers.Field):
    """The object's own URL: the route ``name`` with the object's ``lookup`` attribute."""

    def __init__(self, name: str, *, lookup: str = "pk", **kwargs: Any) -> None:
        self.name = name
        self.lookup = lookup
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return link(self.context.get("request"), self.name, getattr(value, self.lookup))


def links_schema(*uris: str, paths: Sequence[str] = ()) -> dict[str, Any]:
    """The OpenAPI shape of a ``links`` object: absolute ``uris``, then site ``paths``."""
    properties: dict[str, Any] = {name: {"type": "string", "format": "uri"} for name in uris}
    properties.update({name: {"type": "string"} for name in paths})
    return {"type": "object", "properties": properties}
