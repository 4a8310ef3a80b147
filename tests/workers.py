"""Starting real Celery worker processes against the test database.

A worker is a separate OS process in its own process group, as in
production: it shares nothing with the test but the database, the broker and
the metrics folder. Tests can start several, give them test-only job
handlers, embed beat (the reaper), kill them with SIGKILL, and pick the Redis
database they use (tests/test_faults.py uses 12–14; 15 is the default).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
# SCPLN_TEST_REDIS_PORT: a second checkout can run its suite at the same time
# against a Redis server of its own (the tests flush the databases they use).
REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("SCPLN_TEST_REDIS_PORT", "6379"))
DEFAULT_REDIS_DB = 15
TEST_REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{DEFAULT_REDIS_DB}"
# Settings for workers that must notice a lost worker within seconds, not minutes.
FAST_REAPER_ENV = {
    "SCPLN_JOB_HEARTBEAT_INTERVAL": "1",
    "SCPLN_JOB_STALE_AFTER": "4",
    "SCPLN_REAPER_INTERVAL": "1",
    "SCPLN_JOB_REQUEUE_AFTER": "15",
    "SCPLN_BACKUP_CRON": "off",
    "SCPLN_RETENTION_CRON": "off",
}


def redis_url(db: int) -> str:
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path
    env: dict[str, str]
    name: str = "w1"
    killed: bool = field(default=False)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool), as a lost host would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.killed = True


def kill_process(pid: int) -> None:
    """SIGKILL one process, e.g. the pool process running a job (``Job.worker``)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def worker_env(tmp_path: Path, broker: str, *, redis_db: int = DEFAULT_REDIS_DB) -> dict[str, str]:
    """Environment that points a child process at this test's database and broker."""
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")}
    db = connection.settings_dict
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    env["SCPLN_DATA_DIR"] = str(tmp_path / "data")
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SCPLN_DB"] = str(db["NAME"])
    else:
        user = db.get("USER") or "postgres"
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{db['NAME']}"
    if broker == "redis":
        env["CELERY_BROKER_URL"] = redis_url(redis_db)
    else:
        env["SCPLN_BROKER_DIR"] = str(tmp_path / "broker")
    return env


@contextlib.contextmanager
def use_broker(tmp_path: Path, broker: str, *, redis_db: int = DEFAULT_REDIS_DB) -> Iterator[None]:
    """Point this (the "web") process's Celery producer at the worker's broker."""
    conf = celery_app.conf
    saved = (conf.broker_url, dict(conf.broker_transport_options or {}))
    if broker == "redis":
        import redis

        url = redis_url(redis_db)
        redis.Redis.from_url(url).flushdb()
        conf.broker_url, conf.broker_transport_options = url, {}
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
    reset_producer_pool()
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options = saved
        reset_producer_pool()


def reset_producer_pool() -> None:
    """Drop cached broker connections (made with other settings, or to a restarted Redis)."""
    from kombu import pools

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # kombu keeps producer pools per broker URL process-wide: a later test on
    # the same URL would otherwise get the pool closed above.
    pools.reset()


@contextlib.contextmanager
def start_worker(
    tmp_path: Path,
    *,
    broker: str = "filesystem",
    concurrency: int = 1,
    name: str = "w1",
    redis_db: int = DEFAULT_REDIS_DB,
    beat: bool = False,
    env: Mapping[str, str] | None = None,
    handlers: Mapping[str, str] | None = None,
    producer: bool = True,
) -> Iterator[Worker]:
    """Run ``celery worker`` in a child process until the block ends.

    ``beat`` embeds celery beat (the reaper and the rest of jobs/schedule.py);
    ``env`` adds variables (e.g. :data:`FAST_REAPER_ENV`); ``handlers`` maps
    job types to test-only handlers installed in the worker by
    tests/worker_main.py. ``producer=False`` leaves this process's broker
    settings alone (for a second worker in the same test).
    """
    child_env = worker_env(tmp_path, broker, redis_db=redis_db)
    child_env.update(env or {})
    log = tmp_path / f"worker-{name}.log"
    (tmp_path / "data").mkdir(parents=True, exist_ok=True)
    if handlers:
        child_env["SCPLN_TEST_JOB_HANDLERS"] = ",".join(f"{k}={v}" for k, v in handlers.items())
        entry = [sys.executable, "-m", "tests.worker_main"]
    else:
        entry = [sys.executable, "-m", "celery"]
    cmd = [
        *entry,
        "-A",
        "config",
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
    if beat:
        cmd += ["--beat", "--schedule", str(tmp_path / "data" / f"celerybeat-{name}")]
    broker_ctx = (
        use_broker(tmp_path, broker, redis_db=redis_db) if producer else contextlib.nullcontext()
    )
    with broker_ctx, log.open("w") as out:
        process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=child_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        worker = Worker(process=process, log=log, env=child_env, name=name)
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
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Pool processes outlive a main process killed with SIGKILL only if they
    # escaped its group; make sure nothing of this worker keeps running.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def wait_for(predicate, timeout: float = 60, interval: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
