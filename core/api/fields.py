"""Serializer fields shared by the API apps."""

from __future__ import annotations

from typing import Any

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
