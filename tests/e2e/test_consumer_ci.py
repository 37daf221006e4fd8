"""A repository set up by `brickgate init` runs brickgate's reusable ci workflow under act.

The caller workflow is used exactly as init wrote it (pinned to the installed version's tag);
every check job runs for real in its own venv: ruff format and check, mypy, bandit, pytest
with coverage, YAML and workflow-schema validation, and validate-bundle per target through the
composite action. The `brickgate` aggregator must pass, and fail when one check fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.act import act, git_repo

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CHECKS = {"format", "lint", "types", "security", "tests", "yaml"}
TARGETS = ("dev", "staging", "prod")


def run_ci(repo: Path, source: Path, cache: Path, venv: Path) -> dict[str, str]:
    run = act(
        git_repo(repo),
        "push",
        source=source,
        cache=cache,
        workflows=repo / ".github" / "workflows" / "brickgate-ci.yml",
        env={"BRICKGATE_VENV": str(venv)},
    )
    return run.job_results() | {"(act exit code)": str(run.returncode)}


def test_init_repository_passes_ci(consumer_repo: Path, act_source: Path, act_cache: Path, shared_venv: Path) -> None:
    results = run_ci(consumer_repo, act_source, act_cache, shared_venv)
    expected = {job: "success" for job in CHECKS} | {f"validate-bundle ({t})": "success" for t in TARGETS}
    assert results == expected | {"brickgate": "success", "(act exit code)": "0"}


def test_aggregator_fails_when_one_check_fails(
    consumer_repo: Path, act_source: Path, act_cache: Path, shared_venv: Path
) -> None:
    (consumer_repo / "src" / "claims" / "__init__.py").write_text("def flag(score):  return score>=0.5\n")
    results = run_ci(consumer_repo, act_source, act_cache, shared_venv)
    assert results["format"] == "failure" and results["tests"] == "success"
    assert results["brickgate"] == "failure" and results["(act exit code)"] != "0"


@pytest.mark.parametrize(
    ("source", "outcome"),
    [("def flag(score):\n    return score >= 0.5\n", "success"), ("def flag(score):  return score>=0.5\n", "failure")],
)
def test_black_and_flake8_choices(
    consumer_repo: Path, act_source: Path, act_cache: Path, shared_venv: Path, source: str, outcome: str
) -> None:
    """`format: black` and `lint: flake8` run those tools (not ruff) and fail on what they flag."""
    caller = consumer_repo / ".github" / "workflows" / "brickgate-ci.yml"
    switches = (
        "      format: black\n      lint: flake8\n      type-check: false\n      security-scan: false\n"
        "      tests: false\n      yaml-validation: false\n      bundle-targets: '[]'\n"
    )
    text = caller.read_text(encoding="utf-8").replace(
        '      bundle-targets: \'["dev", "staging", "prod"]\'\n', switches
    )
    caller.write_text(text, encoding="utf-8")
    (consumer_repo / ".flake8").write_text("[flake8]\nmax-line-length = 120\n")  # the files init writes
    (consumer_repo / "src" / "claims" / "__init__.py").write_text(f'"""Claims helpers."""\n\n\n{source}')
    results = run_ci(consumer_repo, act_source, act_cache, shared_venv)
    assert {job: results[job] for job in ("format", "lint")} == {"format": outcome, "lint": outcome}
    assert results["brickgate"] == outcome
