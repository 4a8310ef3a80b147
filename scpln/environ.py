"""Reading scpln's settings from the environment.

Every setting has an embedded default so a fresh checkout runs with no
configuration at all. A value that is present but wrong must stop the process
at start-up with a message naming the variable: a typo in ``RUNS_DB_MAX_ROWS``
silently read as "keep everything" would let the run table grow without bound.
The functions are pure (they take the environment mapping) so they are tested
without touching ``os.environ``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(env: Mapping[str, str], name: str, default: str) -> str:
    """Return the variable's value with surrounding blanks removed, or ``default``."""
    value = env.get(name)
    return default if value is None else value.strip()


def env_bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    """Parse a flag; anything but the usual spellings of true/false is refused."""
    value = env.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(
    env: Mapping[str, str],
    name: str,
    default: int,
    *,
    minimum: int | None = None,
) -> int:
    """Parse an integer, refusing non-numbers and values below ``minimum``."""
    value = env.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: must be {minimum} or more")
    return number


def env_choice(env: Mapping[str, str], name: str, default: str, choices: Iterable[str]) -> str:
    """Parse one of a fixed set of words (case-insensitive)."""
    allowed = sorted(choices)
    value = env.get(name)
    if value is None or not value.strip():
        return default
    lowered = value.strip().lower()
    if lowered not in allowed:
        raise ImproperlyConfigured(f"{name}={value!r}: expected one of {', '.join(allowed)}")
    return lowered


def env_list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    """Parse a comma-separated list, ignoring empty entries."""
    value = env.get(name)
    if value is None:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def sqlite_database(path: Path, *, busy_timeout_s: int) -> dict:
    """The Django DATABASES entry for the embedded SQLite registry.

    WAL lets readers proceed while one writer commits; IMMEDIATE transactions
    take the write lock at BEGIN, so two writers queue on the busy timeout
    instead of deadlocking on a read-to-write lock upgrade (which SQLite
    answers with an immediate "database is locked", ignoring the timeout).
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": busy_timeout_s,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                f"PRAGMA busy_timeout={busy_timeout_s * 1000};"
            ),
        },
        "TEST": {"NAME": str(path.with_name(f"test_{path.name}"))},
    }


def url_database(env: Mapping[str, str], name: str = "DATABASE_URL") -> dict:
    """The DATABASES entry for a server database given as a URL."""
    import dj_database_url

    url = env[name].strip()
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name}={url!r}: unsupported database scheme")
    return config


def broker_url(env: Mapping[str, str]) -> str | None:
    """The Celery broker URL when a server broker is configured, else None.

    ``CELERY_BROKER_URL`` wins over ``REDIS_URL`` so one Redis can serve as
    cache while the broker lives elsewhere.
    """
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):
        value = env.get(name, "").strip()
        if value:
            if "://" not in value:
                raise ImproperlyConfigured(
                    f"{name}={value!r}: expected a URL such as redis://host:6379/0"
                )
            return value
    return None
