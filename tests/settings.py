"""The test suite's settings: the product's own, plus an app that only tests install.

``tests.jobapp`` adds job types and a job subject the way any app would
(its own ``handlers.py``), which is how the suite proves that a new job type
needs no edit in ``jobs/``; test workers (tests/workers.py) load the same
settings, so they know those types too.
"""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.jobapp"]  # noqa: F405

# The throttle and lock-out counters of one test must not leak into the next
# (or into another run): an in-process cache, emptied before each test
# (conftest.py). The product's choice (Redis or files) is config/settings.py's.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Test workers start and stop by the dozen: each loading the compiled day loop (in a fresh
# clone, compiling it for tens of seconds beside the tests) would only load the machine.
# tests/test_worker_psi_preload.py turns it on for the worker that tests it.
SCPLN_PSI_PRELOAD = env_bool(ENV, "SCPLN_PSI_PRELOAD", False)  # noqa: F405
