"""promote-model: option checks (fast), then promotions against a local SQLite registry (slow)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from brickgate.errors import ConfigError, InputError
from brickgate.registry import (
    AUDIT_PREFIX,
    MetricCheck,
    PromoteOptions,
    promote_model,
    read_gate_file,
    resolve_uris,
    validate_model_name,
)
from tests.unit.release.conftest import RegistryBuilder, run_main

GITHUB_ENV = {
    "GITHUB_ACTOR": "octocat",
    "GITHUB_SHA": "a" * 40,
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "acme/claims",
    "GITHUB_RUN_ID": "42",
}
PASSING = {"brickgate.gate.fairness": "pass", "brickgate.gate.psi": "pass"}


# --- fast checks: no registry --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (PromoteOptions(), "give exactly one of --version N or --from-alias ALIAS (or --rollback)"),
        (PromoteOptions(version="1", from_alias="challenger"), "give exactly one of --version N or --from-alias"),
        (PromoteOptions(version="1", rollback=True), "--rollback takes no --version: it moves champion back"),
        (PromoteOptions(version="one"), "--version 'one' is not a model version number"),
        (PromoteOptions(version="1", to_alias="latest"), "--to-alias 'latest' is not a valid alias"),
        (PromoteOptions(from_alias="champion"), "--from-alias, --to-alias and --previous-alias must be different"),
        (PromoteOptions(version="1", metric="auc"), "--metric and --max-regression go together"),
        (PromoteOptions(version="1", metric="auc", max_regression=-0.1), "--max-regression must be ≥ 0, got -0.1"),
    ],
)
def test_invalid_options(options: PromoteOptions, message: str) -> None:
    with pytest.raises(ConfigError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        promote_model("m", options, env={})


def test_unity_catalog_names_are_three_level() -> None:
    assert validate_model_name("main.fraud.claims", "databricks-uc") == "main.fraud.claims"
    for bad in ("claims", "main.claims", "a.b.c.d", "main.fraud.claims model", "main..claims"):
        with pytest.raises(ConfigError, match="is not a Unity Catalog model name"):
            validate_model_name(bad, "databricks-uc")
    assert validate_model_name("claims", "sqlite:///x.db") == "claims"


def test_uc_name_checked_before_any_request(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(
        ["promote-model", "--model", "claims", "--version", "1", "--registry-uri", "databricks-uc"], capsys
    )
    assert code == 2 and err == (
        "brickgate: error: --model 'claims' is not a Unity Catalog model name: "
        "with registry databricks-uc use catalog.schema.model\n"
    )


@pytest.mark.parametrize(
    ("options", "env", "expected"),
    [
        (PromoteOptions(), {}, ("sqlite:///.brickgate/mlflow.db", "sqlite:///.brickgate/mlflow.db")),
        (PromoteOptions(), {"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"}, ("http://127.0.0.1:5000",) * 2),
        (PromoteOptions(), {"MLFLOW_TRACKING_URI": "databricks"}, ("databricks", "databricks-uc")),
        (PromoteOptions(tracking_uri="databricks", registry_uri="databricks"), {}, ("databricks", "databricks")),
    ],
)
def test_uri_resolution(options: PromoteOptions, env: dict[str, str], expected: tuple[str, str]) -> None:
    assert resolve_uris(options, env) == expected


@pytest.mark.parametrize(
    ("candidate", "champion", "higher", "regression", "passed"),
    [
        (0.80, 0.85, True, 0.05, True),  # 0.85 − 0.80 = 0.05 ≤ 0.05
        (0.79, 0.85, True, 0.06, False),  # 0.85 − 0.79 = 0.06 > 0.05
        (0.90, 0.85, True, -0.05, True),  # better than the champion
        (0.30, 0.20, False, 0.10, False),  # log loss: 0.30 − 0.20 = 0.10 > 0.05
        (0.30, None, True, None, True),  # no champion: nothing to regress from
    ],
)
def test_metric_regression_by_hand(
    candidate: float, champion: float | None, higher: bool, regression: float | None, passed: bool
) -> None:
    check = MetricCheck(name="m", candidate=candidate, champion=champion, max_regression=0.05, higher_is_better=higher)
    assert check.regression == (pytest.approx(regression) if regression is not None else None)
    assert check.passed is passed


def test_gate_file_needs_boolean_passed(tmp_path: Path) -> None:
    good = tmp_path / "psi-result.json"
    good.write_text('{"passed": false}')
    assert read_gate_file(good).gate == "psi" and read_gate_file(good).passed is False
    named = tmp_path / "out.json"
    named.write_text('{"gate": "fairness", "passed": true}')
    assert read_gate_file(named).gate == "fairness"
    bad = tmp_path / "fairness-result.json"
    bad.write_text('{"passed": "yes"}')
    with pytest.raises(InputError, match=f"^file {bad}: a gate result needs a boolean 'passed' key$"):
        read_gate_file(bad)
    with pytest.raises(InputError, match="cannot read JSON"):
        read_gate_file(tmp_path / "missing.json")


def test_missing_model_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["promote-model", "--version", "1"], capsys)
    assert code == 2 and err == "brickgate: error: missing --model (or BRICKGATE_PROMOTE_MODEL_MODEL)\n"


# --- local SQLite registry (slow: its first use imports MLflow and migrates the schema) ------


@pytest.fixture
def registry(sqlite_registry: RegistryBuilder, monkeypatch: pytest.MonkeyPatch) -> Iterator[RegistryBuilder]:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", sqlite_registry.tracking_uri)
    for key, value in GITHUB_ENV.items():
        monkeypatch.setenv(key, value)
    yield sqlite_registry


@pytest.mark.slow
def test_first_promotion_then_idempotent_rerun(registry: RegistryBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    v1 = registry.version("first", tags=PASSING)
    code, out, _ = run_main(["promote-model", "--model", "first", "--version", v1], capsys)
    assert code == 0 and out == "promoted first version 1 to champion (champion: unset → 1)\n"
    assert registry.aliases("first") == {"champion": "1"}
    before = registry.tags("first", v1)
    code, out, _ = run_main(["promote-model", "--model", "first", "--version", v1], capsys)
    assert code == 0 and out == "version 1 of first is already champion; nothing changed\n"
    assert registry.aliases("first") == {"champion": "1"} and registry.tags("first", v1) == before


@pytest.mark.slow
def test_promotion_moves_champion_to_previous_with_audit_tags(
    registry: RegistryBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    old = registry.version("claims", tags=PASSING, metrics={"auc": 0.85})
    new = registry.version("claims", tags=PASSING, metrics={"auc": 0.84})
    registry.client.set_registered_model_alias("claims", "champion", old)
    registry.client.set_registered_model_alias("claims", "challenger", new)
    args = ["--format", "json", "promote-model", "--model", "claims", "--from-alias", "challenger", "--require-gates"]
    code, out, err = run_main([*args, "--metric", "auc", "--max-regression", "0.02"], capsys)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["status"] == "promoted" and document["version"] == new
    assert document["changes"] == [
        {"alias": "previous", "before": None, "after": old},
        {"alias": "champion", "before": old, "after": new},
    ]
    assert document["metric"]["regression"] == pytest.approx(0.01)  # 0.85 − 0.84
    assert registry.aliases("claims") == {"champion": new, "previous": old, "challenger": new}
    tags = registry.tags("claims", new)
    assert tags[f"{AUDIT_PREFIX}by"] == "octocat" and tags[f"{AUDIT_PREFIX}git_sha"] == "a" * 40
    assert tags[f"{AUDIT_PREFIX}workflow_run"] == "https://github.com/acme/claims/actions/runs/42"
    assert tags[f"{AUDIT_PREFIX}gates"] == "fairness=pass,psi=pass"
    assert tags[f"{AUDIT_PREFIX}replaced_version"] == old and tags[f"{AUDIT_PREFIX}at"].endswith("+00:00")


@pytest.mark.slow
def test_regression_refused_nothing_changed(registry: RegistryBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    old = registry.version("regress", metrics={"auc": 0.85})
    new = registry.version("regress", metrics={"auc": 0.80})
    registry.client.set_registered_model_alias("regress", "champion", old)
    code, out, _ = run_main(
        ["promote-model", "--model", "regress", "--version", new, "--metric", "auc", "--max-regression", "0.02"], capsys
    )
    assert code == 1
    assert out == (
        "brickgate: promote-model failed: promotion of regress version 2 refused: auc regresses by 0.05 "
        "(candidate 0.8, champion 0.85), more than --max-regression 0.02\n"
    )
    assert registry.aliases("regress") == {"champion": old}
    assert not any(k.startswith(AUDIT_PREFIX) for k in registry.tags("regress", new))


@pytest.mark.slow
def test_missing_metric_names_the_close_one(registry: RegistryBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    version = registry.version("nometric", metrics={"roc_auc": 0.9})
    code, _, err = run_main(
        ["promote-model", "--model", "nometric", "--version", version, "--metric", "roc_aux", "--max-regression", "0"],
        capsys,
    )
    assert code == 2 and "--metric roc_aux: not logged on the candidate's run" in err
    assert "did you mean 'roc_auc'? (metrics: roc_auc)" in err


@pytest.mark.slow
def test_gates_missing_or_failed_are_refused(
    registry: RegistryBuilder, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bare = registry.version("gated")
    code, out, _ = run_main(["promote-model", "--model", "gated", "--version", bare, "--require-gates"], capsys)
    assert code == 1 and "gate 'fairness' has no result: no run tag brickgate.gate.fairness" in out
    assert "gate 'psi' has no result" in out and registry.aliases("gated") == {}
    failing = registry.version(
        "gated",
        tags={"brickgate.gate.fairness": "pass"},
        gate_files={"gates/psi-result.json": {"gate": "psi", "passed": False}},
    )
    code, out, _ = run_main(["promote-model", "--model", "gated", "--version", failing, "--require-gates"], capsys)
    assert code == 1 and f"gate 'psi' failed (run {registry.client.get_model_version('gated', failing).run_id}" in out
    assert "artifact gates/psi-result.json)" in out
    passing_file = tmp_path / "psi-result.json"
    passing_file.write_text('{"gate": "psi", "passed": true}')
    half = registry.version("gated", tags={"brickgate.gate.fairness": "passed"})
    args = [
        "promote-model",
        "--model",
        "gated",
        "--version",
        half,
        "--require-gates",
        "--gate-result",
        str(passing_file),
    ]
    code, out, _ = run_main(args, capsys)
    assert code == 0 and registry.aliases("gated") == {"champion": half}
    assert f"gate psi: pass (file {passing_file})" in out


@pytest.mark.slow
def test_unrecognised_gate_tag_fails_closed(registry: RegistryBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    version = registry.version("odd", tags={"brickgate.gate.fairness": "maybe", "brickgate.gate.psi": "pass"})
    code, out, _ = run_main(["promote-model", "--model", "odd", "--version", version, "--require-gates"], capsys)
    assert code == 1 and "brickgate.gate.fairness=maybe (not a verdict: counted as failed)" in out


@pytest.mark.slow
def test_dry_run_changes_nothing(registry: RegistryBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    old = registry.version("dry")
    new = registry.version("dry")
    registry.client.set_registered_model_alias("dry", "champion", old)
    code, out, _ = run_main(["promote-model", "--model", "dry", "--version", new, "--dry-run"], capsys)
    assert code == 0
    assert (
        out
        == "dry run: would promote dry version 2 to champion (previous: unset → 1, champion: 1 → 2); nothing changed\n"
    )
    assert registry.aliases("dry") == {"champion": old} and registry.tags("dry", new) == {}


@pytest.mark.slow
def test_rollback_and_rerun(registry: RegistryBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    v1, v2 = registry.version("roll"), registry.version("roll")
    assert run_main(["promote-model", "--model", "roll", "--version", v1], capsys)[0] == 0
    assert run_main(["promote-model", "--model", "roll", "--version", v2], capsys)[0] == 0
    code, out, _ = run_main(["promote-model", "--model", "roll", "--rollback"], capsys)
    assert code == 0 and out == "rolled roll back (champion: 2 → 1)\n"
    assert registry.aliases("roll") == {"champion": v1, "previous": v1}
    assert registry.tags("roll", v1)[f"{AUDIT_PREFIX}action"] == "rollback"
    code, out, _ = run_main(["promote-model", "--model", "roll", "--rollback"], capsys)
    assert code == 0 and out == "version 1 of roll is already champion; nothing changed\n"


@pytest.mark.slow
def test_rollback_without_previous(registry: RegistryBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    registry.version("lonely")
    code, _, err = run_main(["promote-model", "--model", "lonely", "--rollback"], capsys)
    assert code == 2 and err == (
        "brickgate: error: model 'lonely' has no alias 'previous': nothing to roll back to (aliases: none)\n"
    )


@pytest.mark.slow
def test_unknown_model_version_and_alias(registry: RegistryBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    registry.version("known_model")
    code, _, err = run_main(["promote-model", "--model", "known_modle", "--version", "1"], capsys)
    assert code == 2 and err == (
        f"brickgate: error: model 'known_modle' not found in registry {registry.tracking_uri}; "
        "did you mean 'known_model'?\n"
    )
    code, _, err = run_main(["promote-model", "--model", "known_model", "--version", "9"], capsys)
    assert code == 2 and err == "brickgate: error: model 'known_model' has no version 9\n"
    code, _, err = run_main(["promote-model", "--model", "known_model", "--from-alias", "challenger"], capsys)
    assert code == 2 and err == "brickgate: error: model 'known_model' has no alias 'challenger' (aliases: none)\n"


@pytest.mark.slow
def test_github_format_outputs(
    registry: RegistryBuilder, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers.github_files import fake_github

    files = fake_github(tmp_path, monkeypatch)
    version = registry.version("gh")
    assert run_main(["promote-model", "--model", "gh", "--version", version], capsys)[0] == 0
    outputs = files.outputs()
    assert outputs["status"] == "promoted" and outputs["version"] == version
    assert json.loads(outputs["aliases"]) == {"champion": version}
    assert "| `champion` | — | 1 |" in files.summary_text()


@pytest.mark.slow
def test_failure_while_writing_audit_tags_restores_everything(
    registry: RegistryBuilder, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    old, new = registry.version("tagfail"), registry.version("tagfail")
    registry.client.set_registered_model_alias("tagfail", "champion", old)
    real = MlflowClient.set_model_version_tag
    calls = {"n": 0}

    def third_tag_fails(self: MlflowClient, name: str, version: str, key: str, value: str) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise MlflowException("simulated: database is locked")
        real(self, name, version, key, value)

    monkeypatch.setattr(MlflowClient, "set_model_version_tag", third_tag_fails)
    code, _, err = run_main(["promote-model", "--model", "tagfail", "--version", new], capsys)
    assert code == 2
    assert err == (
        f"brickgate: error: promotion of tagfail version 2 failed while writing audit tag {AUDIT_PREFIX}at on "
        "version 2: simulated: database is locked; aliases restored (previous=unset, champion=1)\n"
    )
    assert registry.aliases("tagfail") == {"champion": old} and registry.tags("tagfail", new) == {}
