"""A worker's pool processes load the engine's compiled day loop as they start
(``SCPLN_PSI_PRELOAD``, config/celery.py), so ``SCPLN_PSI_KERNEL=auto`` compiles their
runs; the setting turns it off."""

from __future__ import annotations

import pytest

from config.celery import preload_compiled_loop
from tests.workers import start_worker, wait_for

LOADED = "Compiled day loop loaded in"


@pytest.mark.worker
def test_a_started_worker_process_loads_the_compiled_day_loop(transactional_db, tmp_path):
    # a cold Numba cache compiles the loop first (tens of seconds on a busy 2-core machine)
    env = {"SCPLN_PSI_KERNEL": "auto", "SCPLN_PSI_PRELOAD": "1"}  # tests.settings: off
    with start_worker(tmp_path, env=env) as worker:
        wait_for(lambda: LOADED in worker.output(), timeout=300, interval=0.5)
        assert "could not be loaded" not in worker.output()


def test_the_setting_turns_the_preload_off(settings):
    settings.SCPLN_PSI_PRELOAD = False
    assert preload_compiled_loop() is None  # no loader thread started
