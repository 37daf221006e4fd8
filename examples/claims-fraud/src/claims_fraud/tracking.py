"""Where MLflow runs and models go: the same code on Databricks and under `brickgate run`.

On Databricks the tracking server is the workspace and three-level model names live in Unity
Catalog (`databricks-uc`). Locally `brickgate run` sets `MLFLOW_TRACKING_URI` and
`MLFLOW_REGISTRY_URI` (a SQLite file under the bundle's `.brickgate/`), which MLflow reads by
itself; a new experiment then keeps its artifacts beside that file (`.brickgate/mlartifacts`),
not in the working directory of whichever task happened to create it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

JOB_RUN_TAG = "claims_fraud.job_run_id"
MODEL_KIND_TAG = "claims_fraud.model_kind"
ROLE_TAG = "claims_fraud.role"
SQLITE = "sqlite:///"


def artifact_location(tracking_uri: str) -> str | None:
    """Artifact root for a new experiment: `mlartifacts/` beside a local SQLite store, else the server's default.

    >>> artifact_location("sqlite:////work/.brickgate/mlflow.db")
    'file:///work/.brickgate/mlartifacts'
    >>> artifact_location("databricks") is None
    True
    """
    if not tracking_uri.startswith(SQLITE):
        return None
    return (Path(tracking_uri[len(SQLITE) :]).resolve().parent / "mlartifacts").as_uri()


def configure(experiment: str, *, env: Mapping[str, str] | None = None) -> str:
    """Point MLflow at the right tracking and registry servers and select `experiment`; return its id."""
    import mlflow
    from mlflow.exceptions import MlflowException

    environment = os.environ if env is None else env
    if environment.get("DATABRICKS_RUNTIME_VERSION"):
        mlflow.set_tracking_uri("databricks")
        mlflow.set_registry_uri("databricks-uc")
    location = artifact_location(mlflow.get_tracking_uri())
    if location and mlflow.get_experiment_by_name(experiment) is None:
        with contextlib.suppress(MlflowException):  # a parallel task created it in the meantime
            mlflow.create_experiment(experiment, artifact_location=location)
    experiment_id: str = mlflow.set_experiment(experiment).experiment_id
    return experiment_id
