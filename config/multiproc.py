"""Prometheus multiprocess mode: every process writes its metrics to one folder.

gunicorn workers, Celery worker processes and beat are separate processes;
a counter incremented in a Celery worker lives in that process's memory and a
scrape of the web ``/metrics`` would never see it. In prometheus_client's
multiprocess mode each process keeps its samples in memory-mapped files in a
shared folder (``PROMETHEUS_MULTIPROC_DIR``), and ``/metrics`` merges the
files of all processes (``core.metrics.metrics_view``).

prometheus_client chooses between in-memory and file-backed values when it is
first imported, so :func:`configure` runs before anything imports it: the
``config`` package calls it first thing (``config/celery.py``), and every entry
point (manage.py, gunicorn, celery) imports that package before Django.

Files are named after the host *and* the process id: containers sharing the
folder through a volume each number their processes from 1, and two
processes writing the same file would corrupt each other's samples.

The folder is emptied when the whole deployment starts (``bin/run``; in
Docker each container removes its own host's files), never while other
processes are writing to it.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import socket
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

ENV_NAME = "PROMETHEUS_MULTIPROC_DIR"


def default_directory(env: MutableMapping[str, str]) -> Path:
    """``PROMETHEUS_MULTIPROC_DIR``, else ``metrics/`` in scpln's data folder.

    A test run (pytest sets ``PYTEST_VERSION``) without an explicit folder
    gets a private temporary one, removed when it ends, so two test runs on
    one machine never add up each other's counters; the workers a test starts
    inherit it.
    """
    from config.environ import data_dir

    value = env.get(ENV_NAME, "").strip()
    if value:
        return Path(value)
    if env.get("PYTEST_VERSION"):
        directory = Path(tempfile.mkdtemp(prefix="scpln-test-metrics-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        return directory
    return data_dir(env, Path(__file__).resolve().parent.parent) / "metrics"


@functools.cache
def host_tag() -> str:
    """This host's name as it may appear in a metrics file name (no ``_``)."""
    return socket.gethostname().replace("_", "-") or "host"


def process_identifier() -> str:
    """``<host>-<pid>``: unique among all processes sharing the folder."""
    return f"{host_tag()}-{os.getpid()}"


def configure(env: MutableMapping[str, str] | None = None) -> Path:
    """Turn multiprocess mode on for this process and the processes it starts.

    Sets ``PROMETHEUS_MULTIPROC_DIR`` (children inherit it), creates the
    folder and makes prometheus_client name its files after
    :func:`process_identifier`. Idempotent.
    """
    env = os.environ if env is None else env
    directory = default_directory(env)
    directory.mkdir(parents=True, exist_ok=True)
    env[ENV_NAME] = str(directory)
    from prometheus_client import values

    if getattr(values.ValueClass, "_scpln_multiproc", False):
        return directory
    value_class = values.MultiProcessValue(process_identifier=process_identifier)
    value_class._scpln_multiproc = True
    values.ValueClass = value_class
    return directory


def clear(directory: Path, *, host: str | None = None) -> int:
    """Delete metrics files (all, or only ``host``'s); returns how many.

    Only safe when no process that writes them is running: a live process
    keeps writing to the deleted file and its samples vanish from scrapes.
    """
    own = re.compile(rf"_{re.escape(host)}-\d+\.db$") if host else None
    removed = 0
    for path in directory.glob("*.db"):
        if own is None or own.search(path.name):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
