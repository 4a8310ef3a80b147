"""Starting real Celery worker processes against the test database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from scpln.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path
    env: dict[str, str]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def worker_env(tmp_path: Path, broker: str) -> dict[str, str]:
    """Environment that points a child process at this test's database and broker."""
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")}
    db = connection.settings_dict
    env["DJANGO_SETTINGS_MODULE"] = "scpln.settings"
    env["SCPLN_DATA_DIR"] = str(tmp_path / "data")
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SCPLN_DB"] = str(db["NAME"])
    else:
        user = db.get("USER") or "postgres"
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{db['NAME']}"
    if broker == "redis":
        env["CELERY_BROKER_URL"] = TEST_REDIS_URL
    else:
        env["SCPLN_BROKER_DIR"] = str(tmp_path / "broker")
    return env


@contextlib.contextmanager
def use_broker(tmp_path: Path, broker: str) -> Iterator[None]:
    """Point this (the "web") process's Celery producer at the worker's broker."""
    conf = celery_app.conf
    saved = (conf.broker_url, dict(conf.broker_transport_options or {}))
    if broker == "redis":
        import redis

        redis.Redis.from_url(TEST_REDIS_URL).flushdb()
        conf.broker_url, conf.broker_transport_options = TEST_REDIS_URL, {}
    else:
        base = tmp_path / "broker"
        for sub in ("queue", "processed", "control"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        conf.broker_url = "filesystem://"
        conf.broker_transport_options = {
            "data_folder_in": str(base / "queue"),
            "data_folder_out": str(base / "queue"),
            "processed_folder": str(base / "processed"),
            "control_folder": str(base / "control"),
            "store_processed": False,
        }
    _reset_pool()
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options = saved
        _reset_pool()


def _reset_pool() -> None:
    # The producer pool caches connections made with the old broker settings.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def start_worker(
    tmp_path: Path, *, broker: str = "filesystem", concurrency: int = 1, name: str = "w1"
) -> Iterator[Worker]:
    """Run ``celery worker`` in a child process until the block ends."""
    env = worker_env(tmp_path, broker)
    log = tmp_path / f"worker-{name}.log"
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "scpln",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
        "--hostname",
        f"{name}@%h",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    with use_broker(tmp_path, broker), log.open("w") as out:
        process = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        worker = Worker(process=process, log=log, env=env)
        try:
            _wait_ready(worker)
            yield worker
        finally:
            _stop(process)


def _wait_ready(worker: Worker, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{worker.output()}")
        if " ready." in worker.output():
            return
        time.sleep(0.2)
    raise RuntimeError(f"celery worker not ready after {timeout}s:\n{worker.output()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(predicate, timeout: float = 60, interval: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
