from __future__ import annotations

from jobs import runner
from jobs.models import Job


def run_claimed(job_id: int) -> Job:
    """Run a job the test expects the runner to claim; the job as it ended."""
    job = runner.run(job_id)
    assert job is not None, f"job {job_id} was not claimed"
    return job
