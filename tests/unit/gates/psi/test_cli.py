"""`brickgate psi-gate` and `psi-gate profile` end to end on small files: exit codes, exact
one-line errors for bad input, every output format, report files and the results table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from brickgate.cli import main
from brickgate.cli.psi_gate import EMPTY_CURRENT, MISSING_BASELINE
from brickgate.output import validate_against_schema
from tests.helpers.github_files import fake_github


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ref.parquet and cur.parquet (age shifted by one std, a new region, nulls in amount)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRICKGATE_WAREHOUSE", str(tmp_path / "warehouse"))
    rng = np.random.default_rng(0)
    pd.DataFrame(
        {
            "age": rng.normal(40, 10, 2000),
            "amount": rng.lognormal(size=2000),
            "region": rng.choice(["N", "S", "E"], 2000),
        }
    ).to_parquet("ref.parquet")
    amount = rng.lognormal(size=1500)
    amount[:300] = np.nan
    pd.DataFrame(
        {"age": rng.normal(50, 10, 1500), "amount": amount, "region": rng.choice(["N", "S", "E", "X"], 1500)}
    ).to_parquet("cur.parquet")
    return tmp_path


def _profile(capsys: pytest.CaptureFixture[str], *extra: str) -> None:
    code, _out, err = run(["psi-gate", "profile", "--reference", "ref.parquet", *extra, "--out", "p.json"], capsys)
    assert (code, err) == (0, ""), err


def test_help_documents_gate_and_profile(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["psi-gate", "--help"], capsys)
    assert code == 0
    assert "--current SOURCE" in out and "--profile FILE_OR_URI" in out and "--fail-on-drift" in out
    assert "profile" in out.split("Commands:")[1]
    code, out, _ = run(["psi-gate", "profile", "--help"], capsys)
    assert code == 0 and "--out" in out and "--relative-error" in out


def test_profile_then_gate_text(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["psi-gate", "profile", "--reference", "ref.parquet", "--all-features", "--out", "p.json"], capsys
    )
    assert code == 0
    assert out == "wrote p.json: 3 features (2 numeric, 1 categorical) from 2,000 rows of ref.parquet\n"
    validate_against_schema(json.loads(Path("p.json").read_text()), "psi-profile")
    code, out, err = run(["psi-gate", "--current", "cur.parquet", "--profile", "p.json"], capsys)
    assert (code, err) == (0, "")  # CRITICAL features, but no --fail-on-drift
    assert out.startswith("psi gate: CRITICAL — Drift detected in 3 of 3 features (age, amount, region; PSI ≥ 0.25)")
    code, _, _ = run(["psi-gate", "--current", "cur.parquet", "--profile", "p.json", "--fail-on-drift"], capsys)
    assert code == 1


def test_json_output_is_schema_valid_and_matches_the_python_api(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from brickgate.gates.psi import PsiGateOptions, load_profile
    from brickgate.gates.psi.gate import evaluate as psi_gate

    _profile(capsys, "--features", "age,amount", "--features", "region")
    code, out, _ = run(["--format", "json", "psi-gate", "--current", "cur.parquet", "--profile", "p.json"], capsys)
    document = json.loads(out)
    validate_against_schema(document, "psi-result")
    expected = psi_gate(pd.read_parquet("cur.parquet"), load_profile("p.json"), PsiGateOptions())
    assert [f["psi"] for f in document["features"]] == [f.psi for f in expected.features]
    assert document["counts"] == {"ok": 0, "warning": 0, "critical": 3, "skipped": 0}
    assert (code, document["passed"], document["baseline"]) == (0, True, "p.json")


def test_reference_instead_of_profile_gives_the_same_numbers(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _profile(capsys, "--all-features")
    args = ["--format", "json", "psi-gate", "--current", "cur.parquet"]
    from_profile = json.loads(run([*args, "--profile", "p.json"], capsys)[1])
    from_reference = json.loads(run([*args, "--reference", "ref.parquet"], capsys)[1])
    assert [f["psi"] for f in from_profile["features"]] == [f["psi"] for f in from_reference["features"]]


def test_github_format_report_dir_and_results_table(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    github = fake_github(tmp_path, monkeypatch)
    _profile(capsys, "--all-features")
    args = ["psi-gate", "--current", "cur.parquet", "--profile", "p.json", "--report-dir", "reports"]
    args += ["--results-table", "main.monitoring.psi", "--warn", "0.05", "--fail", "5"]
    for _ in range(2):
        code, out, _ = run(args, capsys)
    assert code == 0
    assert "::warning title=brickgate psi%3A age::age: PSI" in out and "::error" not in out
    outputs = github.outputs()
    assert outputs["status"] == "warning" and outputs["passed"] == "true"
    assert outputs["report-path"] == "reports/psi-report.html" and outputs["critical-features"] == ""
    assert "```mermaid" in github.summary_text() and "line [0.05" in github.summary_text()
    names = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert names[:2] == ["psi-bins-age.png", "psi-bins-amount.png"]
    assert {"psi-psi.png", "psi-report.html", "psi-result.json", "psi-summary.md"} <= set(names)
    from brickgate.tables import read_table

    table = read_table("main.monitoring.psi")
    assert len(table) == 6 and table["run_id"].nunique() == 2  # appended, never overwritten
    assert set(table["feature"]) == {"age", "amount", "region"}


def test_all_null_current_column_is_skipped_not_an_error(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _profile(capsys, "--all-features")
    pd.DataFrame({"age": [np.nan] * 3, "amount": [1.0, 2.0, 3.0], "region": ["N", "S", "E"]}).to_parquet(
        "nulls.parquet"
    )
    code, out, _ = run(["--format", "json", "psi-gate", "--current", "nulls.parquet", "--profile", "p.json"], capsys)
    age = json.loads(out)["features"][0]
    assert (code, age["status"], age["psi"]) == (0, "skipped", None)
    assert age["reason"] == "current column has no non-null values (3 rows)"


def test_environment_configures_the_gate(
    files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _profile(capsys, "--all-features")
    monkeypatch.setenv("BRICKGATE_PSI_GATE_CURRENT", "cur.parquet")
    monkeypatch.setenv("BRICKGATE_PSI_GATE_PROFILE", "p.json")
    monkeypatch.setenv("BRICKGATE_PSI_GATE_FEATURES", "age")
    monkeypatch.setenv("BRICKGATE_PSI_GATE_FAIL_ON_DRIFT", "true")
    code, out, _ = run(["psi-gate"], capsys)
    assert code == 1 and "Drift detected in 1 of 1 features (age;" in out


def test_pyproject_profile_table_does_not_become_the_gate_profile(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(".git").mkdir()
    Path("pyproject.toml").write_text(
        "[tool.brickgate.psi-gate]\nwarn = 0.2\n[tool.brickgate.psi-gate.profile]\nbins = 5\n"
    )
    code, _, _ = run(["psi-gate", "profile", "--reference", "ref.parquet", "--all-features", "--out", "p.json"], capsys)
    assert code == 0 and json.loads(Path("p.json").read_text())["bins"] == 5
    code, _, err = run(["psi-gate", "--current", "cur.parquet", "--reference", "ref.parquet"], capsys)
    assert (code, err) == (0, "")


def test_pyproject_profile_location_beside_the_subcommand_table(
    files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """defaults.toml always holds the `[psi-gate.profile]` table; `profile = "…"` in pyproject still
    sets `--profile` (config.resolve skips tables), and so does the env variable when pyproject has
    the table (TOML cannot hold both a `profile` string and a `profile` table)."""
    _profile(capsys, "--all-features")
    Path(".git").mkdir()
    Path("pyproject.toml").write_text('[tool.brickgate.psi-gate]\nprofile = "p.json"\n')
    code, out, err = run(["--format", "json", "psi-gate", "--current", "cur.parquet"], capsys)
    assert (code, err) == (0, "") and json.loads(out)["baseline"] == "p.json"
    Path("pyproject.toml").write_text("[tool.brickgate.psi-gate.profile]\nbins = 5\n")
    code, _, err = run(["psi-gate", "--current", "cur.parquet"], capsys)
    assert (code, err) == (2, "brickgate: error: " + MISSING_BASELINE + "\n")
    monkeypatch.setenv("BRICKGATE_PSI_GATE_PROFILE", "p.json")
    code, out, err = run(["--format", "json", "psi-gate", "--current", "cur.parquet"], capsys)
    assert (code, err) == (0, "") and json.loads(out)["baseline"] == "p.json"


BAD_INPUTS = [
    (
        ["psi-gate", "--profile", "p.json"],
        "missing --current SOURCE (or BRICKGATE_PSI_GATE_CURRENT): a Parquet/CSV file or folder, "
        "a Delta folder or catalog.schema.table",
    ),
    (
        ["psi-gate", "--current", "cur.parquet"],
        "missing --profile FILE_OR_URI or --reference SOURCE (or BRICKGATE_PSI_GATE_PROFILE / _REFERENCE)",
    ),
    (
        ["psi-gate", "--current", "cur.parquet", "--profile", "p.json", "--reference", "ref.parquet"],
        "--reference and --profile are mutually exclusive: give the reference data or its stored profile",
    ),
    (
        ["psi-gate", "--current", "cur.parquet", "--profile", "p.json", "--features", "age", "--all-features"],
        "--features and --all-features are mutually exclusive",
    ),
    (
        ["psi-gate", "--current", "cur.parquet", "--profile", "p.json", "--warn", "0.3", "--fail", "0.3"],
        "--warn (0.3) must be lower than --fail (0.3)",
    ),
    (
        ["psi-gate", "--current", "cur.parquet", "--profile", "p.json", "--epsilon", "0"],
        "Invalid value for '--epsilon': 0 is not in the range 0 < x ≤ 0.01 (see 'brickgate psi-gate --help')",
    ),
    (
        ["psi-gate", "--current", "missing.parquet", "--profile", "p.json"],
        "missing.parquet: no such file, folder or table (expected a Parquet or CSV file or folder, "
        "a Delta table folder, or catalog.schema.table)",
    ),
    (
        ["psi-gate", "--current", "cur.parquet", "--profile", "nope.json"],
        "nope.json: cannot read the PSI profile: No such file or directory",
    ),
    (
        ["psi-gate", "--current", "cur.parquet", "--profile", "p.json", "--features", "agee"],
        "feature 'agee' is not in the profile (profiled features: age, amount, region)",
    ),
    (
        ["psi-gate", "--current", "renamed.parquet", "--profile", "p.json"],
        "renamed.parquet: column 'age' not found; did you mean 'ages'? (columns: ages, amount, region)",
    ),
    (
        ["psi-gate", "--current", "text.parquet", "--profile", "p.json"],
        "text.parquet: column 'age' is object, but the profile expects numbers (numeric feature)",
    ),
    (
        ["psi-gate", "--current", "cur.parquet", "--profile", "p.json", "--alert", "pager"],
        "unknown alert channel 'pager' (did you mean 'pagerduty'?); valid channels: slack, webhook, pagerduty, email",
    ),
    (
        ["psi-gate", "profile", "--reference", "ref.parquet", "--out", "x.json"],
        "psi-gate profile needs --features a,b,... or --all-features",
    ),
    (
        ["psi-gate", "profile", "--reference", "ref.parquet", "--all-features"],
        "missing --out FILE (or BRICKGATE_PSI_GATE_PROFILE_OUT): where to write the profile JSON",
    ),
    (
        ["psi-gate", "profile", "--reference", "ref.parquet", "--features", "age", "--bins", "1", "--out", "x.json"],
        "Invalid value for '--bins': 1 is not in the range 2 ≤ x ≤ 1000 (see 'brickgate psi-gate profile --help')",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS)
def test_bad_input_is_one_line_exit_2(
    files: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    _profile(capsys, "--all-features")
    frame = pd.read_parquet("cur.parquet")
    frame.rename(columns={"age": "ages"}).to_parquet("renamed.parquet")
    frame.assign(age=frame["age"].astype(str)).to_parquet("text.parquet")
    code, out, err = run(args, capsys)
    assert (code, out, err) == (2, "", f"brickgate: error: {message}\n")


def _write_profile(document: object) -> None:
    Path("p.json").write_text(json.dumps(document) if not isinstance(document, str) else document)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: {**d, "schema_version": 2},
            "p.json: PSI profile schema version 2 is not supported by brickgate {version} (expected 1); "
            "rebuild it with `brickgate psi-gate profile`",
        ),
        (
            lambda d: "{not json",
            "p.json: the PSI profile is not valid JSON: Expecting property name enclosed in double",
        ),
        (lambda d: {**d, "rows": "many"}, "p.json: not a valid PSI profile: rows: 'many' is not of type 'integer'"),
        (
            lambda d: {**d, "features": [{**d["features"][0], "proportions": [1.0]}]},
            "p.json: not a valid PSI profile: feature 'age' has 1 proportions for 10 bins",
        ),
    ],
)
def test_bad_profile_is_one_line_exit_2(
    files: Path, capsys: pytest.CaptureFixture[str], mutate: object, message: str
) -> None:
    from brickgate import __version__

    _profile(capsys, "--all-features")
    _write_profile(mutate(json.loads(Path("p.json").read_text())))  # type: ignore[operator]
    code, out, err = run(["psi-gate", "--current", "cur.parquet", "--profile", "p.json"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"brickgate: error: {message.format(version=__version__)}") and err.count("\n") == 1


def test_current_without_rows_is_undetermined_with_a_warning_not_an_error(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _profile(capsys, "--all-features")
    pd.read_parquet("cur.parquet").iloc[:0].to_parquet("empty.parquet")
    args = ["--format", "json", "psi-gate", "--current", "empty.parquet", "--profile", "p.json", "--fail-on-drift"]
    code, out, err = run(args, capsys)
    # Nothing measured: undetermined, which fails under --fail-on-drift (exit 1, never a pass).
    assert (code, err) == (1, "brickgate: warning: " + EMPTY_CURRENT.format(source="empty.parquet") + "\n")
    document = json.loads(out)
    assert (document["status"], document["passed"], document["current_rows"]) == ("undetermined", False, 0)
    assert document["headline"] == (
        "Drift undetermined: no PSI measured for any of 3 features (current data has no rows): gate failed"
    )
    assert {(f["status"], f["reason"]) for f in document["features"]} == {("skipped", "current data has no rows")}
    code, _, err = run(
        ["psi-gate", "profile", "--reference", "empty.parquet", "--all-features", "--out", "e.json"], capsys
    )
    assert (code, err) == (2, "brickgate: error: empty.parquet: no rows\n")  # an empty baseline stays bad input
