"""bin/run starts the whole product (web, worker, beat), keeps it up, and stops it cleanly."""

from __future__ import annotations

import os
import signal
import stat

import pytest

from tests.product import ROOT, bin_run, http_status
from tests.workers import wait_for

pytestmark = pytest.mark.worker


def _installed() -> bool:
    """bin/run installs packages unless .venv is stamped (bin/test stamps it)."""
    return any(ROOT.glob(".venv/.installed-*"))


@pytest.mark.skipif(not _installed(), reason="no .venv install stamp: run bin/test once first")
def test_bin_run_serves_health_runs_worker_and_beat_and_restarts_a_killed_worker(tmp_path):
    stale = tmp_path / "metrics" / "counter_gone-1.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by a previous run")
    with bin_run(tmp_path, {"SCPLN_REAPER_INTERVAL": "1"}) as product:
        base = product.base_url
        assert http_status(f"{base}/healthz") == 200
        assert http_status(f"{base}/metrics") == 200

        commands = "\n".join(args for _pid, args in product.commands())
        assert "config worker" in commands and "config beat" in commands, commands
        assert "gunicorn config.wsgi" in commands, commands
        # Beat sends the reaper and the worker runs it: the two are wired up.
        wait_for(lambda: "Task jobs.reap_stale_jobs" in product.output(), timeout=60)
        assert any(product.data_dir.glob("celerybeat-schedule*"))
        assert not stale.exists(), "bin/run did not clear the metrics folder"

        # kill -9 of the worker's main process: web keeps answering, and the
        # supervisor logs the crash and starts a new worker that runs tasks.
        worker = product.pid_of("config worker")
        assert worker is not None
        os.kill(worker, signal.SIGKILL)
        wait_for(lambda: "exited: worker (terminated by SIGKILL" in product.output(), timeout=30)
        assert http_status(f"{base}/healthz") == 200
        restarted = wait_for(
            lambda: (pid := product.pid_of("config worker")) not in (None, worker) and pid,
            timeout=30,
        )
        assert restarted != worker
        ticks = product.output().count("Task jobs.reap_stale_jobs")
        wait_for(lambda: product.output().count("Task jobs.reap_stale_jobs") > ticks + 1, 90)
        assert http_status(f"{base}/healthz") == 200

        # The first start prints the demo planner's generated password, once.
        password = (product.data_dir / "demo.password").read_text().strip()
        assert f'Log in as "demo" with password "{password}"' in product.output()

        # Secrets on disk are the account's own: folders 0700, files 0600.
        for path in (
            product.data_dir,
            product.data_dir / "scpln.db",
            product.data_dir / "demo.password",
            product.data_dir / ".secret_key",
        ):
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path

    assert product.leftovers == [], "processes outlived bin/run"
    assert product.process.returncode is not None
    assert "Warm shutdown" in product.output()
