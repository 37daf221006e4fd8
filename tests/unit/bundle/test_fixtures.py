"""Every broken fixture reports its rule at the expected file and line; every valid one passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brickgate.bundle import diagnostics as dg
from brickgate.bundle.validate import ValidateOptions, validate_bundle
from tests.unit.bundle.conftest import BROKEN, VALID

BROKEN_CASES = sorted(p for p in BROKEN.iterdir() if p.is_dir())
VALID_CASES = [
    (VALID / name, target) for name in ("minimal", "variables", "target-overrides") for target in ("dev", "prod")
]
VALID_CASES.append((VALID / "includes", "dev"))
SEVERITY = {rule.id: rule.severity for rule in dg.RULES}


def _validate(folder: Path, expected: dict[str, object] | None = None) -> list[dg.Diagnostic]:
    expected = expected or {}
    env = expected.get("env", {})
    assert isinstance(env, dict)
    target = expected.get("target")
    options = ValidateOptions(target=str(target) if target else None, env=env, databricks_cli=False)
    return list(validate_bundle(folder, options).diagnostics)


@pytest.mark.parametrize("case", BROKEN_CASES, ids=lambda p: p.name)
def test_broken_fixture_reports_rule_file_and_line(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert case.name.startswith(f"{expected['rule']}-")
    found = _validate(case, expected)
    assert (expected["rule"], expected["file"], expected["line"]) in [(d.rule, d.file, d.line) for d in found], found
    assert {d.rule for d in found} == {expected["rule"]}, "a broken fixture shows one problem"
    marked = (case / expected["file"]).read_text(encoding="utf-8").splitlines()[expected["line"] - 1]
    assert f"# <- {expected['rule']}" in marked


def test_enough_broken_fixtures_and_every_local_rule_covered() -> None:
    assert len(BROKEN_CASES) >= 30
    covered = {case.name.split("-")[0] for case in BROKEN_CASES}
    local_rules = {r.id for r in dg.RULES if not r.id.startswith("BG5") and r.severity != "info"}
    assert local_rules <= covered, sorted(local_rules - covered)


@pytest.mark.parametrize(("case", "target"), VALID_CASES, ids=lambda v: v.name if isinstance(v, Path) else v)
def test_valid_fixture_has_no_errors_or_warnings(case: Path, target: str) -> None:
    found = _validate(case, {"target": target})
    assert [d for d in found if d.severity != "info"] == []


# Messages are part of the interface: a few compared verbatim.
MESSAGES = {
    "BG402-unknown-dependency": "task 'evaluate' depends on 'trian', which is not a task of job 'train'; "
    "did you mean 'train'?",
    "BG403-dependency-cycle": "tasks of job 'train' depend on each other in a cycle: "
    "prepare -> evaluate -> train -> prepare",
    "BG301-undefined-variable": "variable 'catalg' is not defined (used in resources.jobs.train.description); "
    "did you mean 'catalog'?",
    "BG406-missing-notebook-relative-to-include": "notebook_path './src/report' does not exist "
    "(looked for resources/src/report, relative to resources/report.yml)",
    "BG101-unknown-task-key": "unknown key 'depend_on' in resources.jobs.train.tasks[2] (did you mean 'depends_on'?)",
    "BG102-wrong-type-integer": "resources.jobs.train.max_concurrent_runs must be an integer, not string",
    "BG409-cron-no-question-mark": "quartz_cron_expression '0 30 2 * * MON-FRI' is invalid: "
    "use '?' in exactly one of day-of-month and day-of-week",
    "BG005-resource-in-two-files": "job 'train' is defined in both databricks.yml and resources/train.yml; "
    "a resource key must be unique across files",
    "BG307-unknown-resource-reference": "'${resources.jobs.trian.id}' in resources.jobs.train.tasks[2].run_job_task"
    ".job_id refers to job 'trian', which is not defined; did you mean 'train'?",
}


@pytest.mark.parametrize(("case", "message"), MESSAGES.items())
def test_messages_verbatim(case: str, message: str) -> None:
    expected = json.loads((BROKEN / case / "expected.json").read_text(encoding="utf-8"))
    assert [d.message for d in _validate(BROKEN / case, expected)] == [message]


def test_yaml_path_and_column_are_reported() -> None:
    (found,) = _validate(BROKEN / "BG404-unknown-job-cluster")
    assert (found.path, found.line, found.column) == ("resources.jobs.train.tasks[2].job_cluster_key", 24, 28)


def test_docs_list_every_rule_id() -> None:
    docs = (BROKEN.parents[3] / "docs" / "cli.md").read_text(encoding="utf-8")
    assert [rule.id for rule in dg.RULES if f"| `{rule.id}` |" not in docs] == []
    assert len({rule.id for rule in dg.RULES}) == len(dg.RULES), "rule ids are unique"
