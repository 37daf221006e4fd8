"""Where MLflow runs and models go: the same code on Databricks and under `brickgate run`.

On Databricks the tracking server is the workspace and three-level model names live in Unity
Catalog (`databricks-uc`). Locally `brickgate run` sets `MLFLOW_TRACKING_URI` and
`MLFLOW_REGISTRY_URI` (a SQLite file under `.brickgate/`), which MLflow reads by itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

JOB_RUN_TAG = "claims_fraud.job_run_id"
MODEL_KIND_TAG = "claims_fraud.model_kind"
ROLE_TAG = "claims_fraud.role"


def configure(experiment: str, *, env: Mapping[str, str] | None = None) -> str:
    """Point MLflow at the right tracking and registry servers and select `experiment`; return its id."""
    import mlflow

    environment = os.environ if env is None else env
    if environment.get("DATABRICKS_RUNTIME_VERSION"):
        mlflow.set_tracking_uri("databricks")
        mlflow.set_registry_uri("databricks-uc")
    experiment_id: str = mlflow.set_experiment(experiment).experiment_id
    return experiment_id
