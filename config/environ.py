"""Reading scpln's settings from the environment.

Every setting has an embedded default so a fresh checkout runs with no
configuration at all. A value that is present but wrong must stop the process
at start-up with a message naming the variable: a typo in ``RUNS_DB_MAX_ROWS``
silently read as "keep everything" would let the run table grow without bound.
The functions are pure (they take the environment mapping) so they are tested
without touching ``os.environ``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# int or float: a parsed setting keeps the type its reader asked for.
N = TypeVar("N", int, float)


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


@dataclass(frozen=True)
class _NumberReader(Generic[N]):
    """Reads one kind of number from the environment. ``env_int`` and ``env_float`` are its
    two instances, so whole and decimal settings are refused and bounded by one set of rules."""

    parse: Callable[[str], N]
    expected: str

    def __call__(
        self,
        env: Mapping[str, str],
        name: str,
        default: N,
        *,
        minimum: N | None = None,
        maximum: N | None = None,
    ) -> N:
        """Parse a finite number (``default`` when unset or blank), refusing non-numbers and
        values outside ``minimum``…``maximum``."""
        value = env.get(name)
        if value is None or not value.strip():
            return default
        try:
            number = self.parse(value.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r}: expected {self.expected}") from None
        if isinstance(number, float) and not math.isfinite(number):
            raise ImproperlyConfigured(f"{name}={value!r}: expected a finite number")
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={value!r}: must be {_bound(minimum)} or more")
        if maximum is not None and number > maximum:
            raise ImproperlyConfigured(f"{name}={value!r}: must be {_bound(maximum)} or less")
        return number


def _bound(bound: float) -> str:
    # Whole-number settings name their bound in full (1000000, not 1e+06).
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


env_int = _NumberReader(int, "a whole number")
env_float = _NumberReader(float, "a number")


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


_RATE_PERIODS = ("s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day")


def env_rate(env: Mapping[str, str], name: str, default: str) -> str:
    """Parse a request rate in DRF's form, ``N/period`` (``10/minute``, ``100/hour``)."""
    value = env_str(env, name, default) or default
    count, sep, period = value.partition("/")
    if not sep or not count.strip().isdigit() or int(count) < 1 or period not in _RATE_PERIODS:
        raise ImproperlyConfigured(
            f"{name}={value!r}: expected a rate such as 10/minute (per second, minute, hour or day)"
        )
    return value


def env_proxy_header(env: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """Parse ``Header-Name: value`` (``X-Forwarded-Proto: https``) into Django's
    ``SECURE_PROXY_SSL_HEADER`` pair (``("HTTP_X_FORWARDED_PROTO", "https")``); empty: None."""
    value = env_str(env, name, "")
    if not value:
        return None
    header, sep, expected = value.partition(":")
    header, expected = header.strip(), expected.strip()
    if not sep or not header or not expected or " " in header:
        raise ImproperlyConfigured(
            f"{name}={value!r}: expected 'Header-Name: value', e.g. 'X-Forwarded-Proto: https'"
        )
    return "HTTP_" + header.upper().replace("-", "_"), expected


def env_networks(env: Mapping[str, str], name: str) -> list[str]:
    """Parse a comma-separated list of IP addresses and networks (``10.0.0.0/8``)."""
    import ipaddress

    networks = []
    for part in env_list(env, name, []):
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {part!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/8)"
            ) from None
    return networks


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
    return dict(config)


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


def data_dir(env: Mapping[str, str], base_dir: Path) -> Path:
    """Where scpln keeps its files: ``SCPLN_DATA_DIR``, else ``data/`` in the checkout."""
    return Path(env_str(env, "SCPLN_DATA_DIR", str(base_dir / "data")))


def env_seconds_map(
    env: Mapping[str, str], name: str, defaults: Mapping[str, int], *, minimum: int = 1
) -> dict[str, int]:
    """Parse ``key=seconds,key=seconds`` over ``defaults``; only known keys are accepted.

    ``SCPLN_JOB_TIME_LIMITS="planning=7200"`` changes one job type's limit and
    keeps the others; a misspelt type is refused rather than silently ignored.
    """
    result = dict(defaults)
    value = env.get(name)
    if value is None or not value.strip():
        return result
    for part in value.split(","):
        if not part.strip():
            continue
        key, sep, number = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in defaults:
            raise ImproperlyConfigured(
                f"{name}={value!r}: expected key=seconds pairs with keys among "
                f"{', '.join(sorted(defaults))}"
            )
        try:
            seconds = int(number.strip())
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}={value!r}: {key} needs a whole number of seconds"
            ) from None
        if seconds < minimum:
            raise ImproperlyConfigured(f"{name}={value!r}: {key} must be {minimum} or more")
        result[key] = seconds
    return result


_CRON_OFF = {"off", "none", "disabled", "0"}


def env_crontab(env: Mapping[str, str], name: str, default: str) -> str | None:
    """Parse a five-field crontab (``minute hour day month weekday``); ``off`` disables.

    Returns the normalised expression, or None when the schedule is turned off.
    The fields are checked by Celery's own parser so a value accepted here is
    one beat will accept.
    """
    from celery.schedules import ParseException, crontab

    value = env.get(name)
    text = default if value is None or not value.strip() else value.strip()
    if text.lower() in _CRON_OFF:
        return None
    fields = text.split()
    if len(fields) != 5:
        raise ImproperlyConfigured(
            f"{name}={text!r}: expected five crontab fields "
            "(minute hour day-of-month month day-of-week), e.g. '30 2 * * *', or 'off'"
        )
    minute, hour, day_of_month, month, day_of_week = fields
    try:
        crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month,
            day_of_week=day_of_week,
        )
    except (ParseException, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}={text!r}: {exc}") from None
    return " ".join(fields)


def visibility_timeout(env: Mapping[str, str], name: str, *, longest_job_s: int) -> int:
    """The Redis visibility timeout: explicit, else twice the longest job's hard limit.

    Redis gives an unacknowledged message to another worker once this many
    seconds have passed, so a value shorter than the longest job would deliver
    a healthy long job a second time; such a value is refused.
    """
    default = 2 * longest_job_s
    seconds = env_int(env, name, default, minimum=1)
    if seconds <= longest_job_s:
        raise ImproperlyConfigured(
            f"{name}={seconds}: must be longer than the longest job time limit "
            f"({longest_job_s} s, SCPLN_JOB_TIME_LIMITS)"
        )
    return seconds
