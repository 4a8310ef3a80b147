"""Production settings: ``check --deploy`` is clean with the variables the docs give."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from config.tests.processes import ROOT, manage_check

MARKER = "<!-- production-env -->"
# Settings the test run's own environment may have set; the checks must see the docs' alone.
SCRUBBED = ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "SCPLN_METRICS_TOKEN", "SCPLN_METRICS_ALLOW")


def documented_production_env() -> dict[str, str]:
    """The ``NAME=value`` lines of the block after the marker in docs/operations.md."""
    text = (ROOT / "docs" / "operations.md").read_text()
    block = text.split(MARKER, 1)[1].split("```", 2)[1]
    env = {}
    for line in block.splitlines():
        line = line.strip()
        if "=" in line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip().strip("'\"")
    return env


def _deploy_check(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {name: "" for name in SCRUBBED if name in os.environ}
    return manage_check(tmp_path, "--deploy", "--fail-level", "WARNING", **{**base, **env})


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path):
    env = documented_production_env()
    assert {"DJANGO_SESSION_COOKIE_SECURE", "DJANGO_SECURE_PROXY_SSL_HEADER"} <= set(env)
    # The docs show a placeholder; a real deployment generates its own key.
    env["DJANGO_SECRET_KEY"] = "k" * 20 + "-very-long-random-and-not-this-one-" + "x" * 30
    proc = _deploy_check(tmp_path, env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "no issues" in proc.stdout


def test_check_deploy_flags_the_embedded_defaults(tmp_path):
    proc = _deploy_check(tmp_path, {})
    assert proc.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in proc.stderr, check
    assert "scpln.W001" in proc.stderr


def test_production_variables_reach_the_settings(tmp_path):
    env = {
        **os.environ,
        **documented_production_env(),
        "SCPLN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DATABASE_URL", None)
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    header, session, csrf, hsts, redirect = json.loads(proc.stdout)
    assert header == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert session and csrf and redirect and hsts >= 31536000


def test_default_recovery_bounds_are_within_two_minutes(tmp_path):
    """A lost worker or a lost message is noticed and the job sent again within 120 s."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCPLN_")}
    env.update({"SCPLN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"})
    env.pop("DATABASE_URL", None)
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.SCPLN_JOB_STALE_AFTER, s.SCPLN_JOB_REQUEUE_AFTER, "
        "s.CELERY_BEAT_SCHEDULE['jobs-reap-stale']['schedule'], "
        "s.CELERY_WORKER_MAX_TASKS_PER_CHILD, s.CELERY_WORKER_MAX_MEMORY_PER_CHILD]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    stale, requeue, reaper, tasks, memory_kib = json.loads(proc.stdout)
    assert stale + reaper <= 120
    assert requeue + reaper <= 120
    # Workers recycle their pool processes by default.
    assert tasks and memory_kib


def test_the_japanese_guide_gives_the_same_production_variables():
    text = (ROOT / "docs" / "operations.ja.md").read_text()
    for name in documented_production_env():
        assert f"\n{name}=" in text, name
