"""The Celery application shared by the web process, workers and beat.

Every scpln process imports this module first (it is imported by the
``config`` package itself), which is why Prometheus multiprocess mode is
switched on here, before anything can import prometheus_client: see
config/multiproc.py.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from config import multiproc

multiproc.configure()

from celery import Celery  # noqa: E402  (after the metrics mode is chosen)
from celery.signals import worker_process_init  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("scpln")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@worker_process_init.connect
def preload_compiled_loop(**_: object) -> threading.Thread | None:
    """Load the engine's compiled day loop in a new pool process (``SCPLN_PSI_PRELOAD``),
    in a thread so that the process takes jobs at once (a run that starts meanwhile takes
    the numpy loop): from then on ``SCPLN_PSI_KERNEL=auto`` compiles every run it can.
    Nothing to load when ``SCPLN_PSI_KERNEL=numpy``."""
    from django.conf import settings

    if not settings.SCPLN_PSI_PRELOAD:
        return None
    thread = threading.Thread(target=_load_compiled_loop, name="psi-preload", daemon=True)
    thread.start()
    return thread


def _load_compiled_loop() -> None:
    from scpln.engine.psi.api import load_compiled_loop
    from scpln.engine.psi.fused import kernel_choice

    started = time.perf_counter()
    try:
        if kernel_choice() == "numpy":
            return
        loaded = load_compiled_loop()
    except Exception:  # the numpy loop still runs everything: log, do not kill the process
        logger.exception("The compiled day loop could not be loaded; runs take the numpy loop")
        return
    if loaded:
        logger.info("Compiled day loop loaded in %.1f s", time.perf_counter() - started)
    else:
        logger.info("Numba is not installed: runs take the numpy day loop")
