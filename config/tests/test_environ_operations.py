"""Parsing the operations settings: job time limits, schedules, the Redis visibility timeout."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.environ import data_dir, env_crontab, env_seconds_map, visibility_timeout
from config.tests.processes import manage_check

LIMITS = {"planning": 3600, "backup": 1800}


def test_seconds_map_overrides_some_keys_and_keeps_the_rest():
    env = {"SCPLN_JOB_TIME_LIMITS": "Planning=7200, "}
    assert env_seconds_map(env, "SCPLN_JOB_TIME_LIMITS", LIMITS) == {
        "planning": 7200,
        "backup": 1800,
    }
    assert env_seconds_map({}, "SCPLN_JOB_TIME_LIMITS", LIMITS) == LIMITS


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("planing=10", "keys among backup, planning"),
        ("planning", "keys among"),
        ("planning=soon", "planning needs a whole number"),
        ("planning=0", "planning must be 1 or more"),
    ],
)
def test_seconds_map_refuses_bad_values_naming_the_variable(value, message):
    with pytest.raises(ImproperlyConfigured, match="SCPLN_JOB_TIME_LIMITS") as exc:
        env_seconds_map({"SCPLN_JOB_TIME_LIMITS": value}, "SCPLN_JOB_TIME_LIMITS", LIMITS)
    assert message in str(exc.value)


def test_crontab_is_normalised_or_off():
    assert env_crontab({}, "SCPLN_BACKUP_CRON", "30 2 * * *") == "30 2 * * *"
    assert env_crontab({"SCPLN_BACKUP_CRON": " 0  3 * * 0 "}, "SCPLN_BACKUP_CRON", "x") == (
        "0 3 * * 0"
    )
    assert env_crontab({"SCPLN_BACKUP_CRON": "OFF"}, "SCPLN_BACKUP_CRON", "30 2 * * *") is None


@pytest.mark.parametrize("value", ["30 2 * *", "30 25 * * *", "@daily"])
def test_crontab_refuses_bad_values_naming_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="SCPLN_BACKUP_CRON"):
        env_crontab({"SCPLN_BACKUP_CRON": value}, "SCPLN_BACKUP_CRON", "30 2 * * *")


def test_visibility_timeout_defaults_to_twice_the_longest_job_and_must_outlast_it():
    name = "SCPLN_BROKER_VISIBILITY_TIMEOUT"
    assert visibility_timeout({}, name, longest_job_s=3600) == 7200
    assert visibility_timeout({name: "4000"}, name, longest_job_s=3600) == 4000
    with pytest.raises(ImproperlyConfigured, match=f"{name}=3600: must be longer"):
        visibility_timeout({name: "3600"}, name, longest_job_s=3600)


def test_data_dir_defaults_to_the_checkouts_data_folder(tmp_path):
    assert data_dir({}, tmp_path) == tmp_path / "data"
    assert data_dir({"SCPLN_DATA_DIR": "/srv/scpln"}, tmp_path) == Path("/srv/scpln")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SCPLN_JOB_TIME_LIMITS", "plan=60"),
        ("SCPLN_JOB_STALE_AFTER", "10"),  # not more than twice the 10 s heartbeat
        ("SCPLN_BACKUP_CRON", "nightly"),
        ("SCPLN_ARCHIVE_FORMAT", "xlsx"),
    ],
)
def test_process_refuses_to_start_with_a_bad_operations_setting(name, value, tmp_path):
    proc = manage_check(tmp_path, **{name: value})
    assert proc.returncode != 0
    assert name in proc.stderr
    assert "Traceback" not in proc.stderr


def test_broker_visibility_timeout_is_refused_when_shorter_than_a_job(tmp_path):
    proc = manage_check(
        tmp_path,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/12",
        SCPLN_BROKER_VISIBILITY_TIMEOUT="60",
    )
    assert proc.returncode != 0
    assert "SCPLN_BROKER_VISIBILITY_TIMEOUT=60: must be longer" in proc.stderr
