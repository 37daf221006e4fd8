"""The end of `make demo`: what ran, which model won, what the gates said, and where it all is.

`python -m claims_fraud.demo summary --bundle DIR` reads only what the jobs left behind (the run
records under `DIR/.brickgate/runs`, the local MLflow store and the Delta warehouse), so it
reports what happened, not what was meant to happen.

`python -m claims_fraud.demo capture-alerts -- COMMAND…` runs COMMAND with the gates' `webhook`
alert channel pointed at a receiver on 127.0.0.1, then prints each alert exactly as a webhook
service would have received it: the real alert code path runs, and nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from claims_fraud import gates, tracking

JOBS = ("model_training_job", "scoring_job", "monitoring_job")
PARALLEL_TASKS = ("train_catboost", "train_xgboost")
GATES: tuple[gates.GateName, ...] = ("fairness", "psi")


def overlap_seconds(first: tuple[datetime, datetime], second: tuple[datetime, datetime]) -> float:
    """How long two [start, end] intervals ran at the same time (0 when they did not).

    >>> t = lambda s: datetime(2026, 1, 1, 0, 0, s)
    >>> overlap_seconds((t(0), t(10)), (t(4), t(20))), overlap_seconds((t(0), t(3)), (t(5), t(9)))
    (6.0, 0.0)
    """
    return max(0.0, (min(first[1], second[1]) - max(first[0], second[0])).total_seconds())


def task_intervals(record: Any) -> dict[str, tuple[datetime, datetime]]:
    """Start and end of each task's last attempt in a `brickgate run` record."""
    from brickgate.runner.record import parse_iso

    intervals: dict[str, tuple[datetime, datetime]] = {}
    for task in record.tasks:
        if task.attempts and task.attempts[-1].ended_at:
            attempt = task.attempts[-1]
            intervals[task.task_key] = (parse_iso(attempt.started_at), parse_iso(attempt.ended_at))
    return intervals


def _latest_runs(state: Path) -> dict[str, Any]:
    from brickgate.runner.record import list_runs

    latest: dict[str, Any] = {}
    for record in list_runs(state):  # newest first
        latest.setdefault(record.job_key, record)
    return latest


def _job_lines(runs: Mapping[str, Any], jobs: Sequence[str]) -> list[str]:
    from brickgate.runner.record import seconds_between

    lines = ["Jobs (brickgate run -t local):"]
    for job in jobs:
        record = runs.get(job)
        if record is None:
            lines.append(f"  {job:<20} not run")
            continue
        seconds = seconds_between(record.started_at, record.ended_at) or 0.0
        lines.append(f"  {job:<20} run {record.run_id}  {record.state:<8} {seconds:6.1f} s")
        if job == "model_training_job":
            intervals = task_intervals(record)
            if all(key in intervals for key in PARALLEL_TASKS):
                both = overlap_seconds(intervals[PARALLEL_TASKS[0]], intervals[PARALLEL_TASKS[1]])
                lines.append(f"  {'':<20} train_catboost ‖ train_xgboost ran together for {both:.1f} s")
    return lines


def _model_lines(model_name: str, experiment: str) -> list[str]:
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient()
    try:
        aliases = client.get_registered_model(model_name).aliases
    except MlflowException:
        return [f"Model: {model_name} is not registered.", *_candidate_lines(experiment)]
    lines = [f"Model {model_name}: " + ", ".join(f"@{alias} = version {v}" for alias, v in sorted(aliases.items()))]
    alias = "champion" if "champion" in aliases else "challenger"
    if alias not in aliases:
        return lines
    version = client.get_model_version_by_alias(model_name, alias)
    run = client.get_run(str(version.run_id))
    metric = {
        name: run.data.metrics.get(f"test_{name}", float("nan")) for name in ("pr_auc", "roc_auc", "recall_at_top")
    }
    kind = run.data.tags.get(tracking.MODEL_KIND_TAG, "?")
    lines.append(
        f"  @{alias}: {kind} (version {version.version}, run {version.run_id}); on the test split "
        f"PR-AUC {metric['pr_auc']:.3f} · ROC-AUC {metric['roc_auc']:.3f} · recall at top 5 % "
        f"{metric['recall_at_top']:.3f} ({int(run.data.metrics.get('test_positives', 0))} frauds in "
        f"{int(run.data.metrics.get('test_rows', 0)):,} claims)"
    )
    lines.append(f"  training gates on the candidate run: {_verdicts(run.data.tags)}")
    return lines


def _verdicts(tags: Mapping[str, str]) -> str:
    """`fairness passed (warning) · psi passed (ok)` from a run's gate tags."""
    return " · ".join(
        f"{gate} {tags.get(gates.VERDICT_TAG.format(gate=gate), 'not run')} "
        f"({tags.get(gates.STATUS_TAG.format(gate=gate), '?')})"
        for gate in GATES
    )


def _candidate_lines(experiment: str) -> list[str]:
    """The gate verdicts of the latest candidate, which explain why nothing was registered."""
    import mlflow

    found = mlflow.get_experiment_by_name(experiment)
    runs = (
        mlflow.search_runs(
            [found.experiment_id],
            filter_string="tags.`claims_fraud.candidate` = 'true'",
            order_by=["start_time DESC"],
            max_results=1,
            output_format="list",
        )
        if found
        else []
    )
    if not runs:
        return []
    run = runs[0]
    kind = run.data.tags.get(tracking.MODEL_KIND_TAG, "?")
    return [f"  latest candidate: {kind} (run {run.info.run_id}); its gates: {_verdicts(run.data.tags)}"]


def _monitoring_lines(experiment: str) -> list[str]:
    import mlflow

    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        return []
    tags: dict[str, str] = {}
    for gate in GATES:
        runs = mlflow.search_runs(
            [found.experiment_id],
            filter_string=f"tags.`{tracking.ROLE_TAG}` = 'monitoring-{gate}'",
            order_by=["start_time DESC"],
            max_results=1,
            output_format="list",
        )
        if runs:
            tags.update(runs[0].data.tags)
    return [f"  latest monitoring checks: {_verdicts(tags)}"] if tags else []


def _table_lines(warehouse: Path, catalog: str, schema: str) -> list[str]:
    from deltalake import DeltaTable

    folder = warehouse / catalog / schema
    lines = [f"Delta tables in {folder}:"]
    for path in sorted(p for p in folder.glob("*") if DeltaTable.is_deltatable(str(p))):
        table = DeltaTable(str(path))
        rows = table.to_pyarrow_dataset().count_rows()
        lines.append(f"  {catalog}.{schema}.{path.name:<30} {rows:>9,} rows · version {table.version()}")
    return lines


def summary(bundle: Path, variables: Mapping[str, str] | None = None, jobs: Sequence[str] = JOBS) -> str:
    """The demo summary for the bundle in `bundle` (target local) and the latest runs of `jobs`, as text."""
    import mlflow

    from brickgate.bundle import load_bundle

    loaded = load_bundle(bundle, target="local", variables=variables or {})
    values = {key: str(value) for key, value in loaded.variables.items()}
    state = (bundle / ".brickgate").resolve()
    uri = f"sqlite:///{state / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    model_name = f"{values['catalog']}.{values['schema']}.{values['model_name']}"
    runs = _latest_runs(state)
    lines = ["", "claims-fraud demo summary", "=" * 25, *_job_lines(runs, jobs), ""]
    experiment = values["experiment_name"]
    lines += _model_lines(model_name, experiment) + _monitoring_lines(experiment) + [""]
    lines += [*_table_lines(state / "warehouse", values["catalog"], values["schema"]), ""]
    lines.append("Reports (JSON, markdown, HTML, PNG) of each gate task:")
    for job in jobs:
        record = runs.get(job)
        folder = state / "runs" / str(record.run_id) / "reports" if record else None
        if folder is not None and folder.is_dir():
            for report in sorted(folder.glob("*/*-report.html")):
                lines.append(f"  {report}")
    lines += [
        f"MLflow: runs and registry in {state / 'mlflow.db'}, artifacts in {state / 'mlartifacts'}",
        "Open the MLflow UI with:",
        f"  {Path(sys.executable).parent / 'mlflow'} ui --backend-store-uri {uri} --port 5000",
        "",
    ]
    return "\n".join(lines)


class _AlertReceiver(ThreadingHTTPServer):
    """A webhook endpoint on 127.0.0.1 that keeps every body it is sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _AlertHandler)
        self.bodies: list[bytes] = []


class _AlertHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        assert isinstance(self.server, _AlertReceiver)
        self.server.bodies.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the captured alerts are printed at the end."""


def capture_alerts(command: Sequence[str], *, expect_failure: bool) -> int:
    """Run `command` with the webhook alert channel pointed at 127.0.0.1; print what arrived.

    Returns the command's exit code, or with `expect_failure` 0 when it failed with a verdict
    (exit 1) and sent at least one problem (non-info) alert, else 1: the bias demo must show the
    gate failing.
    """
    receiver = _AlertReceiver()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    env = {**os.environ, "BRICKGATE_WEBHOOK_URL": f"http://127.0.0.1:{receiver.server_address[1]}/alerts"}
    try:
        code = subprocess.run(list(command), env=env, check=False).returncode
    finally:
        receiver.shutdown()
        receiver.server_close()
    alerts = [json.loads(body) for body in receiver.bodies]
    print(f"\nAlerts sent through the webhook channel ({len(alerts)}), captured on 127.0.0.1:")
    for alert in alerts:  # problems in full, as the receiving service sees them; "all clear" notices in a line
        if alert.get("severity") == "info":
            print(f"  [{alert.get('gate')} info] {alert.get('title')}")
        else:
            print(json.dumps(alert, indent=2, ensure_ascii=False))
    if not expect_failure:
        return code
    if code == 1 and any(alert.get("severity") != "info" for alert in alerts):
        print(f"\nAs expected: the job failed on a gate verdict (exit {code}) and the alert above went out.")
        return 0
    print(f"\nUnexpected: the job exited {code} and no problem alert arrived.", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m claims_fraud.demo", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("summary", help="print the summary of the local demo runs")
    show.add_argument("--bundle", type=Path, default=Path("examples/claims-fraud"))
    show.add_argument("--var", action="append", default=[], help="bundle variable key=value, as given to brickgate run")
    show.add_argument("--jobs", default=",".join(JOBS), help="jobs to report, comma-separated")
    capture = commands.add_parser("capture-alerts", help="run a command and print the webhook alerts it sends")
    capture.add_argument("--expect-failure", action="store_true", help="succeed only if the command fails with alerts")
    capture.add_argument("cmd", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args(argv)
    if args.command == "summary":
        variables = dict(item.split("=", 1) for item in args.var)
        print(summary(args.bundle, variables, [job for job in args.jobs.split(",") if job]))
        return 0
    command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not command:
        parser.error("capture-alerts needs a command after --")
    return capture_alerts(command, expect_failure=args.expect_failure)


if __name__ == "__main__":
    sys.exit(main())
