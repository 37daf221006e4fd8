"""Bad input to every release-side command: exit 2 and exactly one stderr line, never a traceback.

Covers validate-bundle, run, runs, deploy, promote-model and tag-release through `main` (the real
error handler), each in a scratch folder holding a copy of the minimal fixture bundle as `ok/`.
Click's own usage errors (a missing argument, an out-of-range number given as a flag) are left
to click: they print its usage block, whose last line names the flag.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from brickgate.cli import main

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "bundles" / "valid" / "minimal"
SECRET = "s3cr3t-marker-value"
RUN_ID = "1795642108925026"
SEMVER_HINT = "expected a semantic version with a 'v' prefix, e.g. v1.2.3, v1.2.3-rc.1 or v1.2.3+build.7"
NO_ROOT = "no databricks.yml found (looked for databricks.yml, databricks.yaml, bundle.yml, bundle.yaml)"
BOOLEANS = "Recognized values: , 0, 1, f, false, n, no, off, on, t, true, y, yes"


def brickgate(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "-C", str(repo), *identity, *args], check=True, capture_output=True)


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working folder with `ok/` (a valid bundle), `afile`, `empty/`; git stops searching here."""
    shutil.copytree(MINIMAL, tmp_path / "ok")
    (tmp_path / "afile").write_text("x")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.setenv("PATH", f"{tmp_path / 'no-bin'}:/usr/bin:/bin")  # no databricks CLI
    yield tmp_path


BUNDLE_CASES = [
    (["validate-bundle", "nope"], "nope: not a directory"),
    (["validate-bundle", "empty"], f"empty: {NO_ROOT}"),
    (["validate-bundle", "ok", "--var", "catalog"], "--var 'catalog': expected name=value"),
    (["validate-bundle", "ok", "-t", "qa"], "databricks.yml: no target 'qa' (targets: dev, prod)"),
    (
        ["validate-bundle", "ok", "--schema", "none.json"],
        "none.json: cannot read JSON Schema: no such file or directory",
    ),
    (
        ["validate-bundle", "ok", "--schema", "afile"],
        "afile: cannot read JSON Schema: invalid JSON at line 1, column 1: Expecting value",
    ),
    (["validate-bundle", "afile"], "afile: not a directory"),
    (["validate-bundle", "ok", "--schema", "empty"], "empty: cannot read JSON Schema: is a directory"),
    (["run", "nope", "train"], "nope: not a directory"),
    (["run", "afile", "train"], "afile: not a directory"),
    (["run", "ok", "nojob"], "unknown job 'nojob' (jobs: train)"),
    (["run", "ok", "train", "-t", "qa"], "databricks.yml: no target 'qa' (targets: dev, prod)"),
    (["run", "ok", "train", "--var", "x"], "--var 'x': expected name=value"),
    (["run", "ok", "train", "--param", "x"], "--param 'x': expected name=value"),
    (["run", "ok", "train", "--param", "x=1"], "job 'train' has no parameter 'x' (job parameters: none)"),
    (["run", "ok", "train", "--only", "nope"], "job 'train' has no task 'nope' (tasks: prepare, train, evaluate)"),
    (["runs", "list", "nope"], "nope: not a directory"),
    (["runs", "show", "123", "nope"], "nope: not a directory"),
    (["runs", "show", "123", "ok"], "no run '123' under ok/.brickgate/runs"),
    (
        ["runs", "show", "../../etc", "ok"],
        "run id '../../etc' is not a number; `brickgate runs list` shows the run ids",
    ),
    (["deploy", "ok"], "missing -t/--target (or BRICKGATE_DEPLOY_TARGET)"),
    (["deploy", "nope", "-t", "dev"], "nope: not a directory"),
    (["deploy", "afile", "-t", "dev"], "afile: not a directory"),
    (["deploy", "ok", "-t", "qa"], "databricks.yml: no target 'qa' (targets: dev, prod)"),
    (["deploy", "ok", "-t", "dev", "--var", "x"], "--var 'x': expected name=value"),
    (["deploy", "ok", "-t", "dev", "--run", "nojob", "--dry-run"], "unknown job 'nojob' (jobs: train)"),
    (["deploy", "ok", "-t", "dev", "--version", "1.x"], f"--version: invalid version '1.x': {SEMVER_HINT}"),
    (
        ["deploy", "ok", "-t", "dev", "--wait"],
        "--wait follows the job started by --run JOB_KEY; give --run too, or drop --wait",
    ),
    (
        ["deploy", "ok", "-t", "dev"],
        "the Databricks CLI (databricks) is not on PATH; brickgate deploy needs v1.10.0 or newer: install it with "
        "`curl -fsSL https://raw.githubusercontent.com/databricks/setup-cli/main/install.sh | sh` "
        "(in GitHub Actions: uses: databricks/setup-cli)",
    ),
    (
        ["deploy", "ok", "-t", "prod"],
        "target 'prod' is a production target (mode: production): missing --version V and "
        "--confirm deploy-to-production (or BRICKGATE_CONFIRM); nothing was deployed",
    ),
]


@pytest.mark.parametrize(("args", "message"), BUNDLE_CASES, ids=[" ".join(a) for a, _ in BUNDLE_CASES])
def test_bundle_commands_reject_bad_input(
    args: list[str], message: str, scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert brickgate(args, capsys) == (2, "", f"brickgate: error: {message}\n")


BROKEN_ROOT_FILES = [
    ("a directory", lambda path: path.mkdir(), "cannot read: it is a directory"),
    (
        "a dangling link",
        lambda path: path.symlink_to(path.parent / "gone.yml"),
        "cannot read: it is a broken symbolic link or not a regular file",
    ),
    (
        "binary garbage",
        lambda path: path.write_bytes(b"\xff\xfe\x00\x9c"),
        "cannot read: not UTF-8 text (byte 0xff at offset 0)",
    ),
]


@pytest.mark.parametrize(("command"), ["validate-bundle", "run", "deploy"])
@pytest.mark.parametrize(("case", "make", "problem"), BROKEN_ROOT_FILES, ids=[c for c, _, _ in BROKEN_ROOT_FILES])
def test_unreadable_databricks_yml(
    command: str, case: str, make: object, problem: str, scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (scratch / "broken").mkdir()
    make(scratch / "broken" / "databricks.yml")  # type: ignore[operator]
    extra = {"validate-bundle": [], "run": ["train"], "deploy": ["-t", "dev"]}[command]
    code, out, err = brickgate([command, "broken", *extra], capsys)
    assert (code, out, err) == (2, "", f"brickgate: error: broken/databricks.yml: {problem}\n")


def test_permission_denied_names_the_file(
    scratch: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root reads any file, so the denial is simulated where the bundle loader reads."""
    real = Path.read_text

    def deny(path: Path, *args: object, **kwargs: object) -> str:
        if path.name == "databricks.yml":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", deny)
    code, out, err = brickgate(["validate-bundle", "ok"], capsys)
    assert (code, out, err) == (2, "", "brickgate: error: ok/databricks.yml: cannot read: permission denied\n")


def test_empty_databricks_yml_stops_run_naming_the_file(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (scratch / "blank").mkdir()
    (scratch / "blank" / "databricks.yml").write_text("")
    code, out, err = brickgate(["run", "blank", "train"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        "brickgate: error: the bundle has 2 validation error(s), nothing was run; first: BG004 databricks.yml "
        "must contain a YAML mapping, not an empty document (databricks.yml:1:1)\n"
    )


def fake_databricks(folder: Path, version_output: str) -> None:
    """A `databricks` executable on PATH that only answers `databricks version`."""
    folder.mkdir(exist_ok=True)
    cli = folder / "databricks"
    cli.write_text(f"#!/bin/sh\necho '{version_output}'\n")
    cli.chmod(0o755)


@pytest.mark.parametrize(
    ("version_output", "host", "message"),
    [
        (
            "Databricks CLI v0.100.0",
            "",
            "the Databricks CLI at {cli} is v0.100.0; brickgate deploy needs v1.10.0 or newer: install it with "
            "`curl -fsSL https://raw.githubusercontent.com/databricks/setup-cli/main/install.sh | sh` "
            "(in GitHub Actions: uses: databricks/setup-cli)",
        ),
        ("hello", "", "cannot tell the version of the Databricks CLI at {cli} (`databricks version` printed 'hello')"),
        (
            "Databricks CLI v1.10.0",
            "http://127.0.0.1:{port}",
            "cannot reach the Databricks workspace at http://127.0.0.1:{port}: connection refused "
            "(check DATABRICKS_HOST)",
        ),
        (
            "Databricks CLI v1.10.0",
            "http://[::1",
            "DATABRICKS_HOST 'http://[::1' is not a URL such as https://host.example",
        ),
    ],
)
def test_deploy_cli_and_workspace_problems(
    version_output: str,
    host: str,
    message: str,
    scratch: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_databricks(scratch / "no-bin", version_output)
    port = closed_port()
    if host:
        monkeypatch.setenv("DATABRICKS_HOST", host.format(port=port))
    expected = message.format(cli=scratch / "no-bin" / "databricks", port=port)
    assert brickgate(["deploy", "ok", "-t", "dev"], capsys) == (2, "", f"brickgate: error: {expected}\n")


def test_run_refuses_job_settings_validation_refuses(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A negative timeout stops `run` before any task starts, with the rule and its place."""
    shutil.copytree(MINIMAL.parents[1] / "broken" / "BG420-negative-task-timeout", scratch / "neg")
    code, out, err = brickgate(["run", "neg", "train"], capsys)
    assert (code, out) == (2, "") and not (scratch / "neg" / ".brickgate").exists()
    assert err == (
        "brickgate: error: the bundle has 1 validation error(s), nothing was run; first: BG420 "
        "resources.jobs.train.tasks[1].timeout_seconds is -5: timeout_seconds must be a whole number of seconds "
        "from 0 (no timeout) to 2147483647 (databricks.yml:14:28)\n"
    )


def test_run_cannot_record_nothing_runs(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (scratch / "ok" / ".brickgate").write_text("a file where the state folder belongs")
    code, out, err = brickgate(["run", "ok", "train"], capsys)
    assert (code, out) == (2, "")
    runs = scratch / "ok" / ".brickgate" / "runs"
    assert err.startswith(f"brickgate: error: cannot record the run in {runs}/")
    assert err.endswith(": not a directory (runs are recorded under DIR/.brickgate/runs/)\n")
    assert err.count("\n") == 1


ENV_CASES = [
    (
        "BRICKGATE_VALIDATE_BUNDLE_STRICT",
        ["validate-bundle", "ok"],
        f"BRICKGATE_VALIDATE_BUNDLE_STRICT: Invalid value for '--strict': 'abc' is not a valid boolean. {BOOLEANS}",
    ),
    (
        "BRICKGATE_RUN_MAX_PARALLEL",
        ["run", "ok", "train"],
        "BRICKGATE_RUN_MAX_PARALLEL: Invalid value for '--max-parallel': 'abc' is not an integer",
    ),
    (
        "BRICKGATE_RUNS_LIST_LIMIT",
        ["runs", "list", "ok"],
        "BRICKGATE_RUNS_LIST_LIMIT: Invalid value for '--limit': 'abc' is not an integer",
    ),
    (
        "BRICKGATE_DEPLOY_TIMEOUT",
        ["deploy", "ok", "-t", "dev"],
        "BRICKGATE_DEPLOY_TIMEOUT: Invalid value for '--timeout': 'abc' is not a number",
    ),
    (
        "BRICKGATE_PROMOTE_MODEL_MAX_REGRESSION",
        ["promote-model", "--model", "m", "--version", "1"],
        "BRICKGATE_PROMOTE_MODEL_MAX_REGRESSION: Invalid value for '--max-regression': 'abc' is not a number",
    ),
    (
        "BRICKGATE_TAG_RELEASE_PUSH",
        ["tag-release", "v1.0.0"],
        f"BRICKGATE_TAG_RELEASE_PUSH: Invalid value for '--push': 'abc' is not a valid boolean. {BOOLEANS}",
    ),
]


def test_zero_poll_interval_is_refused(
    scratch: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """0 s between polls would hammer the workspace API while a run is followed."""
    monkeypatch.setenv("BRICKGATE_DEPLOY_POLL_INTERVAL", "0")
    message = "BRICKGATE_DEPLOY_POLL_INTERVAL: Invalid value for '--poll-interval': 0 is not in the range 0 < x ≤ 60"
    assert brickgate(["deploy", "ok", "-t", "dev"], capsys) == (2, "", f"brickgate: error: {message}\n")


@pytest.mark.parametrize(("variable", "args", "message"), ENV_CASES, ids=[v for v, _, _ in ENV_CASES])
def test_invalid_environment_values(
    variable: str,
    args: list[str],
    message: str,
    scratch: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, "abc")
    assert brickgate(args, capsys) == (2, "", f"brickgate: error: {message}\n")


@pytest.mark.parametrize(
    ("section", "args", "valid"),
    [
        (
            "validate-bundle",
            ["validate-bundle", "ok"],
            "; did you mean 'strict'? (valid keys: databricks-cli, print-resolved, schema, strict, target, var",
        ),
        ("run", ["run", "ok", "train"], " (valid keys: from-task, max-parallel, only, param, target, var"),
        ("runs.list", ["runs", "list", "ok"], " (valid keys: limit"),
        (
            "deploy",
            ["deploy", "ok", "-t", "dev"],
            " (valid keys: auto-approve, confirm, dry-run, plan, plan-out, poll-interval, run, target, timeout,"
            " var, version, wait",
        ),
        (
            "tag-release",
            ["tag-release", "v1.0.0"],
            " (valid keys: gate-summary, github-release, message, push, ref, remote",
        ),
        (
            "promote-model",
            ["promote-model", "--model", "m", "--version", "1"],
            "; did you mean 'metric'? (valid keys: dry-run, from-alias, gate-result, gates, higher-is-better, "
            "max-regression, metric, model, "
            "previous-alias, registry-uri, require-gates, restore-wait, rollback, to-alias, tracking-uri, version",
        ),
    ],
)
def test_unknown_pyproject_keys(
    section: str, args: list[str], valid: str, scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (scratch / "pyproject.toml").write_text(f"[tool.brickgate.{section}]\nstrictt = true\n")
    message = f"pyproject.toml: unknown key 'strictt' in [tool.brickgate.{section}]{valid})"
    assert brickgate(args, capsys) == (2, "", f"brickgate: error: {message}\n")


def test_corrupted_run_records(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = scratch / "ok" / ".brickgate" / "runs" / RUN_ID
    folder.mkdir(parents=True)
    record = folder / "run.json"
    prefix = f"brickgate: error: ok/.brickgate/runs/{RUN_ID}/run.json: not a readable brickgate run record: "
    for content, problem in [
        ('{"run_id": 5', "invalid JSON at line 1, column 13: Expecting ',' delimiter"),
        ("[1]", "top level: [1] is not of type 'object'"),
        ('{"run_id": 5}', "top level: 'schema_version' is a required property"),
    ]:
        record.write_text(content)
        assert brickgate(["runs", "show", RUN_ID, "ok"], capsys) == (2, "", prefix + problem + "\n")
    record.write_bytes(b"\xc1\x00")
    assert brickgate(["runs", "show", RUN_ID, "ok"], capsys) == (
        2,
        "",
        prefix + "not UTF-8 text (byte 0xc1 at offset 0)\n",
    )
    code, out, err = brickgate(["runs", "list", "ok"], capsys)  # a listing leaves out what it cannot read
    warning = f"brickgate: warning: {prefix.removeprefix('brickgate: error: ')}not UTF-8 text (byte 0xc1 at offset 0)"
    assert (code, err) == (0, f"{warning}; left out\n") and "no runs recorded yet" in out


PROMOTE_CASES = [
    ([], "missing --model (or BRICKGATE_PROMOTE_MODEL_MODEL)"),
    (["--model", "m"], "give exactly one of --version N or --from-alias ALIAS (or --rollback)"),
    (
        ["--model", "m", "--version", "1", "--from-alias", "challenger"],
        "give exactly one of --version N or --from-alias ALIAS (or --rollback)",
    ),
    (["--model", "m", "--version", "abc"], "--version 'abc' is not a model version number"),
    (["--model", "m", "--version", "1", "--rollback"], "--rollback takes no --version: it moves champion back"),
    (["--model", "m", "--version", "1", "--max-regression", "0.1"], "--metric and --max-regression go together"),
    (
        ["--model", "m", "--version", "1", "--to-alias", "v2"],
        "--to-alias 'v2' is not a valid alias: letters, digits, '_' and '-', not 'latest' nor v<number>",
    ),
    (
        ["--model", "m", "--version", "1", "--gate-result", "none.json"],
        "--gate-result none.json: cannot read JSON: no such file or directory",
    ),
    (
        ["--model", "m", "--version", "1", "--gate-result", "empty"],
        "--gate-result empty: cannot read JSON: is a directory",
    ),
    (
        ["--model", "m", "--version", "1", "--tracking-uri", "databricks"],
        "--model 'm' is not a Unity Catalog model name: with registry databricks-uc use catalog.schema.model",
    ),
]


@pytest.mark.parametrize(("args", "message"), PROMOTE_CASES, ids=[" ".join(a) or "none" for a, _ in PROMOTE_CASES])
def test_promote_model_rejects_bad_options(
    args: list[str], message: str, scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert brickgate(["promote-model", *args], capsys) == (2, "", f"brickgate: error: {message}\n")


def test_promote_model_registry_failures_are_one_line(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    code, out, err = brickgate(
        ["promote-model", "--model", "m", "--version", "1", "--tracking-uri", f"http://127.0.0.1:{port}"], capsys
    )
    assert (code, out, err) == (
        2,
        "",
        f"brickgate: error: cannot reach the MLflow server at http://127.0.0.1:{port}: connection refused "
        "(check --tracking-uri / --registry-uri)\n",
    )
    (scratch / "garbage.db").write_text("not a database")
    code, out, err = brickgate(
        ["promote-model", "--model", "m", "--version", "1", "--tracking-uri", "sqlite:///garbage.db"], capsys
    )
    assert (code, out, err) == (
        2,
        "",
        "brickgate: error: registry sqlite:///garbage.db: (sqlite3.DatabaseError) file is not a database\n",
    )
    code, out, err = brickgate(
        ["promote-model", "--model", "m", "--version", "1", "--tracking-uri", "nope://x"], capsys
    )
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert err.startswith("brickgate: error: registry nope://x: Model registry functionality is unavailable")
    code, out, err = brickgate(["promote-model", "--model", "m", "--version", "1"], capsys)  # fresh local registry
    assert (code, out, err) == (
        2,
        "",
        "brickgate: error: model 'm' not found in registry sqlite:///.brickgate/mlflow.db\n",
    )


@pytest.fixture
def repo(scratch: Path) -> Path:
    git(scratch, "init", "-q")
    return scratch


TAG_CASES = [
    ([], "missing VERSION argument (or BRICKGATE_TAG_RELEASE_VERSION), e.g. brickgate tag-release v1.2.3"),
    (["1.2.3"], f"invalid version '1.2.3': {SEMVER_HINT}; did you mean v1.2.3?"),
    (["v1.2"], f"invalid version 'v1.2': {SEMVER_HINT}"),
    (["v1.0.0", "--ref", "nope"], "--ref 'nope' is not a commit in {repo}"),
    (
        ["v1.0.0", "--push"],
        "cannot read tags of remote 'origin': fatal: 'origin' does not appear to be a git repository",
    ),
    (["v1.0.0", "--github-release"], "--github-release needs GITHUB_TOKEN and GITHUB_REPOSITORY in the environment"),
    (["v1.0.0", "--gate-summary", "missing.md"], "--gate-summary missing.md: cannot read: no such file or directory"),
]


@pytest.mark.parametrize(("args", "message"), TAG_CASES, ids=[" ".join(a) or "none" for a, _ in TAG_CASES])
def test_tag_release_rejects_bad_input_and_creates_no_tag(
    args: list[str], message: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "first")
    code, out, err = brickgate(["tag-release", *args], capsys)
    assert (code, out, err) == (2, "", f"brickgate: error: {message.format(repo=repo)}\n")
    assert subprocess.run(["git", "-C", str(repo), "tag"], capture_output=True, text=True).stdout == ""


def test_tag_release_outside_a_repository_and_without_commits(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = f"brickgate: error: {scratch} is not a git repository (run tag-release inside the repository to tag)\n"
    assert brickgate(["tag-release", "v1.0.0"], capsys) == (2, "", expected)
    git(scratch, "init", "-q")
    expected = f"brickgate: error: --ref 'HEAD' is not a commit in {scratch} (the repository has no commits yet)\n"
    assert brickgate(["tag-release", "v1.0.0"], capsys) == (2, "", expected)


def test_github_release_input_is_checked_before_tagging(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "first")
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{closed_port()}")
    args = ["tag-release", "v1.0.0", "--github-release", "--gate-summary", "none.md"]
    message = "brickgate: error: --gate-summary none.md: cannot read: no such file or directory\n"
    assert brickgate(args, capsys) == (2, "", message)
    assert subprocess.run(["git", "-C", str(repo), "tag"], capture_output=True, text=True).stdout == ""
    code, out, err = brickgate(["tag-release", "v1.0.0", "--github-release"], capsys)  # API down after tagging
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert "unreachable: ConnectionError (created tag v1.0.0 at " in err
    assert err.endswith("; rerunning the same command keeps the tag and creates the release)\n")


def test_no_secret_in_any_output(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokens and webhook URLs from the environment never reach stdout or stderr, even with -v."""
    git(repo, "commit", "-q", "--allow-empty", "-m", "first")
    for name in ("DATABRICKS_TOKEN", "GITHUB_TOKEN", "BRICKGATE_SLACK_WEBHOOK_URL"):
        monkeypatch.setenv(name, SECRET if name != "BRICKGATE_SLACK_WEBHOOK_URL" else f"https://hooks/{SECRET}")
    port = closed_port()
    shutil.copytree(repo / "ok", repo / "leak")  # a resolved secret lands in a diagnostic's message
    config = repo / "leak" / "databricks.yml"
    config.write_text(config.read_text().replace("./src/prepare.py", "./src/${var.catalog}.py"))
    runs = [
        ["-v", "deploy", "leak", "-t", "dev", "--dry-run", "--var", f"catalog={SECRET}"],
        ["-v", "--format", "json", "deploy", "leak", "-t", "dev", "--var", f"catalog={SECRET}"],
        ["-v", "validate-bundle", "leak", "--var", f"catalog={SECRET}"],
        ["-v", "validate-bundle", "ok", "--var", f"catalog={SECRET}", "--print-resolved"],
        ["-v", "--format", "json", "validate-bundle", "ok", "--var", f"catalog={SECRET}"],
        ["-v", "deploy", "ok", "-t", "dev", "--dry-run", "--var", f"catalog={SECRET}"],
        ["-v", "deploy", "ok", "-t", "dev", "--var", f"catalog={SECRET}"],
        [
            "-v",
            "promote-model",
            "--model",
            "m",
            "--version",
            "1",
            "--tracking-uri",
            f"http://u:{SECRET}@127.0.0.1:{port}",
        ],
        ["-v", "tag-release", "v1.0.0", "--push", "--remote", f"https://x:{SECRET}@127.0.0.1:{port}/r.git"],
        ["-v", "runs", "show", SECRET, "ok"],
    ]
    for args in runs:
        _, out, err = brickgate(args, capsys)
        assert SECRET not in out + err, (args, out, err)
        assert "Traceback" not in err
    assert json.loads(brickgate(["--format", "json", "runs", "list", "ok"], capsys)[1]) == {"runs": []}
