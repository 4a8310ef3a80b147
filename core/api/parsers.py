"""Request body parsing with the bounds of core/json_input.py, for every endpoint at once.

DRF's own parser lets two things through that fail later as server errors:
nesting past Python's recursion limit (a ``RecursionError`` while parsing, or
in recursive code after it) and NUL characters (which PostgreSQL cannot
store, though SQLite can). Both are a 400 ``{"detail": ...}`` here.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from core.json_input import MAX_DEPTH, json_problem


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from None
        problem = json_problem(data)
        if problem:
            raise ParseError(f"JSON parse error - {problem}")
        return data
