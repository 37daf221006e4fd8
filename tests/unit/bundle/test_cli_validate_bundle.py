"""`brickgate validate-bundle`: exit codes, the three output formats and option resolution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brickgate.cli import main
from brickgate.output import validate_against_schema
from tests.helpers.github_files import fake_github
from tests.unit.bundle.conftest import BROKEN, VALID

MINIMAL = str(VALID / "minimal")
CYCLE = str(BROKEN / "BG403-dependency-cycle")
SPOT = str(BROKEN / "BG408-spot-without-fallback")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_valid_bundle_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate-bundle", MINIMAL, "-t", "dev"], capsys)
    assert code == 0
    assert out.strip() == "✓ bundle 'minimal' (target dev): passed, 0 errors, 0 warnings"


def test_errors_exit_1_grouped_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate-bundle", str(BROKEN / "BG406-missing-notebook-relative-to-include")], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "resources/report.yml"
    assert lines[1].split()[:3] == ["7:28", "error", "BG406"]
    assert lines[-1] == "✗ bundle 'missing_nb' (target dev): failed, 1 error, 0 warnings"


def test_warnings_fail_only_with_strict(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(["validate-bundle", SPOT], capsys)[0] == 0
    code, out, _ = run(["validate-bundle", SPOT, "--strict"], capsys)
    assert code == 1 and out.splitlines()[-1].endswith("1 warning (--strict: warnings fail)")
    monkeypatch.setenv("BRICKGATE_VALIDATE_BUNDLE_STRICT", "true")
    assert run(["validate-bundle", SPOT], capsys)[0] == 1
    assert run(["validate-bundle", SPOT, "--no-strict"], capsys)[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate-bundle", "no/such/dir"], "brickgate: error: no/such/dir: not a directory"),
        (
            ["validate-bundle", MINIMAL, "-t", "qa"],
            "brickgate: error: databricks.yml: no target 'qa' (targets: dev, prod)",
        ),
        (["validate-bundle", MINIMAL, "--var", "catalog"], "brickgate: error: --var 'catalog': expected name=value"),
        (
            ["validate-bundle", MINIMAL, "--schema", "missing.json"],
            "brickgate: error: missing.json: cannot read JSON Schema: no such file or directory",
        ),
    ],
)
def test_unreadable_input_exits_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(args, capsys)
    assert (code, out, err) == (2, "", message + "\n")


def test_missing_databricks_yml_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate-bundle", str(tmp_path)], capsys)
    assert code == 2
    assert err == (
        f"brickgate: error: {tmp_path}: no databricks.yml found "
        "(looked for databricks.yml, databricks.yaml, bundle.yml, bundle.yaml)\n"
    )


def test_json_format_follows_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "json", "validate-bundle", CYCLE], capsys)
    document = json.loads(out)
    validate_against_schema(document, "validate-bundle")
    assert code == 1 and document["passed"] is False
    assert document["summary"] == {"errors": 1, "warnings": 0, "infos": 0}
    assert document["diagnostics"] == [
        {
            "rule": "BG403",
            "severity": "error",
            "message": "tasks of job 'train' depend on each other in a cycle: prepare -> evaluate -> train -> prepare",
            "file": "databricks.yml",
            "line": 10,
            "column": 11,
            "path": "resources.jobs.train.tasks[0].depends_on",
        }
    ]


def test_github_format_annotates_summarises_and_sets_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = fake_github(tmp_path, monkeypatch)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(VALID.parents[3]))  # annotations name repository paths
    code, out, _ = run(["validate-bundle", SPOT], capsys)
    assert code == 0
    annotation, verdict = out.splitlines()
    assert annotation.startswith(
        "::warning file=tests/fixtures/bundles/broken/BG408-spot-without-fallback/databricks.yml,line=15,col=29,"
        "title=BG408 warning::resources.jobs.train.job_clusters[0].new_cluster.aws_attributes.availability is SPOT"
    )
    assert verdict == "✓ bundle 'spot' (target dev): passed, 0 errors, 1 warning"
    assert files.outputs() == {"errors": "0", "warnings": "1", "passed": "true"}
    summary = files.summary_text()
    assert "| warning | BG408 | `databricks.yml:15` |" in summary


def test_print_resolved_prints_the_target_configuration(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate-bundle", MINIMAL, "-t", "prod", "--print-resolved", "--var", "catalog=x"], capsys)
    config = json.loads(out)
    assert code == 0
    assert config["bundle"] == {"name": "minimal", "target": "prod", "mode": "production"}
    assert config["variables"]["catalog"]["value"] == "x"
    assert config["resources"]["jobs"]["train"]["tasks"][0]["spark_python_task"]["parameters"] == ["--catalog", "x"]
    assert "passed" in err


def test_print_resolved_hides_secret_values(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-secret-value")
    code, out, _ = run(["validate-bundle", MINIMAL, "--print-resolved", "--var", "catalog=dapi-secret-value"], capsys)
    assert code == 0 and "dapi-secret-value" not in out and '"--catalog",\n' in out


def test_target_from_brickgate_env_and_databricks_env(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABRICKS_BUNDLE_TARGET", "prod")
    assert "(target prod)" in run(["validate-bundle", MINIMAL], capsys)[1]
    monkeypatch.setenv("BRICKGATE_VALIDATE_BUNDLE_TARGET", "dev")
    assert "(target dev)" in run(["validate-bundle", MINIMAL], capsys)[1]


def test_yaml_syntax_error_is_a_diagnostic(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "json", "validate-bundle", str(BROKEN / "BG001-yaml-syntax")], capsys)
    (diagnostic,) = json.loads(out)["diagnostics"]
    assert code == 1 and (diagnostic["rule"], diagnostic["line"]) == ("BG001", 7)


def test_several_default_targets_are_a_diagnostic_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate-bundle", str(BROKEN / "BG202-two-default-targets")], capsys)
    assert code == 1 and "BG202" in out and "(target dev)" in out
