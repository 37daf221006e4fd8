"""The fairness and PSI gates as the jobs use them: the `brickgate` CLI, run in this process.

The jobs call the very commands a CI workflow calls (`brickgate fairness-gate`, `brickgate
psi-gate`, `brickgate psi-gate profile`), so a verdict in a job and a verdict on a pull request
mean the same thing, and every option resolves the same way (flags, `BRICKGATE_*` variables,
`[tool.brickgate]`). The gates' result JSON, summaries and reports are then logged to the
candidate's MLflow run, which is tagged with each verdict for the promotion step to read.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from brickgate.registry import GATE_TAG_PREFIX
from claims_fraud import jobs
from claims_fraud.score import SCORE_COLUMN, latest_batch

if TYPE_CHECKING:
    import pandas as pd

GateName = Literal["fairness", "psi"]
# `brickgate promote-model --require-gates` reads the verdict from this run tag, and the
# `<gate>-result.json` artifact from the run's root or one folder down (`gates/`).
VERDICT_TAG = GATE_TAG_PREFIX + "{gate}"
STATUS_TAG = "brickgate.gate_status.{gate}"
ARTIFACT_DIR = "gates"
PROFILE_ARTIFACT = "psi/baseline_profile.json"


@dataclass(frozen=True, kw_only=True)
class GateRun:
    """A gate's exit code (0 pass, 1 failed, 2 no verdict), its report folder and result document."""

    gate: GateName
    exit_code: int
    report_dir: Path
    result: Mapping[str, object] | None

    @property
    def verdict(self) -> str:
        """`passed`, `failed` (exit 1) or `error` (exit 2: no verdict; promotion counts it as failed)."""
        return {0: "passed", 1: "failed"}.get(self.exit_code, "error")


def run_brickgate(args: Sequence[str]) -> int:
    """Run `brickgate <args>` in this process and return its exit code (its output goes to ours)."""
    from brickgate.cli import main

    try:
        main(list(args))
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)


def report_dir(name: str, env: Mapping[str, str] | None = None) -> Path:
    """A folder for a task's reports: inside the run folder under `brickgate run`, else a new temp folder."""
    environment = os.environ if env is None else env
    run_dir = environment.get("BRICKGATE_RUN_DIR", "")
    folder = Path(run_dir) / "reports" / name if run_dir else Path(tempfile.mkdtemp(prefix=f"claims-fraud-{name}-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage_frame(frame: pd.DataFrame, folder: Path, name: str) -> str:
    """Write `frame` as Parquet in `folder` for a gate to read; return the path."""
    path = folder / f"{name}.parquet"
    frame.to_parquet(path, index=False)
    return str(path)


def run_gate(gate: GateName, frame: pd.DataFrame, args: Sequence[str], task: str, *, source_name: str) -> GateRun:
    """Run `brickgate <gate>-gate` over an in-memory frame and read its result document.

    The frame is staged as `<source_name>.parquet` in a folder beside the reports (kept, so the
    path the reports name still exists afterwards); reports go to `report_dir(task)`, which is
    what gets logged to MLflow.
    """
    folder = report_dir(task)
    command, data_flag = ("fairness-gate", "--data") if gate == "fairness" else ("psi-gate", "--current")
    source = stage_frame(frame, report_dir(f"{task}-input"), source_name)
    code = run_brickgate([command, data_flag, source, *args, "--report-dir", str(folder)])
    result_file = folder / f"{gate}-result.json"
    result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.is_file() else None
    return GateRun(gate=gate, exit_code=code, report_dir=folder, result=result)


def baseline_profile(reference: pd.DataFrame, features: Sequence[str], *, score_column: str, out: Path) -> Path:
    """Profile the reference data with `brickgate psi-gate profile` (what monitoring compares to later).

    Raises
    ------
    RuntimeError
        When the profile command does not succeed (its own message is already on stderr).
    """
    with tempfile.TemporaryDirectory() as scratch:
        source = stage_frame(reference[[*features, score_column]], Path(scratch), "reference")
        code = run_brickgate(
            [
                "psi-gate",
                "profile",
                "--reference",
                source,
                "--features",
                ",".join(features),
                "--score-column",
                score_column,
                "--out",
                str(out),
            ]
        )
    if code != 0:
        raise RuntimeError(f"brickgate psi-gate profile exited {code}")
    return out


def add_task_arguments(parser: argparse.ArgumentParser) -> None:
    """The options both gate tasks share: data, results table, alerts and where to log."""
    jobs.table_arguments(parser)
    parser.add_argument("--data-table", required=True, help="table holding the scores to check")
    parser.add_argument("--latest-batch", action="store_true", help="check only the newest scored batch")
    parser.add_argument("--score-column", default=SCORE_COLUMN)
    parser.add_argument("--results-table", default="", help="table the gate appends its results to")
    parser.add_argument("--alert", type=jobs.word_list, default=(), help="alert channels, comma-separated")
    parser.add_argument("--secret-scope", default="", help="Databricks secret scope of the alert channels' keys")
    parser.add_argument("--run-id", default="", help="MLflow run to log to (default: a new monitoring run)")
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--job-run-id", default="")


def task_data(args: argparse.Namespace) -> pd.DataFrame:
    """The rows a gate task checks: the whole table, or its newest scored batch."""
    from brickgate.tables import read_table

    frame = read_table(jobs.table_name(args.catalog, args.schema, args.data_table))
    return latest_batch(frame) if args.latest_batch else frame


def model_version(data: pd.DataFrame) -> str:
    """The model version that scored `data` (predictions rows carry it), or "" (training candidates).

    >>> import pandas as pd
    >>> model_version(pd.DataFrame({"model_version": ["4", "4"]})), model_version(pd.DataFrame({"x": [1]}))
    ('4', '')
    """
    return str(data["model_version"].iloc[0]) if "model_version" in data.columns and len(data) else ""


def publish_arguments(args: argparse.Namespace) -> list[str]:
    """`--results-table` and `--alert` flags for the gate command."""
    flags = (
        ["--results-table", jobs.table_name(args.catalog, args.schema, args.results_table)]
        if args.results_table
        else []
    )
    for channel in args.alert:
        flags += ["--alert", channel]
    return flags


def record(run: GateRun, args: argparse.Namespace, *, model_version: str = "") -> int:
    """Log the gate to `--run-id` (the candidate) or a new monitoring run; return the task's exit code."""
    import mlflow

    from claims_fraud import tracking

    tracking.configure(args.experiment)
    if args.run_id:
        log_gate_run(run, args.run_id)
    else:
        tags = {tracking.JOB_RUN_TAG: args.job_run_id, tracking.ROLE_TAG: f"monitoring-{run.gate}"}
        if model_version:
            tags["claims_fraud.model_version"] = model_version
        with mlflow.start_run(run_name=f"monitoring-{run.gate}", tags=tags) as monitoring:
            log_gate_run(run, monitoring.info.run_id)
    jobs.set_task_values(verdict=run.verdict, report_dir=str(run.report_dir))
    print(f"{run.gate} gate: {run.verdict} (exit {run.exit_code}); reports in {run.report_dir}")
    return run.exit_code


def log_gate_run(run: GateRun, run_id: str) -> None:
    """Log the gate's report folder to the MLflow run and tag the run with the verdict and status."""
    from mlflow import MlflowClient

    client = MlflowClient()
    client.log_artifacts(run_id, str(run.report_dir), ARTIFACT_DIR)
    client.set_tag(run_id, VERDICT_TAG.format(gate=run.gate), run.verdict)
    status = str(run.result.get("status", "unknown")) if run.result else "unknown"
    client.set_tag(run_id, STATUS_TAG.format(gate=run.gate), status)
