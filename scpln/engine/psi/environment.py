"""Sizes the engine reads from the environment, at every run (not at import), so a worker
or a test can change them between runs."""

from __future__ import annotations

import os


def whole_number(name: str, unit: str) -> int | None:
    """The environment variable ``name`` as a whole number of ``unit`` (0 or more;
    ``200_000`` reads as 200000), or None when it is unset or blank."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f"{name} must be a whole number of {unit}, not {raw!r}")
    return value
