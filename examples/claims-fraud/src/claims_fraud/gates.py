"""The fairness and PSI gates as the jobs use them: brickgate's Python API, on the data where it lives.

With `--engine spark` (the default on Databricks) a task reads its table as a Spark DataFrame and
the gate counts it with the Spark engine: nothing is collected to the driver. Locally (`--engine
pandas`, the default off Databricks) the table is read into pandas. Either way the verdict is the
one `brickgate fairness-gate` / `brickgate psi-gate` give, because the commands call the same API.
The gates' result JSON, summaries and reports are then logged to the candidate's MLflow run, which
is tagged with each verdict for the promotion step to read.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from brickgate.registry import GATE_TAG_PREFIX
from claims_fraud import jobs
from claims_fraud.score import SCORE_COLUMN, latest_batch

if TYPE_CHECKING:
    import pandas as pd

    from brickgate.gates.psi.profile import Profile
    from brickgate.gates.result import GateOutcome

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


def default_engine(env: Mapping[str, str] | None = None) -> str:
    """`spark` on Databricks (the data stays in the cluster), `pandas` elsewhere.

    >>> default_engine({"DATABRICKS_RUNTIME_VERSION": "15.4"}), default_engine({})
    ('spark', 'pandas')
    """
    return "spark" if (os.environ if env is None else env).get("DATABRICKS_RUNTIME_VERSION") else "pandas"


def report_dir(name: str, env: Mapping[str, str] | None = None) -> Path:
    """A folder for a task's reports: inside the run folder under `brickgate run`, else a new temp folder."""
    environment = os.environ if env is None else env
    run_dir = environment.get("BRICKGATE_RUN_DIR", "")
    folder = Path(run_dir) / "reports" / name if run_dir else Path(tempfile.mkdtemp(prefix=f"claims-fraud-{name}-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_gate(gate: GateName, check: Callable[[], GateOutcome], args: argparse.Namespace, task: str) -> GateRun:
    """Run a gate (`check` calls `brickgate.fairness_gate` or `brickgate.psi_gate`) and publish it.

    Reports go to `report_dir(task)` (what gets logged to MLflow), rows to `--results-table`,
    alerts to `--alert`, the text report to stdout. A brickgate error (bad data or settings) is
    the gate's "no verdict" (exit 2), printed as one line, so the run is still tagged.
    """
    import brickgate
    from brickgate.errors import BrickgateError

    folder = report_dir(task)
    table = jobs.table_name(args.catalog, args.schema, args.results_table) if args.results_table else None
    try:
        outcome = check()
        brickgate.publish(
            outcome,
            report_dir=folder,
            results_table=table,
            alert=args.alert,
            output_format="text",
        )
    except BrickgateError as exc:
        print(f"brickgate: error: {exc}", file=sys.stderr)
        return GateRun(gate=gate, exit_code=2, report_dir=folder, result=None)
    return GateRun(gate=gate, exit_code=0 if outcome.passed else 1, report_dir=folder, result=outcome.document)


def fairness(data: Any, args: argparse.Namespace, *, version: str = "") -> GateRun:
    """The fairness gate over `data` (`--protected-attributes`, `--threshold-percentile`)."""
    import brickgate

    return run_gate(
        "fairness",
        lambda: brickgate.fairness_gate(
            data,
            protected_attributes=args.protected_attributes,
            score_column=args.score_column,
            threshold_percentile=args.threshold_percentile,
            fail_on_bias=args.fail_on_bias,
            model_name=args.model_name or None,
            model_version=version or None,
        ),
        args,
        "fairness",
    )


def drift(data: Any, args: argparse.Namespace, *, profile: str) -> GateRun:
    """The PSI gate over `data` against the stored baseline `profile` (a `runs:/` URI); alerts
    are keyed by `--model-name` when given, else by the profile's stored identity."""
    import brickgate

    return run_gate(
        "psi",
        lambda: brickgate.psi_gate(
            data,
            profile=profile,
            features=args.features,
            score_column=args.score_column,
            fail_on_drift=args.fail_on_drift,
            model_name=args.model_name or None,
        ),
        args,
        "psi",
    )


def baseline_profile(
    reference: pd.DataFrame, features: Sequence[str], *, score_column: str, out: Path, model_name: str | None = None
) -> Profile:
    """Profile the reference data (what monitoring compares to later) and write it to `out`.

    `model_name`, when known, becomes the profile's identity: the drift alerts of every later
    model version then share their dedup keys.
    """
    import brickgate
    from brickgate.gates.psi import save_profile

    profile = brickgate.psi_profile(reference, features=features, score_column=score_column, model_name=model_name)
    save_profile(profile, out)
    return profile


def add_task_arguments(parser: argparse.ArgumentParser) -> None:
    """The options both gate tasks share: data, engine, results table, alerts and where to log."""
    jobs.table_arguments(parser)
    parser.add_argument("--data-table", required=True, help="table holding the scores to check")
    parser.add_argument("--latest-batch", action="store_true", help="check only the newest scored batch")
    parser.add_argument("--score-column", default=SCORE_COLUMN)
    parser.add_argument("--engine", choices=("pandas", "spark"), default=default_engine())
    parser.add_argument("--results-table", default="", help="table the gate appends its results to")
    parser.add_argument("--alert", type=jobs.word_list, default=(), help="alert channels, comma-separated")
    parser.add_argument("--secret-scope", default="", help="Databricks secret scope of the alert channels' keys")
    parser.add_argument("--run-id", default="", help="MLflow run to log to (default: a new monitoring run)")
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--job-run-id", default="")


def task_data(args: argparse.Namespace) -> Any:
    """The rows a gate task checks, the whole table or its newest scored batch: a Spark DataFrame
    (lazy; the gate's aggregation is the only job that reads it) with `--engine spark`, else pandas."""
    name = jobs.table_name(args.catalog, args.schema, args.data_table)
    if args.engine == "spark":
        from brickgate.gates.engines import load

        frame = load(name, None, "spark")
        return latest_spark_batch(frame) if args.latest_batch else frame
    from brickgate.tables import read_table

    table = read_table(name)
    return latest_batch(table) if args.latest_batch else table


def latest_spark_batch(frame: Any) -> Any:
    """`score.latest_batch` for a Spark DataFrame: the rows of the batch scored last, lazily."""
    from pyspark.sql import functions as F

    newest = frame.orderBy(F.col("scored_at").desc()).select("batch_id").limit(1)
    return frame.join(newest, on="batch_id", how="left_semi")


def model_version(data: Any) -> str:
    """The model version that scored `data` (predictions rows carry it), or "" (training candidates).

    >>> import pandas as pd
    >>> model_version(pd.DataFrame({"model_version": ["4", "4"]})), model_version(pd.DataFrame({"x": [1]}))
    ('4', '')
    """
    if "model_version" not in data.columns:
        return ""
    from brickgate.gates.engines import is_spark_frame

    if is_spark_frame(data):
        row = data.select("model_version").first()
        return "" if row is None or row[0] is None else str(row[0])
    return str(data["model_version"].iloc[0]) if len(data) else ""


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
