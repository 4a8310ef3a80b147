"""``python -m tests.worker_main -A config worker ...``: a Celery worker with test handlers.

Tests that need a real job type to behave in a controlled way (slow, killable
at a known point) start their worker through this entry point with
``SCPLN_TEST_JOB_HANDLERS="planning=tests.fault_handlers.slow_planning"``. The
handler is swapped in the job registry before the worker forks its pool, so
production code carries no test hook. The handler a test replaced stays
reachable as ``tests.fault_handlers.ORIGINAL_HANDLERS``.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.utils.module_loading import import_string

    from jobs import registry
    from tests import fault_handlers

    for pair in os.environ.get("SCPLN_TEST_JOB_HANDLERS", "").split(","):
        if "=" in pair:
            job_type, path = (part.strip() for part in pair.split("=", 1))
            original = registry.replace_handler(job_type, import_string(path))
            fault_handlers.ORIGINAL_HANDLERS[job_type] = original

    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
