"""Reading a request's input through its input serializer, the one way every API view does."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


def validated(
    serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any
) -> dict[str, Any]:
    """``data`` (a body or the query parameters) checked by ``serializer_class``: its
    validated values, or a 400 that names each offending field (the exception handler)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
