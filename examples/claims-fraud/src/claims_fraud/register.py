"""Registration of the winning model in the MLflow registry, under aliases (never stages).

The training job registers its winner as `challenger` and never touches `champion`: promotion
is always the separate, gated step `brickgate promote-model --from-alias challenger
--require-gates`, locally (`make demo` runs it between training and scoring) exactly as in the
release workflow, so the first model of a registry goes through the same door as every other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CHALLENGER = "challenger"


@dataclass(frozen=True, kw_only=True)
class Registration:
    """The registered version and the alias this step gave it."""

    name: str
    version: str
    run_id: str
    alias: str


def register_candidate(
    model_uri: str,
    model_name: str,
    *,
    run_id: str,
    tags: Mapping[str, str] | None = None,
) -> Registration:
    """Register `model_uri` as a new version of `model_name` with alias `challenger`.

    Parameters
    ----------
    model_uri
        The logged model (`models:/<model_id>` or `runs:/<run_id>/model`).
    model_name
        Registered model name (`catalog.schema.name` in Unity Catalog).
    run_id
        The candidate's MLflow run, recorded on the version.
    tags
        Version tags, e.g. the gate verdicts read from the candidate run.
    """
    import mlflow
    from mlflow import MlflowClient

    version = mlflow.register_model(model_uri, model_name, tags=dict(tags or {}))
    MlflowClient().set_registered_model_alias(model_name, CHALLENGER, version.version)
    return Registration(name=model_name, version=str(version.version), run_id=run_id, alias=CHALLENGER)
