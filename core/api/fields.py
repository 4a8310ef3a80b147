"""Serializer fields shared by the API apps."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
