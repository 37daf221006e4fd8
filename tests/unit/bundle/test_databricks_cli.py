"""`databricks bundle validate` / `bundle schema` through the recording stand-in on PATH."""

from __future__ import annotations

from pathlib import Path

import pytest

from brickgate.bundle.databricks_cli import parse_validate_output
from brickgate.bundle.validate import CLI_SCHEMA, ValidateOptions, validate_bundle
from brickgate.errors import InfraError
from tests.helpers.fake_databricks_cli import fake_databricks
from tests.unit.bundle.conftest import VALID

MINIMAL = VALID / "minimal"
SHIPPED = Path(__file__).resolve().parents[3] / "toolkit" / "brickgate" / "schemas" / "bundle.json"
# The text format of databricks/cli's diagnostic renderer (bundle/render), colours included.
CLI_OUTPUT = (
    "\x1b[33mWarning\x1b[0m: unknown field: tsks\n"
    "  at \x1b[32mresources.jobs.train\x1b[0m\n"
    "  in \x1b[36mdatabricks.yml:12:7\x1b[0m\n"
    "\n"
    "Error: cannot resolve variable reference ${var.x}\n"
    "  at resources.jobs.train.name\n"
    "     resources.jobs.train.description\n"
    "  in {root}/resources/train.yml:4:13\n"
    "     databricks.yml:20:5\n"
    "\n"
    "The detail paragraph explains more.\n"
    "\n"
    "Recommendation: permissions section should include yourself\n"
    "\n"
    "Found 1 error, 1 warning and 1 recommendation\n"
)


def test_parse_validate_output_keeps_first_path_and_location() -> None:
    found = parse_validate_output(CLI_OUTPUT.replace("{root}", "/b"), Path("/b"))
    assert [(d.rule, d.severity, d.file, d.line, d.column, d.path) for d in found] == [
        ("BG502", "warning", "databricks.yml", 12, 7, "resources.jobs.train"),
        ("BG501", "error", "resources/train.yml", 4, 13, "resources.jobs.train.name"),
        ("BG503", "info", None, None, None, None),
    ]
    assert found[1].message == "databricks bundle validate: cannot resolve variable reference ${var.x}"


def test_cli_on_path_gives_schema_and_diagnostics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_databricks(
        tmp_path,
        monkeypatch,
        {
            "bundle schema": {"stdout_file": str(SHIPPED)},
            "bundle validate": {"stderr": CLI_OUTPUT.replace("{root}", str(MINIMAL.resolve())), "exit": 1},
        },
    )
    result = validate_bundle(MINIMAL, ValidateOptions(target="prod", variables={"catalog": "x"}))
    assert fake.calls() == [["bundle", "schema"], ["bundle", "validate", "-t", "prod", "--var", "catalog=x"]]
    assert result.schema_source == CLI_SCHEMA and result.databricks_cli is not None
    assert [d.rule for d in result.diagnostics] == ["BG503", "BG502", "BG501"]
    assert not result.passed


def test_cli_failure_without_diagnostics_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_databricks(
        tmp_path,
        monkeypatch,
        {
            "bundle schema": {"stdout_file": str(SHIPPED)},
            "bundle validate": {"stderr": "panic: something broke\n", "exit": 2},
        },
    )
    (failure,) = validate_bundle(MINIMAL, ValidateOptions(target="dev")).diagnostics
    assert (failure.rule, failure.message) == (
        "BG504",
        "databricks bundle validate exited with 2: panic: something broke",
    )


def test_no_databricks_cli_flag_skips_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_databricks(tmp_path, monkeypatch, {"": {"exit": 3}})
    result = validate_bundle(MINIMAL, ValidateOptions(target="dev", databricks_cli=False))
    assert fake.calls() == [] and result.passed and result.databricks_cli is None


def test_schema_failure_is_an_infrastructure_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_databricks(tmp_path, monkeypatch, {"bundle schema": {"stderr": "Error: unknown command\n", "exit": 1}})
    with pytest.raises(InfraError, match=r"^databricks bundle schema failed \(exit 1: Error: unknown command\)"):
        validate_bundle(MINIMAL, ValidateOptions(target="dev"))


def test_cli_schema_reports_unknown_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    strict_schema = tmp_path / "schema.json"
    strict_schema.write_text(
        '{"type": "object", "properties": {"bundle": {}, "variables": {}, "targets": {}, "workspace": {}, '
        '"run_as": {}}, "additionalProperties": false}',
        encoding="utf-8",
    )
    fake_databricks(tmp_path, monkeypatch, {"bundle schema": {"stdout_file": str(strict_schema)}})
    (unknown,) = validate_bundle(MINIMAL, ValidateOptions(target="dev")).diagnostics
    assert (unknown.rule, unknown.message, unknown.line) == ("BG101", "unknown key 'resources' in the top level", 13)


def test_schema_file_option_is_used_without_the_cli(tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object", "required": ["permissions"]}', encoding="utf-8")
    result = validate_bundle(MINIMAL, ValidateOptions(target="dev", schema=schema, databricks_cli=False))
    assert result.schema_source == str(schema)
    assert [(d.rule, d.message) for d in result.diagnostics] == [
        ("BG103", "the top level is missing required key 'permissions'")
    ]


def test_stand_in_answers_any_command_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    fake = fake_databricks(tmp_path, monkeypatch)
    monkeypatch.setenv("FAKE_DATABRICKS_STDOUT", '{"ok": true}')
    monkeypatch.setenv("FAKE_DATABRICKS_EXIT", "4")
    result = subprocess.run(["databricks", "jobs", "list", "-o", "json"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (4, '{"ok": true}')
    assert fake.calls() == [["jobs", "list", "-o", "json"]]
