"""A local Databricks workspace API that the real `databricks-sdk` client talks to.

Serves the Jobs API 2.2 endpoints brickgate uses — `jobs/get`, `jobs/list`, `jobs/run-now`,
`jobs/runs/get`, `jobs/runs/get-output` — from in-memory jobs and scripted runs, on top of
`HttpRecorder` (every request recorded; replies such as 429/503 can be queued per path).
Point the SDK at it with `workspace.env()` (`DATABRICKS_HOST=http://127.0.0.1:<port>` and a PAT).

    with FakeWorkspace() as ws:
        job_id = ws.add_job("train-dev", tasks=["prepare", "train"])
        ws.script_run(job_id, RunScript(polls_before_end=2, result="FAILED", failed_task="train",
                                        error="ValueError: no rows"))
        ws.recorder.script(Reply.json_body({"error_code": "TEMPORARILY_UNAVAILABLE"}, 503,
                                           {"Retry-After": "0"}), path="/api/2.2/jobs/runs/get")
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.helpers.http_recorder import HttpRecorder, RecordedRequest, Reply

TOKEN = "dapi-fake-workspace-token-5c1e9a7b"


@dataclass
class RunScript:
    """How a run started with run-now behaves: RUNNING for `polls_before_end` runs/get calls, then ends.

    `result=None` never terminates (for timeouts). `failed_task` gets `result` and `error`; the
    other tasks succeed (or, when a task failed, are skipped if they come after it).
    """

    polls_before_end: int = 1
    result: str | None = "SUCCESS"
    failed_task: str | None = None
    error: str = ""


@dataclass
class _Run:
    run_id: int
    job_id: int
    tasks: list[str]
    script: RunScript
    task_run_ids: dict[str, int]
    polls: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)


class FakeWorkspace:
    """In-memory jobs and runs behind a recording HTTP server on 127.0.0.1."""

    def __init__(self) -> None:
        self.recorder = HttpRecorder(handler=self._handle)
        self.jobs: dict[int, dict[str, Any]] = {}
        self.runs: dict[int, _Run] = {}
        self._scripts: dict[int, RunScript] = {}
        self._ids = itertools.count(1001)

    @property
    def host(self) -> str:
        return self.recorder.url("").rstrip("/")

    def env(self, token: str = TOKEN) -> dict[str, str]:
        """Environment for the SDK: host, PAT auth, no config file, fast retries."""
        return {
            "DATABRICKS_HOST": self.host,
            "DATABRICKS_TOKEN": token,
            "DATABRICKS_AUTH_TYPE": "pat",
            "DATABRICKS_CONFIG_FILE": "/nonexistent/databrickscfg",
        }

    def add_job(self, name: str, *, tasks: list[str], job_id: int | None = None) -> int:
        job_id = job_id if job_id is not None else next(self._ids)
        self.jobs[job_id] = {"name": name, "tasks": [{"task_key": key} for key in tasks]}
        return job_id

    def script_run(self, job_id: int, script: RunScript) -> None:
        """What the next run of `job_id` does (default: succeeds after one poll)."""
        self._scripts[job_id] = script

    def job_url(self, job_id: int) -> str:
        return f"{self.host}/jobs/{job_id}"

    def __enter__(self) -> FakeWorkspace:
        self.recorder.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.recorder.__exit__(exc_type, exc, tb)

    # --- request handling -------------------------------------------------------------------

    def _handle(self, request: RecordedRequest) -> Reply:
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if request.headers.get("authorization") != f"Bearer {TOKEN}" and parts.path.startswith("/api/"):
            return _error(401, "UNAUTHENTICATED", "Invalid access token.")
        routes = {
            ("GET", "/api/2.2/jobs/get"): self._jobs_get,
            ("GET", "/api/2.2/jobs/list"): self._jobs_list,
            ("POST", "/api/2.2/jobs/run-now"): self._run_now,
            ("GET", "/api/2.2/jobs/runs/get"): self._runs_get,
            ("GET", "/api/2.2/jobs/runs/get-output"): self._runs_get_output,
        }
        if parts.path == "/.well-known/databricks-config":  # the SDK's host discovery probe
            return Reply.json_body({"workspace_id": "1234567890123456"})
        route = routes.get((request.method, parts.path))
        if route is None:
            return _error(404, "ENDPOINT_NOT_FOUND", f"No API found for '{request.method} {parts.path}'")
        body = request.json() if request.body else {}
        return route({**query, **body})

    def _jobs_get(self, params: dict[str, Any]) -> Reply:
        job_id = int(params.get("job_id", 0))
        if job_id not in self.jobs:
            return _error(400, "INVALID_PARAMETER_VALUE", f"Job {job_id} does not exist.")
        return Reply.json_body({"job_id": job_id, "settings": self.jobs[job_id], "creator_user_name": "ci@example.com"})

    def _jobs_list(self, params: dict[str, Any]) -> Reply:
        jobs = [{"job_id": job_id, "settings": {"name": s["name"]}} for job_id, s in self.jobs.items()]
        return Reply.json_body({"jobs": jobs, "has_more": False})

    def _run_now(self, params: dict[str, Any]) -> Reply:
        job_id = int(params.get("job_id", 0))
        if job_id not in self.jobs:
            return _error(400, "INVALID_PARAMETER_VALUE", f"Job {job_id} does not exist.")
        run_id = next(self._ids)
        tasks = [t["task_key"] for t in self.jobs[job_id]["tasks"]]
        self.runs[run_id] = _Run(
            run_id=run_id,
            job_id=job_id,
            tasks=tasks,
            script=self._scripts.get(job_id, RunScript()),
            task_run_ids={key: next(self._ids) for key in tasks},
            parameters={k: v for k, v in params.items() if k != "job_id"},
        )
        return Reply.json_body({"run_id": run_id, "number_in_job": run_id})

    def _runs_get(self, params: dict[str, Any]) -> Reply:
        run = self.runs.get(int(params.get("run_id", 0)))
        if run is None:
            return _error(400, "INVALID_PARAMETER_VALUE", "Run does not exist.")
        run.polls += 1
        ended = run.script.result is not None and run.polls > run.script.polls_before_end
        tasks = []
        state: dict[str, str | None]
        failed_seen = False
        for key in run.tasks:
            if not ended:
                state = {"life_cycle_state": "RUNNING", "state_message": ""}
            elif key == run.script.failed_task:
                failed_seen = True
                state = {"life_cycle_state": "TERMINATED", "result_state": run.script.result, "state_message": ""}
            elif failed_seen:
                state = {"life_cycle_state": "SKIPPED", "result_state": "UPSTREAM_FAILED", "state_message": ""}
            else:
                state = {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS", "state_message": ""}
            tasks.append({"task_key": key, "run_id": run.task_run_ids[key], "state": state})
        if ended:
            message = "" if run.script.failed_task is None else f"Task {run.script.failed_task} failed."
            state = {"life_cycle_state": "TERMINATED", "result_state": run.script.result, "state_message": message}
        else:
            state = {"life_cycle_state": "RUNNING", "state_message": "In run"}
        return Reply.json_body(
            {
                "job_id": run.job_id,
                "run_id": run.run_id,
                "run_page_url": f"{self.host}/jobs/{run.job_id}/runs/{run.run_id}",
                "state": state,
                "tasks": tasks,
            }
        )

    def _runs_get_output(self, params: dict[str, Any]) -> Reply:
        task_run_id = int(params.get("run_id", 0))
        for run in self.runs.values():
            for key, task_id in run.task_run_ids.items():
                if task_id == task_run_id:
                    failed = key == run.script.failed_task
                    document: dict[str, Any] = {"metadata": {"task_key": key, "run_id": task_id}}
                    if failed:
                        document |= {"error": run.script.error, "error_trace": f"Traceback ...\n{run.script.error}"}
                    return Reply.json_body(document)
        return _error(400, "INVALID_PARAMETER_VALUE", "Run does not exist.")


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(
        status=status,
        body=json.dumps({"error_code": code, "message": message}),
        headers={"Content-Type": "application/json"},
    )


def throttled(status: int = 429) -> Reply:
    """A 429 or 503 reply with `Retry-After: 0`, so the SDK's own retry is immediate in tests."""
    code = "REQUEST_LIMIT_EXCEEDED" if status == 429 else "TEMPORARILY_UNAVAILABLE"
    return Reply(
        status=status,
        body=json.dumps({"error_code": code, "message": "try again later"}),
        headers={"Content-Type": "application/json", "Retry-After": "0"},
    )
