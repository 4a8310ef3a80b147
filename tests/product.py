"""Starting the whole product with ``bin/run`` in a test, and stopping it as Ctrl-C does.

``bin/run`` ends in supervisord, which starts web, worker and beat each in a
process group of its own; all of them stay in the session ``bin/run`` was
started in, so the session is what "everything bin/run started" means here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.workers import wait_for

ROOT = Path(__file__).resolve().parent.parent
# Variables of the test run that would point bin/run at the suite's own servers.
SUITE_ONLY = (
    "DATABASE_URL",
    "SCPLN_DB",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str) -> int | None:
    """The status of a GET (None when nothing answers)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def session_commands(sid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live processes of session ``sid``."""
    proc = subprocess.run(
        ["ps", "-ww", "-o", "pid=,args=", "-s", str(sid)],
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in proc.stdout.splitlines():
        pid, _, args = line.strip().partition(" ")
        if "<defunct>" not in args:
            rows.append((int(pid), args.strip()))
    return rows


@dataclass
class Product:
    process: subprocess.Popen
    base_url: str
    log: Path
    data_dir: Path
    # Processes that outlived the Ctrl-C (filled in by :func:`stop`).
    leftovers: list[tuple[int, str]] = field(default_factory=list)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def commands(self) -> list[tuple[int, str]]:
        return session_commands(self.process.pid)

    def pid_of(self, fragment: str) -> int | None:
        """The oldest process whose command line contains ``fragment``."""
        matches = sorted(pid for pid, args in self.commands() if fragment in args)
        return matches[0] if matches else None


@contextlib.contextmanager
def bin_run(
    tmp_path: Path, env: Mapping[str, str] | None = None, *, start_timeout: float = 180
) -> Iterator[Product]:
    """Run ``bin/run`` on a scratch data folder until the block ends, then Ctrl-C it.

    Waits for ``/healthz`` to answer 200 (and fails at the first traceback in
    the log). On leaving, SIGINT goes to bin/run's
    process group, as a terminal's Ctrl-C does; the block's caller finds the
    processes still alive after that in ``leftovers``.
    """
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k not in SUITE_ONLY}
    data_dir = tmp_path / "data"
    environ.update(
        {
            "SCPLN_DATA_DIR": str(data_dir),
            "SCPLN_PORT": str(port),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "SCPLN_WORKER_CONCURRENCY": "1",
        }
    )
    environ.update(env or {})
    log = tmp_path / "bin-run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["bin/run"],
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    product = Product(process, f"http://127.0.0.1:{port}", log, data_dir)
    try:
        # A traceback while starting (a missing module, a bad setting) will not
        # heal: stop waiting at once instead of until the timeout.
        wait_for(
            lambda: (
                process.poll() is not None
                or "Traceback" in product.output()
                or http_status(f"{product.base_url}/healthz") == 200
            ),
            timeout=start_timeout,
        )
        assert process.poll() is None, product.output()
        assert "Traceback" not in product.output(), product.output()
        yield product
    finally:
        stop(product)


def stop(product: Product, timeout: float = 90) -> list[tuple[int, str]]:
    """Ctrl-C: SIGINT to bin/run's group; wait for the session to empty; kill what is left.

    Returns the processes that outlived the timeout (an empty list is a clean stop).
    """
    process = product.process
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    deadline = time.monotonic() + timeout
    while product.commands() and time.monotonic() < deadline:
        time.sleep(0.5)
    leftovers = product.commands()
    for pid, _args in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    product.leftovers = leftovers
    return leftovers
