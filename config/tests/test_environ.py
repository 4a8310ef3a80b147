from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.environ import broker_url, env_bool, env_choice, env_int, sqlite_database, url_database
from config.tests.processes import manage_check


def test_env_int_uses_default_when_unset_or_blank():
    assert env_int({}, "RUNS_DB_MAX_ROWS", 0, minimum=0) == 0
    assert env_int({"RUNS_DB_MAX_ROWS": " "}, "RUNS_DB_MAX_ROWS", 0, minimum=0) == 0
    assert env_int({"RUNS_DB_MAX_ROWS": "250"}, "RUNS_DB_MAX_ROWS", 0, minimum=0) == 250


@pytest.mark.parametrize("value", ["-1", "ten", "1.5"])
def test_env_int_refuses_bad_values_naming_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="RUNS_DB_MAX_ROWS"):
        env_int({"RUNS_DB_MAX_ROWS": value}, "RUNS_DB_MAX_ROWS", 0, minimum=0)


def test_env_bool_accepts_common_spellings_and_refuses_others():
    assert env_bool({"X": "1"}, "X") is True
    assert env_bool({"X": "Off"}, "X") is False
    assert env_bool({}, "X", True) is True
    with pytest.raises(ImproperlyConfigured, match="SCPLN_SKIP_SIMULATION_API='maybe'"):
        env_bool({"SCPLN_SKIP_SIMULATION_API": "maybe"}, "SCPLN_SKIP_SIMULATION_API")


def test_env_choice_is_case_insensitive_and_lists_choices_on_error():
    assert (
        env_choice({"REGISTRY_BACKEND": "Memory"}, "REGISTRY_BACKEND", "db", {"db", "memory"})
        == "memory"
    )
    with pytest.raises(
        ImproperlyConfigured, match="REGISTRY_BACKEND='redis': expected one of db, memory"
    ):
        env_choice({"REGISTRY_BACKEND": "redis"}, "REGISTRY_BACKEND", "db", {"db", "memory"})


def test_sqlite_database_uses_wal_busy_timeout_and_immediate_transactions(tmp_path):
    config = sqlite_database(tmp_path / "scpln.db", busy_timeout_s=30)
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] == 30
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["TEST"]["NAME"].endswith("test_scpln.db")


def test_url_database_parses_postgres_and_refuses_unknown_schemes():
    config = url_database({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"})
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "test"
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        url_database({"DATABASE_URL": "nosuchdb://x/y"})


def test_broker_url_prefers_celery_broker_url_over_redis_url():
    assert broker_url({}) is None
    assert broker_url({"REDIS_URL": "redis://r:6379/0"}) == "redis://r:6379/0"
    env = {"REDIS_URL": "redis://r:6379/0", "CELERY_BROKER_URL": "redis://b:6379/1"}
    assert broker_url(env) == "redis://b:6379/1"
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        broker_url({"REDIS_URL": "localhost"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RUNS_DB_MAX_ROWS", "-5"),
        ("REGISTRY_BACKEND", "mongo"),
        ("SCPLN_SKIP_SIMULATION_API", "perhaps"),
    ],
)
def test_process_refuses_to_start_with_a_bad_setting(name, value, tmp_path):
    proc = manage_check(tmp_path, **{name: value})
    assert proc.returncode != 0
    assert f"{name}={value!r}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rate_takes_drf_rates_and_refuses_others_naming_the_variable():
    from config.environ import env_rate

    assert env_rate({}, "SCPLN_TOKEN_RATE", "10/minute") == "10/minute"
    assert env_rate({"SCPLN_TOKEN_RATE": "100/hour"}, "SCPLN_TOKEN_RATE", "10/minute") == "100/hour"
    for bad in ("ten/minute", "10", "0/minute", "10/fortnight"):
        with pytest.raises(ImproperlyConfigured, match="SCPLN_TOKEN_RATE"):
            env_rate({"SCPLN_TOKEN_RATE": bad}, "SCPLN_TOKEN_RATE", "10/minute")


def test_env_float_reads_a_number_and_refuses_anything_else():
    from config.environ import env_float

    assert env_float({}, "SCPLN_EXCEPTION_EXCESS_COVER_DAYS", 90.0) == 90.0
    assert env_float({"X": " 45.5 "}, "X", 90.0, minimum=1.0) == 45.5
    for bad, said in (("many", "expected a number"), ("nan", "finite"), ("0.5", "1 or more")):
        with pytest.raises(ImproperlyConfigured, match=said):
            env_float({"X": bad}, "X", 90.0, minimum=1.0)
    with pytest.raises(ImproperlyConfigured, match=r"X='2'.*1 or less"):
        env_float({"X": "2"}, "X", 0.3, minimum=0.0, maximum=1.0)
