"""A fresh install with the runtime dependencies alone starts against Redis.

The development extras pull in many packages the runtime list may have
forgotten (``packaging`` for kombu's Redis transport was one), so this test
builds a new virtualenv with ``bin/run``'s own install (no extras) and starts
the product with ``REDIS_URL``: web must report the broker healthy and the
worker must come up on Redis. It installs every runtime dependency (from
pip's cache after the first time), so it is not part of the default run;
``.ci/run`` runs it once: ``bin/test -m install``.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
import redis

from tests.product import bin_run
from tests.workers import redis_url, wait_for

pytestmark = pytest.mark.install

# A Redis database of its own (the worker tests use 12-15).
REDIS_DB = 11


def test_runtime_dependencies_alone_start_web_and_a_worker_on_redis(tmp_path):
    venv = tmp_path / "venv"
    url = redis_url(REDIS_DB)
    redis.Redis.from_url(url).flushdb()
    env = {"SCPLN_VENV": str(venv), "REDIS_URL": url}
    try:
        with bin_run(tmp_path, env, start_timeout=900) as product:
            wait_for(lambda: "worker@" in product.output() and " ready." in product.output(), 120)
            assert "redis://" in product.output()
            dev_only = subprocess.run(
                [str(venv / "bin" / "python"), "-c", "import pytest"],
                capture_output=True,
                check=False,
            )
            assert dev_only.returncode != 0, "the fresh virtualenv has development packages"
    finally:
        shutil.rmtree(venv, ignore_errors=True)  # half a gigabyte; pytest keeps tmp folders
    assert product.leftovers == [], "processes outlived bin/run"
    assert "ModuleNotFoundError" not in product.output()
