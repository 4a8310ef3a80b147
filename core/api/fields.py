"""Serializer fields shared by the API apps."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.badges import counts_for
from core.json_input import JSONInputError, json_problem, parse_json


class BoundedJSONField(serializers.JSONField):
    """DRF's JSONField with the bounds of core/json_input.py (depth, NUL).

    A multipart form sends the JSON as text, which DRF parses itself with a
    bare ``json.loads`` (a ``RecursionError`` on deep nesting); here it goes
    through :func:`parse_json`, and a value that came parsed is checked too.
    """

    def to_internal_value(self, data: Any) -> Any:
        if self.binary or getattr(data, "is_json_string", False):
            try:
                return parse_json(data)
            except JSONInputError as exc:
                raise serializers.ValidationError(str(exc)) from None
        value = super().to_internal_value(data)
        problem = json_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


@extend_schema_field(OpenApiTypes.STR)
class UsernameField(serializers.Field):
    """The user a ``core.models.user_reference`` names, by username (null: nobody or deleted).

    The API shows people by the name they log in with, never by their row id.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: AbstractBaseUser) -> str:
        return value.get_username()


@extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
class CountsField(serializers.Field):
    """The object's counts registered as ``counts`` by a higher app (``core.badges``), by
    kind: a lower app's API shows them without importing that app."""

    def __init__(self, counts: str, **kwargs: Any) -> None:
        self.counts = counts
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Model) -> dict[str, int]:
        return counts_for(value, self.counts)
