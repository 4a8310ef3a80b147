"""OpenAPI additions: the error responses every endpoint can give.

A postprocessing hook rather than per-view decorators, so that a new
endpoint is documented with the error shapes without anyone remembering to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

# A view method, as an ``extend_schema`` decorator returns it: helpers that describe
# a family of endpoints (``runs.api.views.run_endpoint``) keep its type.
ViewMethod = TypeVar("ViewMethod", bound=Callable[..., Any])

ERROR = {
    "type": "object",
    "description": "Any refusal that is not about a particular field.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "Bad input, keyed by the field (body field or query parameter) it concerns; "
        "`non_field_errors` holds problems of the request as a whole. Each value is a "
        "list of messages (an object of such lists for a nested field)."
    ),
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]
    },
    "example": {"plan_version_id": ["Select a valid choice."]},
}

_STANDARD = {
    "400": ("ValidationError", "Bad input; the body names each offending field."),
    "401": ("Error", "No or invalid credentials (session or `Authorization: Token …`)."),
    "403": ("Error", "Authenticated, but the account lacks the permission this write needs."),
    "404": ("Error", "No such object."),
}


def _ref(name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            wanted = []
            if operation.get("security") != [{}] and not _is_public(operation):
                wanted.append("401")
            if method != "get" and not _is_public(operation):
                wanted.append("403")
            params = operation.get("parameters", [])
            if method != "get" or any(p.get("in") == "query" for p in params):
                wanted.append("400")
            if "{" in path:
                wanted.append("404")
            for status in wanted:
                if status not in responses:
                    responses[status] = _ref(*_STANDARD[status])
    return result


def _is_public(operation: dict[str, Any]) -> bool:
    return {} in operation.get("security", [])
