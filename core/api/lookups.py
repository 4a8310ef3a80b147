"""Looking objects up from path parameters without surprising the database."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist

MAX_ID = 2**63 - 1


class NotFound(ObjectDoesNotExist):
    """An id no row can have (the API answers 404)."""


def object_id(value: int | str) -> int:
    """A path id as an int; one beyond 64 bits is simply not found (never an overflow)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(f"no object {value!r}") from None
    if not 1 <= number <= MAX_ID:
        raise NotFound(f"no object {value!r}")
    return number
