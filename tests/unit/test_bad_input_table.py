"""The bad-input table: every command, run as a real process with a deadline, on input it must refuse.

Each case runs `python -m brickgate` in a scratch folder (no Databricks CLI on PATH, no
credentials) and checks the exit code, that stderr is exactly one `brickgate: error:` line for a
refusal (exit 2) with the expected start, that no traceback or internal error appears, and that
the process ends within `DEADLINE` seconds. A verdict (exit 1, a bundle that fails validation)
is checked for the same absence of tracebacks. The count of cases is reported in docs/cli.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from brickgate import settings
from brickgate.bundle import diagnostics as dg

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BROKEN = FIXTURES / "bundles" / "broken"
DEADLINE = 60.0  # seconds per case; the slowest (an MLflow import) takes a few seconds
ERROR = "brickgate: error: "
FAIRNESS = ["fairness-gate", "--data", "claims.csv", "--score-column", "score", "--protected-attributes", "sex"]
PSI = ["psi-gate", "--current", "cur.csv", "--profile", "profile.json"]
PROFILE = ["psi-gate", "profile", "--reference", "ref.csv", "--all-features", "--out", "out.json"]
PROMOTE = ["promote-model", "--model", "m", "--version", "1"]


@dataclass(frozen=True)
class Case:
    """Arguments, what stderr starts with after `brickgate: error: `, the exit code, and the setting."""

    args: Sequence[str]
    message: str = ""
    code: int = 2
    env: Mapping[str, str] = field(default_factory=dict)
    toml: str = ""  # a pyproject.toml [tool.brickgate] body for this case
    cwd: str = "."

    @property
    def id(self) -> str:
        where = " ".join(f"{k}={v}" for k, v in self.env.items()) + (f" toml:{self.toml!r}" if self.toml else "")
        return (" ".join(self.args) + (" " + where if where.strip() else ""))[:120]


# Per numeric option: the command line it is tried on, and values outside its definition.
NUMERIC = {
    ("deploy", "timeout"): (["deploy", "ok", "-t", "dev"], ["nan", "inf", "-5", "0", "1e308", "abc"]),
    ("deploy", "poll_interval"): (["deploy", "ok", "-t", "dev"], ["nan", "0", "-1", "61", "inf"]),
    ("promote-model", "max_regression"): (PROMOTE, ["nan", "-0.1", "inf", "1e300"]),
    ("promote-model", "restore_wait"): (PROMOTE, ["nan", "-1", "1e9", "inf"]),
    ("run", "max_parallel"): (["run", "ok", "train"], ["-1", "1.5", "1e3", "100000", "nan"]),
    ("runs list", "limit"): (["runs", "list", "ok"], ["0", "-3", "2.5", "1e9", "x"]),
    ("fairness-gate", "threshold"): (FAIRNESS, ["nan", "1e308", "-inf", "inf"]),
    ("fairness-gate", "threshold_percentile"): (FAIRNESS, ["nan", "0", "100", "-1", "1e308"]),
    ("fairness-gate", "di_min"): (FAIRNESS, ["nan", "0", "-0.8", "1.5"]),
    ("fairness-gate", "di_max"): (FAIRNESS, ["nan", "0.5", "inf"]),
    ("fairness-gate", "alpha"): (FAIRNESS, ["nan", "0", "1", "-0.05"]),
    ("fairness-gate", "min_group_size"): (FAIRNESS, ["1.5", "0", "-30", "nan", "1e12"]),
    ("psi-gate", "bins"): (PSI, ["1000000000", "1", "0", "2.5", "nan"]),
    ("psi-gate", "warn"): (PSI, ["-1", "0", "nan", "inf"]),
    ("psi-gate", "fail"): (PSI, ["-0.25", "nan", "1e308"]),
    ("psi-gate", "epsilon"): (PSI, ["0", "nan", "0.5", "-1e-4"]),
    ("psi-gate profile", "bins"): (PROFILE, ["1000000000", "1", "3.5"]),
    ("psi-gate profile", "relative_error"): (PROFILE, ["-0.1", "2", "nan"]),
}


def numeric_cases() -> list[Case]:
    """Each bad value as a flag; the first as an environment variable and as a pyproject value."""
    cases = []
    for (command, name), (args, values) in NUMERIC.items():
        spec = settings.spec(command, name)
        flag = f"--{spec.key}"
        message = f"Invalid value for '{flag}': "
        cases += [Case([*args, flag, value], message) for value in values]
        cases.append(Case(args, f"{spec.env}: {message}", env={spec.env: values[0]}))
        table = command.replace(" ", ".")
        toml_value = values[0] if _is_float(values[0]) else f'"{values[0]}"'  # TOML has nan and inf too
        where = f"pyproject.toml [tool.brickgate.{table}] {spec.key}: {message}"
        cases.append(Case(args, where, toml=f"[tool.brickgate.{table}]\n{spec.key} = {toml_value}\n", cwd="t"))
    return cases


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


OTHER_ENV = [
    Case(
        ["validate-bundle", "ok"], "BRICKGATE_VALIDATE_BUNDLE_STRICT: ", env={"BRICKGATE_VALIDATE_BUNDLE_STRICT": "x"}
    ),
    Case(["deploy", "ok", "-t", "dev"], "BRICKGATE_DEPLOY_WAIT: ", env={"BRICKGATE_DEPLOY_WAIT": "maybe"}),
    Case(
        ["tag-release", "v1.0.0"], "BRICKGATE_TAG_RELEASE_PUSH: ", env={"BRICKGATE_TAG_RELEASE_PUSH": "2"}, cwd="repo"
    ),
    Case(PROMOTE, "BRICKGATE_PROMOTE_MODEL_DRY_RUN: ", env={"BRICKGATE_PROMOTE_MODEL_DRY_RUN": "perhaps"}),
    Case(["runs", "list", "ok"], "BRICKGATE_FORMAT: ", env={"BRICKGATE_FORMAT": "yaml"}),
    Case(["runs", "list", "ok"], "BRICKGATE_VERBOSE: ", env={"BRICKGATE_VERBOSE": "9"}),
    Case(FAIRNESS, "BRICKGATE_FAIRNESS_GATE_ENGINE: ", env={"BRICKGATE_FAIRNESS_GATE_ENGINE": "dask"}),
    Case(PSI, "BRICKGATE_PSI_GATE_FAIL_ON_DRIFT: ", env={"BRICKGATE_PSI_GATE_FAIL_ON_DRIFT": "sometimes"}),
]

UNKNOWN_KEYS = [
    Case(
        ["runs", "list", "ok"],
        "pyproject.toml: unknown key 'formt' in [tool.brickgate]; did you mean 'format'?",
        toml='[tool.brickgate]\nformt = "json"\n',
        cwd="t",
    ),
    Case(
        ["runs", "list", "ok"],
        "pyproject.toml: unknown key 'deplyo' in [tool.brickgate]; did you mean 'deploy'?",
        toml="[tool.brickgate.deplyo]\ntimeout = 5\n",
        cwd="t",
    ),
    Case(
        ["runs", "list", "ok"],
        "pyproject.toml: unknown key 'limits' in [tool.brickgate.runs.list]",
        toml="[tool.brickgate.runs.list]\nlimits = 5\n",
        cwd="t",
    ),
    Case(
        ["runs", "list", "ok"],
        "pyproject.toml: unknown key 'binz' in [tool.brickgate.psi-gate.profile]",
        toml="[tool.brickgate.psi-gate.profile]\nbinz = 5\n",
        cwd="t",
    ),
    Case(
        ["runs", "list", "ok"],
        "pyproject.toml: timeout in [tool.brickgate.deploy] must be a value, not a table",
        toml="[tool.brickgate.deploy.timeout]\nx = 1\n",
        cwd="t",
    ),
    Case(["runs", "list", "ok"], "{root}/t/pyproject.toml: cannot read [tool.brickgate]", toml="[tool.b\n", cwd="t"),
] + [
    Case(
        args,
        f"pyproject.toml: unknown key 'nope' in [tool.brickgate.{section}]",
        toml=f"[tool.brickgate.{section}]\nnope = 1\n",
        cwd="t",
    )
    for section, args in [
        ("validate-bundle", ["validate-bundle", "ok"]),
        ("run", ["run", "ok", "train"]),
        ("deploy", ["deploy", "ok", "-t", "dev"]),
        ("promote-model", PROMOTE),
        ("tag-release", ["tag-release", "v1.0.0"]),
        ("init", ["init", "new"]),
        ("fairness-gate", FAIRNESS),
        ("psi-gate", PSI),
    ]
]

USAGE = [
    Case(["nosuch"], "No such command 'nosuch'."),
    Case(["--format", "yaml", "runs", "list"], "Invalid value for '--format'"),
    Case(["runs", "show"], "Missing argument 'RUN_ID'."),
    Case(["run"], "Missing argument '[DIR]'."),
] + [
    Case([*args, "--bogus"], "No such option '--bogus'.")
    for args in (
        ["validate-bundle"],
        ["run", "ok", "train"],
        ["runs", "list"],
        ["deploy"],
        ["promote-model"],
        ["tag-release"],
        ["init"],
        ["fairness-gate"],
        ["psi-gate"],
        ["psi-gate", "profile"],
    )
]

BUNDLES = [
    Case(["validate-bundle", "nope"], "nope: not a directory"),
    Case(["validate-bundle", "empty"], "empty: no databricks.yml found"),
    Case(["validate-bundle", "afile"], "afile: not a directory"),
    Case(["validate-bundle", "ok", "--var", "catalog"], "--var 'catalog': expected name=value"),
    Case(["validate-bundle", "ok", "--var", "=x"], "--var '=x': expected name=value"),
    Case(["validate-bundle", "ok", "-t", "qa"], "databricks.yml: no target 'qa' (targets: dev, prod)"),
    Case(["validate-bundle", "ok", "--schema", "none.json"], "none.json: cannot read JSON Schema"),
    Case(["validate-bundle", "ok", "--schema", "afile"], "afile: cannot read JSON Schema: invalid JSON"),
    Case(["validate-bundle", "ok", "--schema", "empty"], "empty: cannot read JSON Schema: is a directory"),
    Case(["run", "nope", "train"], "nope: not a directory"),
    Case(["run", "ok", "nojob"], "unknown job 'nojob' (jobs: train)"),
    Case(["run", "ok", "train", "-t", "qa"], "databricks.yml: no target 'qa'"),
    Case(["run", "ok", "train", "--var", "x"], "--var 'x': expected name=value"),
    Case(["run", "ok", "train", "--param", "x"], "--param 'x': expected name=value"),
    Case(["run", "ok", "train", "--param", "x=1"], "job 'train' has no parameter 'x'"),
    Case(["run", "ok", "train", "--only", "nope"], "job 'train' has no task 'nope'"),
    Case(["run", "ok", "train", "--from", "nope"], "job 'train' has no task 'nope'"),
    Case(["runs", "list", "nope"], "nope: not a directory"),
    Case(["runs", "show", "123", "nope"], "nope: not a directory"),
    Case(["runs", "show", "123", "ok"], "no run '123' under ok/.brickgate/runs"),
    Case(["runs", "show", "../../etc", "ok"], "run id '../../etc' is not a number"),
    Case(["deploy", "ok"], "missing -t/--target (or BRICKGATE_DEPLOY_TARGET)"),
    Case(["deploy", "nope", "-t", "dev"], "nope: not a directory"),
    Case(["deploy", "ok", "-t", "qa"], "databricks.yml: no target 'qa'"),
    Case(["deploy", "ok", "-t", "dev", "--var", "x"], "--var 'x': expected name=value"),
    Case(["deploy", "ok", "-t", "dev", "--run", "nojob", "--dry-run"], "unknown job 'nojob' (jobs: train)"),
    Case(["deploy", "ok", "-t", "dev", "--version", "1.x"], "--version: invalid version '1.x'"),
    Case(["deploy", "ok", "-t", "dev", "--wait"], "--wait follows the job started by --run JOB_KEY"),
    Case(["deploy", "ok", "-t", "dev"], "the Databricks CLI (databricks) is not on PATH"),
    Case(["deploy", "ok", "-t", "prod"], "target 'prod' is a production target (mode: production)"),
    Case(["deploy", "ok", "-t", "prod", "--version", "v1.0.0", "--confirm", "yes"], "--confirm 'yes' is not the"),
    Case(["init", "afile"], "afile"),
    Case(["init", "new", "--project-name", "bad name!"], "invalid project name 'bad name!'"),
    Case(["init", "new", "--repository", "noslash"], "invalid repository 'noslash': expected owner/name"),
]

PROMOTE_CASES = [
    Case(["promote-model"], "missing --model (or BRICKGATE_PROMOTE_MODEL_MODEL)"),
    Case(["promote-model", "--model", "m"], "give exactly one of --version N or --from-alias ALIAS"),
    Case([*PROMOTE, "--from-alias", "challenger"], "give exactly one of --version N or --from-alias ALIAS"),
    Case(["promote-model", "--model", "m", "--version", "abc"], "--version 'abc' is not a model version number"),
    Case(["promote-model", "--model", "m", "--version", "-1"], "--version '-1' is not a model version number"),
    Case([*PROMOTE, "--rollback"], "--rollback takes no --version"),
    Case([*PROMOTE, "--max-regression", "0.1"], "--metric and --max-regression go together"),
    Case([*PROMOTE, "--metric", "auc"], "--metric and --max-regression go together"),
    Case([*PROMOTE, "--to-alias", "v2"], "--to-alias 'v2' is not a valid alias"),
    Case([*PROMOTE, "--to-alias", "latest"], "--to-alias 'latest' is not a valid alias"),
    Case([*PROMOTE, "--previous-alias", "a b"], "--previous-alias 'a b' is not a valid alias"),
    Case([*PROMOTE, "--gate-result", "none.json"], "--gate-result none.json: cannot read JSON"),
    Case([*PROMOTE, "--gate-result", "empty"], "--gate-result empty: cannot read JSON: is a directory"),
    Case([*PROMOTE, "--gate-result", "afile"], "--gate-result afile: cannot read JSON"),
    Case([*PROMOTE, "--tracking-uri", "databricks"], "--model 'm' is not a Unity Catalog model name"),
    Case(PROMOTE, "model 'm' not found in registry sqlite:///.brickgate/mlflow.db"),
]

TAGS = [
    Case(["tag-release"], "missing VERSION argument (or BRICKGATE_TAG_RELEASE_VERSION)", cwd="repo"),
    Case(["tag-release", "1.2.3"], "invalid version '1.2.3'", cwd="repo"),
    Case(["tag-release", "v1.2"], "invalid version 'v1.2'", cwd="repo"),
    Case(["tag-release", "v1.2.3.4"], "invalid version 'v1.2.3.4'", cwd="repo"),
    Case(["tag-release", "v01.2.3"], "invalid version 'v01.2.3'", cwd="repo"),
    Case(["tag-release", "v1.0.0", "--ref", "nope"], "--ref 'nope' is not a commit", cwd="repo"),
    Case(["tag-release", "v1.0.0", "--push"], "cannot read tags of remote 'origin'", cwd="repo"),
    Case(
        ["tag-release", "v1.0.0", "--push", "--remote", "nowhere"], "cannot read tags of remote 'nowhere'", cwd="repo"
    ),
    Case(["tag-release", "v1.0.0", "--github-release"], "--github-release needs GITHUB_TOKEN", cwd="repo"),
    Case(
        ["tag-release", "v1.0.0", "--gate-summary", "missing.md"], "--gate-summary missing.md: cannot read", cwd="repo"
    ),
    Case(["tag-release", "v1.0.0", "--gate-summary", "."], "--gate-summary .: cannot read", cwd="repo"),
    Case(["tag-release", "v1.0.0"], "{root} is not a git repository"),
]

GATES = [
    Case(["fairness-gate"], "missing --data SOURCE"),
    Case(["fairness-gate", "--data", "claims.csv"], "missing --protected-attributes"),
    Case([*FAIRNESS[:3], "--protected-attributes", " , "], "missing --protected-attributes"),
    Case(
        ["fairness-gate", "--data", "missing.csv", "--score-column", "score", "--protected-attributes", "sex"],
        "missing.csv: no such file",
    ),
    Case([*FAIRNESS, "--reference-group", "sexF"], "--reference-group 'sexF' must be attribute=value"),
    Case([*FAIRNESS, "--engine", "dask"], "Invalid value for '--engine'"),
    Case([*FAIRNESS, "--alert", "pager"], "unknown alert channel 'pager'"),
    Case([*FAIRNESS, "--reference", "smallest"], "--reference"),
    Case([*FAIRNESS, "--di-min", "1", "--di-max", "1"], "--di-min must be positive and below --di-max (got 1 and 1)"),
    Case(
        ["fairness-gate", "--data", "claims.csv", "--score-column", "scor", "--protected-attributes", "sex"],
        "claims.csv: column 'scor' not found; did you mean 'score'?",
    ),
    Case(
        ["fairness-gate", "--data", "claims.csv", "--score-column", "score", "--protected-attributes", "gender"],
        "claims.csv: column 'gender' not found",
    ),
    Case(["fairness-gate", "--data", "afile", "--score-column", "score", "--protected-attributes", "sex"], "afile"),
    Case(["psi-gate", "--profile", "profile.json"], "missing --current SOURCE"),
    Case(["psi-gate", "--current", "cur.csv"], "missing --profile FILE_OR_URI or --reference SOURCE"),
    Case([*PSI, "--reference", "ref.csv"], "--reference and --profile are mutually exclusive"),
    Case([*PSI, "--features", "x", "--all-features"], "--features and --all-features are mutually exclusive"),
    Case([*PSI, "--warn", "0.3", "--fail", "0.2"], "--warn (0.3) must be lower than --fail (0.2)"),
    Case(["psi-gate", "--current", "cur.csv", "--profile", "nope.json"], "nope.json: cannot read the PSI profile"),
    Case(["psi-gate", "--current", "cur.csv", "--profile", "afile"], "afile"),
    Case([*PSI, "--features", "agee"], "feature 'agee' is not in the profile"),
    Case(["psi-gate", "--current", "missing.csv", "--profile", "profile.json"], "missing.csv: no such file"),
    Case([*PSI, "--alert", "pager"], "unknown alert channel 'pager'"),
    Case(["psi-gate", "profile", "--reference", "ref.csv", "--out", "x.json"], "psi-gate profile needs --features"),
    Case(["psi-gate", "profile", "--reference", "ref.csv", "--all-features"], "missing --out FILE"),
    Case(["psi-gate", "profile", "--all-features", "--out", "x.json"], "missing --reference SOURCE"),
    Case(["psi-gate", "profile", "--reference", "missing.csv", "--all-features", "--out", "x.json"], "missing.csv"),
]


def broken_bundle_cases() -> list[Case]:
    """validate-bundle --strict fails (exit 1) on each broken fixture; run refuses each one with an error.

    The fixtures are copied into the scratch folder (`broken/`), so nothing is written beside them.
    """
    severity = {rule.id: rule.severity for rule in dg.RULES}
    cases = []
    for folder in sorted(p for p in BROKEN.iterdir() if p.is_dir()):
        expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        target = ["-t", expected["target"]] if expected.get("target") else []
        env = dict(expected.get("env", {}))
        where = f"broken/{folder.name}"
        if folder.name.startswith("BG201"):  # no default target: choosing one is the user's input
            cases.append(Case(["validate-bundle", where], "databricks.yml: choose a target with -t"))
            continue
        cases.append(Case(["validate-bundle", "--strict", "--no-databricks-cli", where, *target], code=1, env=env))
        rule = folder.name.split("-")[0]
        if severity[rule] == "error" and not folder.name.startswith("BG003-include-no-match"):  # a glob: a warning
            cases.append(Case(["run", where, "train", *target], "the bundle has ", env=env))
    return cases


CASES = [*numeric_cases(), *OTHER_ENV, *UNKNOWN_KEYS, *USAGE, *BUNDLES, *PROMOTE_CASES, *TAGS, *GATES]
CASES += broken_bundle_cases()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`ok/` (a valid bundle), `afile`, `empty/`, gate data and a profile, `repo/` (one commit), `t/` (for TOML)."""
    root = tmp_path_factory.mktemp("bad-inputs")
    shutil.copytree(FIXTURES / "bundles" / "valid" / "minimal", root / "ok")
    shutil.copytree(BROKEN, root / "broken", symlinks=True)
    (root / "afile").write_text("x")
    (root / "empty").mkdir()
    shutil.copy(FIXTURES / "tables" / "fairness_small.csv", root / "claims.csv")
    rows = "\n".join(f"{i},{i % 7}.5,{'AB'[i % 2]}" for i in range(40))
    (root / "ref.csv").write_text("id,amount,region\n" + rows + "\n")
    (root / "cur.csv").write_text("id,amount,region\n" + rows + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "brickgate", *PROFILE[:-1], "profile.json"],
        cwd=root,
        env=_env(root),
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    repo = root / "repo"
    repo.mkdir()
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", *identity, "commit", "-q", "--allow-empty", "-m", "one"], cwd=repo, check=True)
    (root / "t").mkdir()
    (root / "t" / ".git").mkdir()  # stops the pyproject.toml search
    (root / "t" / "ok").symlink_to(root / "ok")
    for name in ("claims.csv", "cur.csv", "profile.json"):
        (root / "t" / name).symlink_to(root / name)
    return root


def _env(root: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")}
    return {
        **keep,
        "PATH": "/usr/bin:/bin",  # git, but no databricks CLI
        "HOME": str(root),
        "GIT_CEILING_DIRECTORIES": str(root),
        "PYTHONPATH": os.pathsep.join(sys.path),
        **(extra or {}),
    }


def test_enough_cases_over_every_command() -> None:
    commands = {case.args[0] for case in CASES if not case.args[0].startswith("-")}
    assert {"validate-bundle", "run", "runs", "deploy", "promote-model", "tag-release", "init"} <= commands
    assert {"fairness-gate", "psi-gate"} <= commands
    assert len(CASES) >= 200, len(CASES)
    docs = (FIXTURES.parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    reported = re.search(r"\*\*over (\d+) cases\*\*", docs)
    assert reported and len(CASES) > int(reported.group(1)), "docs/cli.md reports a floor of this table's count"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, scratch: Path) -> None:
    cwd = scratch / case.cwd
    (cwd / "pyproject.toml").unlink(missing_ok=True)
    if case.toml:
        (cwd / "pyproject.toml").write_text(case.toml)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "brickgate", *case.args],
            cwd=cwd,
            env=_env(scratch, case.env),
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"no answer within {DEADLINE:g} s")
    assert "Traceback" not in done.stderr + done.stdout and "internal error" not in done.stderr, done.stderr
    assert done.returncode == case.code, (done.returncode, done.stdout, done.stderr)
    if case.code == 2:
        assert done.stderr.startswith(ERROR + case.message.format(root=scratch)), done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
    if "tag-release" in case.args:
        tags = subprocess.run(["git", "tag"], cwd=scratch / "repo", capture_output=True, text=True).stdout
        assert tags == "", "bad input must tag nothing"
