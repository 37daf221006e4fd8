"""Registration of the winning model in the MLflow registry, under aliases (never stages).

The training job registers its winner as `challenger`. Promotion to `champion` is a separate,
gated step (`brickgate promote-model`), except for the very first model of a registry: with
`bootstrap_champion` it also becomes `champion` when no champion exists yet, because there is
nothing to compare it with and the scoring job needs a champion to run at all. Only the local
target turns that on; staging and production always promote through the gated step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CHALLENGER = "challenger"
CHAMPION = "champion"


@dataclass(frozen=True, kw_only=True)
class Registration:
    """The registered version and the aliases this step gave it."""

    name: str
    version: str
    run_id: str
    aliases: tuple[str, ...]


def register_candidate(
    model_uri: str,
    model_name: str,
    *,
    run_id: str,
    tags: Mapping[str, str] | None = None,
    bootstrap_champion: bool = False,
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
    bootstrap_champion
        Also set `champion` when the model has no champion yet (see the module docstring).
    """
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    version = mlflow.register_model(model_uri, model_name, tags=dict(tags or {}))
    client = MlflowClient()
    client.set_registered_model_alias(model_name, CHALLENGER, version.version)
    aliases = [CHALLENGER]
    if bootstrap_champion:
        try:
            client.get_model_version_by_alias(model_name, CHAMPION)
        except MlflowException:
            client.set_registered_model_alias(model_name, CHAMPION, version.version)
            aliases.append(CHAMPION)
    return Registration(name=model_name, version=str(version.version), run_id=run_id, aliases=tuple(aliases))
