"""Ids in URLs and queries: one guard against numbers no row can have.

SQLite and PostgreSQL both hold 64-bit signed integers; a bigger number in a
path or a query must be a 404 or a 400, never an overflow deep in the driver.
The ``id`` path converter (``<id:pk>``) matches only ids a row can have, so a
view never sees another.
"""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    """A positive 64-bit integer primary key; anything else does not match (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"{value} is not a possible id")
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


register_converter(IdConverter, "id")
