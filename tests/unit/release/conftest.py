"""Registry fixtures for the promotion tests: model versions with metrics, gate tags and artifacts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.mlflow_server import mlflow_server

__all__ = ["RegistryBuilder", "mlflow_server", "run_main"]


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `brickgate ARGS` through `main` (the real error handler): exit code, stdout, stderr.

    Output printed before the call (MLflow announces runs it creates on stdout) is dropped.
    """
    from brickgate.cli import main

    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


class RegistryBuilder:
    """Creates registered models and versions whose source runs carry metrics, tags and gate files."""

    def __init__(self, tracking_uri: str, workdir: Path, *, local_artifacts: bool) -> None:
        from mlflow import MlflowClient

        self.tracking_uri = tracking_uri
        self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        self.workdir = workdir
        location = (workdir / "artifacts").as_uri() if local_artifacts else None  # never ./mlruns in the repo
        self.experiment_id = self.client.create_experiment(f"promotion-{workdir.name}", artifact_location=location)

    def version(
        self,
        model: str,
        *,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, str] | None = None,
        gate_files: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> str:
        """A new version of `model` (created if needed); gate_files maps `gates/x-result.json` → document."""
        from mlflow.exceptions import MlflowException

        try:
            self.client.create_registered_model(model)
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        run = self.client.create_run(self.experiment_id)
        run_id = run.info.run_id
        for key, value in (metrics or {}).items():
            self.client.log_metric(run_id, key, value)
        for key, text in (tags or {}).items():
            self.client.set_tag(run_id, key, text)
        for artifact, document in (gate_files or {}).items():
            folder, _, name = artifact.rpartition("/")
            local = self.workdir / run_id / name
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_text(json.dumps(document))
            self.client.log_artifact(run_id, str(local), artifact_path=folder or None)
        self.client.set_terminated(run_id)
        created = self.client.create_model_version(model, source=f"runs:/{run_id}/model", run_id=run_id)
        return str(created.version)

    def aliases(self, model: str) -> dict[str, str]:
        return {k: str(v) for k, v in self.client.get_registered_model(model).aliases.items()}

    def tags(self, model: str, version: str) -> dict[str, str]:
        return dict(self.client.get_model_version(model, version).tags)


@pytest.fixture(scope="module")
def sqlite_registry(tmp_path_factory: pytest.TempPathFactory) -> RegistryBuilder:
    """One local SQLite registry (the default kind of registry) per test module."""
    root = tmp_path_factory.mktemp("sqlite-registry")
    return RegistryBuilder(f"sqlite:///{root / 'mlflow.db'}", root, local_artifacts=True)


@pytest.fixture
def fast_mlflow_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """MLflow's client retries a refused connection for minutes by default; tests fail fast instead."""
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "5")
