"""The celery beat schedule: every periodic task scpln runs, defined here once.

Each entry carries an ``expires`` shorter than its period, so a beat tick that
waited in the queue behind long jobs is dropped instead of piling up behind
the next one. Every timing is overridable from the environment:

- ``SCPLN_REAPER_INTERVAL`` (seconds, default 30): the stale-job reaper.
- ``SCPLN_BACKUP_CRON`` (crontab, default ``30 2 * * *``, ``off`` disables):
  the nightly backup, in ``SCPLN_TIME_ZONE``.
- ``SCPLN_RETENTION_CRON`` (crontab, default ``15 * * * *``, ``off``
  disables): archive runs (when ``SCPLN_ARCHIVE_DIR`` is set), then prune to
  ``RUNS_DB_MAX_ROWS``.

This module is imported by the settings, so it reads only the environment
mapping it is given (no Django models, no ``django.conf.settings``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery.schedules import crontab

from config.environ import env_crontab, env_int

# Beat entry names: also how operators recognise them in beat's log.
REAPER = "jobs-reap-stale"
NIGHTLY_BACKUP = "jobs-nightly-backup"
RETENTION = "jobs-retention"

DEFAULT_REAPER_INTERVAL = 30
DEFAULT_BACKUP_CRON = "30 2 * * *"
DEFAULT_RETENTION_CRON = "15 * * * *"


def _crontab(expression: str) -> crontab:
    minute, hour, day_of_month, month, day_of_week = expression.split()
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month,
        day_of_week=day_of_week,
    )


def _cron_expires(expression: str) -> int:
    """Seconds after which a missed tick is dropped, inside the crontab's shortest gap.

    A fixed minute fires at most hourly (expire after 50 min); a wildcard,
    list, range or step in the minute field can fire every minute (50 s).
    """
    minute = expression.split()[0]
    return 3000 if minute.isdigit() else 50


def beat_schedule(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The beat schedule for this environment (Celery's ``beat_schedule`` format)."""
    reaper_s = env_int(env, "SCPLN_REAPER_INTERVAL", DEFAULT_REAPER_INTERVAL, minimum=1)
    schedule: dict[str, dict[str, Any]] = {
        REAPER: {
            "task": "jobs.reap_stale_jobs",
            "schedule": float(reaper_s),
            "options": {"expires": max(0.5, reaper_s * 0.8)},
        },
    }
    # Periodic jobs: beat entry, its job type, the crontab variable and its default.
    for entry, job_type, variable, default in (
        (NIGHTLY_BACKUP, "backup", "SCPLN_BACKUP_CRON", DEFAULT_BACKUP_CRON),
        (RETENTION, "retention", "SCPLN_RETENTION_CRON", DEFAULT_RETENTION_CRON),
    ):
        expression = env_crontab(env, variable, default)
        if expression is not None:
            schedule[entry] = {
                "task": "jobs.schedule_job",
                "args": (job_type,),
                "schedule": _crontab(expression),
                "options": {"expires": _cron_expires(expression)},
            }
    return schedule
