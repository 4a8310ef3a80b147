"""Request body parsing with one rule DRF leaves to the database: no NUL characters.

PostgreSQL cannot store U+0000 in text or JSON, so a NUL that reached the
database would be a server error there (and not on SQLite). Refusing it while
parsing makes it a 400 everywhere, for every endpoint and field at once.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

NUL = "\x00"


def contains_nul(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if contains_nul(data):
            raise ParseError("JSON parse error - text may not contain NUL (\\u0000) characters.")
        return data
