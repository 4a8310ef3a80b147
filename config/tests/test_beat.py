from __future__ import annotations

import pytest
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config import beat as schedule
from config.celery import app


def test_default_schedule_has_reaper_nightly_backup_and_retention():
    entries = schedule.beat_schedule({})
    assert set(entries) == {schedule.REAPER, schedule.NIGHTLY_BACKUP, schedule.RETENTION}
    assert entries[schedule.REAPER]["schedule"] == 30.0
    backup = entries[schedule.NIGHTLY_BACKUP]["schedule"]
    assert isinstance(backup, crontab)
    assert backup.hour == {2} and backup.minute == {30}


def test_every_entry_expires_before_its_next_run():
    entries = schedule.beat_schedule(
        {"SCPLN_REAPER_INTERVAL": "5", "SCPLN_RETENTION_CRON": "*/10 * * * *"}
    )
    assert entries[schedule.REAPER]["options"]["expires"] < 5
    assert entries[schedule.RETENTION]["options"]["expires"] < 600
    assert entries[schedule.NIGHTLY_BACKUP]["options"]["expires"] < 24 * 3600


def test_backup_time_is_configurable_and_can_be_turned_off():
    entries = schedule.beat_schedule({"SCPLN_BACKUP_CRON": "15 4 * * 1-5"})
    cron = entries[schedule.NIGHTLY_BACKUP]["schedule"]
    assert cron.hour == {4} and cron.minute == {15} and cron.day_of_week == {1, 2, 3, 4, 5}
    assert schedule.NIGHTLY_BACKUP not in schedule.beat_schedule({"SCPLN_BACKUP_CRON": "off"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SCPLN_BACKUP_CRON", "2:30"),
        ("SCPLN_BACKUP_CRON", "61 2 * * *"),
        ("SCPLN_RETENTION_CRON", "every hour"),
        ("SCPLN_REAPER_INTERVAL", "0"),
    ],
)
def test_a_bad_schedule_value_is_refused_naming_the_variable(name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        schedule.beat_schedule({name: value})


def test_the_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks


def test_celery_delivers_at_least_once_and_prefetches_one():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.broker_connection_max_retries is None
