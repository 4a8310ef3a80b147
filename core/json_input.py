"""JSON from outside (request bodies, uploaded files): parsed with bounds.

Python's parser refuses nesting past its recursion limit with a
``RecursionError``, not a ``ValueError``, so an unguarded ``json.loads`` of
5,000 ``[`` is a server error; and a document nested a few hundred levels
deep parses but then breaks the recursive code after it (copying, hashing,
``json.dumps`` on save). No scpln document needs more than a handful of
levels, so anything deeper than :data:`MAX_DEPTH` is refused at the door,
like text with NUL characters (PostgreSQL cannot store U+0000).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

# A canonical config nests about six levels (nodes → policies → attributes → …).
MAX_DEPTH = 64
NUL = "\x00"


class JSONInputError(ValueError):
    """The input is not JSON scpln accepts; the message says why, for the person who sent it."""


def json_problem(value: Any) -> str | None:
    """Why ``value`` (parsed JSON) is refused: nesting deeper than MAX_DEPTH or a NUL; else None.

    Iterative, so it is safe on any depth the parser let through.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return _("Text may not contain NUL (\\u0000) characters.")
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return _("JSON nested deeper than %(max)d levels.") % {"max": MAX_DEPTH}
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` that raises :class:`JSONInputError` for everything it refuses."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSONInputError(
            _("JSON nested deeper than %(max)d levels.") % {"max": MAX_DEPTH}
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JSONInputError(_("Not valid JSON: %(error)s") % {"error": exc}) from None
    problem = json_problem(value)
    if problem:
        raise JSONInputError(problem)
    return value
