"""Run a bundle job's task graph on one machine, as Databricks would run it on a cluster.

`run_job(job_key, RunOptions(...))` checks the whole job first, then runs its tasks as
subprocesses following `depends_on` and `run_if`, with retries, timeouts, task values and
dynamic value references, and records the run under `.brickgate/runs/<run_id>/`.
"""

from __future__ import annotations

from brickgate.runner.executor import JobRun, RunOptions, plan_job, run_job
from brickgate.runner.record import RunRecord, find_run, list_runs

__all__ = ["JobRun", "RunOptions", "RunRecord", "find_run", "list_runs", "plan_job", "run_job"]
