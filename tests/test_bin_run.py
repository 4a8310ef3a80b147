"""bin/run starts the whole product (web, worker, beat) and stops it cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.workers import wait_for

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _group_commands(pgid: int) -> list[str]:
    """Live processes of the group (an exited bin/run we have not reaped yet is not)."""
    proc = subprocess.run(
        ["ps", "-ww", "-o", "args=", "-g", str(pgid)], capture_output=True, text=True, check=False
    )
    return [line for line in proc.stdout.splitlines() if "<defunct>" not in line]


def _installed() -> bool:
    """bin/run installs packages unless .venv is stamped (bin/test stamps it)."""
    return any(ROOT.glob(".venv/.installed-*"))


@pytest.mark.skipif(not _installed(), reason="no .venv install stamp: run bin/test once first")
def test_bin_run_serves_health_and_runs_worker_and_beat(tmp_path):
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SCPLN_DB", "CELERY_BROKER_URL", "REDIS_URL")
    }
    env.update(
        {
            "SCPLN_DATA_DIR": str(tmp_path / "data"),
            "SCPLN_PORT": str(port),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "SCPLN_REAPER_INTERVAL": "1",
            "SCPLN_WORKER_CONCURRENCY": "1",
        }
    )
    stale = tmp_path / "metrics" / "counter_gone-1.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by a previous run")
    log = tmp_path / "bin-run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["bin/run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: process.poll() is not None or _get(f"{base}/healthz") == 200, timeout=180)
        assert process.poll() is None, log.read_text()
        assert _get(f"{base}/healthz") == 200
        assert _get(f"{base}/metrics") == 200

        commands = "\n".join(_group_commands(process.pid))
        assert "config worker" in commands and "config beat" in commands, commands
        assert "gunicorn config.wsgi" in commands, commands
        # Beat sends the reaper and the worker runs it: the two are wired up.
        wait_for(lambda: "Task jobs.reap_stale_jobs" in log.read_text(), timeout=60)
        assert (tmp_path / "data" / "celerybeat-schedule").exists() or any(
            (tmp_path / "data").glob("celerybeat-schedule*")
        )
        assert not stale.exists(), "bin/run did not clear the metrics folder"
        assert (tmp_path / "data" / "scpln.db").is_file()
    finally:
        # What Ctrl-C in a terminal does: SIGINT to the whole process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        deadline = time.monotonic() + 60
        while _group_commands(process.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        leftovers = _group_commands(process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    assert leftovers == [], "processes outlived bin/run"
    assert process.returncode is not None
    assert "Warm shutdown" in log.read_text()
