"""This repository's own `self-test.yml` under act: every composite action, used as `./…` from
this checkout, gives the verdict and outputs the workflow asserts, and `all-tests-passed` agrees."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.act import act, copy_source, git_repo
from tests.helpers.fake_databricks_cli import FOLDER as FAKE_CLI

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_self_test_workflow_passes(tmp_path: Path, act_source: Path, act_cache: Path, shared_venv: Path) -> None:
    repo = git_repo(copy_source(tmp_path / "brickgate"))
    run = act(
        repo,
        "push",
        source=act_source,
        cache=act_cache,
        workflows=repo / ".github" / "workflows" / "self-test.yml",
        env={"BRICKGATE_VENV": str(shared_venv), "FAKE_DATABRICKS_CLI_DIR": str(FAKE_CLI)},
    )
    expected = {
        "test-root-action",
        "test-validate-bundle",
        "test-fairness-gate (fair, fair.parquet, success, true)",
        "test-fairness-gate (biased, biased.parquet, failure, false)",
        "test-psi-gate (stable, current_stable.parquet, success, true)",
        "test-psi-gate (drifted, current_drifted.parquet, failure, false)",
        "test-deploy-dry-run",
        "test-tag-release",
        "all-tests-passed",
    }
    assert run.job_results() == dict.fromkeys(expected, "success"), run.log()
    assert run.returncode == 0
