"""The public Python API (`brickgate.fairness_gate`, `psi_gate`, `psi_profile`, `publish`) with
pandas, the CLI's JSON as the reference, and alert identities that survive paths and retraining."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import brickgate
from brickgate.cli import main
from brickgate.errors import ConfigError
from brickgate.gates.psi import save_profile
from brickgate.output import validate_against_schema

VOLATILE = ("run_id", "created_at", "current_source", "baseline")


def claims(seed: int = 3, rows: int = 400, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], size=rows)
    score = rng.uniform(size=rows) + np.where(sex == "M", 0.15, 0.0) + shift
    return pd.DataFrame(
        {"score": score, "sex": sex, "region": rng.choice(["A", "B", "C"], size=rows), "age": rng.normal(40, 9, rows)}
    )


def stable(document: Any) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in VOLATILE}


def cli_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    with pytest.raises(SystemExit) as exit_:
        main(["--format", "json", *args])
    return int(exit_.value.code or 0), json.loads(capsys.readouterr().out)


def test_fairness_gate_returns_what_the_cli_prints_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    frame = claims()
    frame.to_parquet("claims.parquet")
    outcome = brickgate.fairness_gate(
        frame, protected_attributes="sex, region", score_column="score", threshold=0.9, model_name="fraud"
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "claims.parquet"] and capsys.readouterr() == ("", "")
    validate_against_schema(outcome.document, "fairness-result")
    assert outcome.document["passed"] is outcome.passed and outcome.document["status"] == outcome.status
    assert outcome.result.attributes[0].name == "sex"
    args = ["fairness-gate", "--data", "claims.parquet", "--protected-attributes", "sex,region"]
    code, document = cli_json([*args, "--score-column", "score", "--threshold", "0.9", "--model-name", "fraud"], capsys)
    assert stable(document) == stable(outcome.document) and code == (0 if outcome.passed else 1)
    # The same from the SOURCE string; publishing is a separate call.
    from_source = brickgate.fairness_gate(
        "claims.parquet",
        protected_attributes=["sex", "region"],
        score_column="score",
        threshold=0.9,
        model_name="fraud",
    )
    assert stable(from_source.document) == stable(outcome.document)
    report = brickgate.publish(outcome, report_dir="out")
    assert Path("out/fairness-result.json") in report.files
    assert json.loads((tmp_path / "out" / "fairness-result.json").read_text())["run_id"] == outcome.document["run_id"]
    assert json.loads(outcome.to_json()) == json.loads(json.dumps(outcome.document))


def test_fairness_gate_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="--threshold must be a finite number, got nan"):
        brickgate.fairness_gate(claims(), protected_attributes="sex", score_column="score", threshold=float("nan"))
    with pytest.raises(ConfigError, match="give --score-column"):
        brickgate.fairness_gate(claims(), protected_attributes="sex")


def test_psi_api_matches_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    reference, current = claims(1), claims(2, shift=0.3)
    reference.to_parquet("ref.parquet")
    current.to_parquet("cur.parquet")
    profile = brickgate.psi_profile(reference, features="age,region", score_column="score", model_name="fraud")
    assert [f.name for f in profile.features] == ["age", "region", "score"] and profile.identity == "fraud"
    outcome = brickgate.psi_gate(current, profile=profile, fail_on_drift=True)
    validate_against_schema(outcome.document, "psi-result")
    assert outcome.document["identity"] == "fraud"
    save_profile(profile, "p.json")
    code, document = cli_json(
        ["psi-gate", "--current", "cur.parquet", "--profile", "p.json", "--fail-on-drift"], capsys
    )
    assert stable(document) == stable(outcome.document) and code == (0 if outcome.passed else 1)
    # Reference data instead of a stored profile: profiled on the fly.
    on_the_fly = brickgate.psi_gate(current, reference=reference, features=["age"], bins=5)
    assert [f.name for f in on_the_fly.result.features] == ["age"]
    with pytest.raises(ConfigError, match="not both"):
        brickgate.psi_gate(current, profile=profile, reference=reference)
    with pytest.raises(ConfigError, match="needs profile="):
        brickgate.psi_gate(current)


def alert_keys(outcome: Any) -> list[str]:
    return sorted(alert.dedup_key for alert in outcome.alerts)


def test_psi_alert_keys_follow_the_profile_identity_not_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 20: the same profile at two paths, and a retrained model's new profile with the
    same model name, give the same keys, so a resolve closes the earlier trigger."""
    monkeypatch.chdir(tmp_path)
    current = claims(2, shift=0.3)
    current.to_parquet("cur.parquet")
    anonymous = brickgate.psi_profile(claims(1), features="age,score")
    assert anonymous.identity == f"profile-{anonymous.content_hash()}"
    save_profile(anonymous, "a/p.json")
    save_profile(anonymous, "b/copy.json")
    keys = [alert_keys(brickgate.psi_gate(current, profile=path)) for path in ("a/p.json", "b/copy.json")]
    assert keys[0] == keys[1] and f"brickgate/psi/{anonymous.identity}/age" in keys[0]
    assert not any("p.json" in key or "copy.json" in key for key in keys[0])

    # Retrained: new reference data, new profile, same model name → the same keys.
    first = brickgate.psi_profile(claims(1), features="age,score", model_name="claims-fraud")
    retrained = brickgate.psi_profile(claims(9, shift=0.05), features="age,score", model_name="claims-fraud")
    assert first.content_hash() != retrained.content_hash()
    save_profile(first, "runs/1/psi_profile.json")
    save_profile(retrained, "runs/2/psi_profile.json")
    before, after = (alert_keys(brickgate.psi_gate(current, profile=f"runs/{n}/psi_profile.json")) for n in (1, 2))
    assert before == after and {"brickgate/psi/claims-fraud/age", "brickgate/psi/claims-fraud/score"} <= set(before)
    assert all(key.startswith("brickgate/psi/claims-fraud") for key in before)
    # --model-name on the gate wins over the profile's identity; the CLI keys agree.
    named = brickgate.psi_gate(current, profile="a/p.json", model_name="claims-fraud")
    assert alert_keys(named) == before
    args = ["psi-gate", "--current", "cur.parquet", "--profile", "a/p.json", "--model-name", "claims-fraud"]
    code, document = cli_json(args, capsys)
    assert document["identity"] == "claims-fraud" and code == 0


def test_profile_made_by_the_cli_stores_its_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    claims(1).to_parquet("ref.parquet")
    args = ["psi-gate", "profile", "--reference", "ref.parquet", "--features", "age", "--out", "p.json"]
    with pytest.raises(SystemExit):
        main([*args, "--model-name", "claims-fraud"])
    stored = json.loads(Path("p.json").read_text())
    assert (stored["model_name"], stored["identity"]) == ("claims-fraud", "claims-fraud")
    with pytest.raises(SystemExit):
        main([*args[:-1], "q.json"])
    capsys.readouterr()
    assert json.loads(Path("q.json").read_text())["identity"].startswith("profile-")


def test_fairness_alert_keys_use_the_model_name_not_the_data_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    frame = claims()
    frame.to_parquet("one.parquet")
    frame.to_parquet("two.parquet")
    keys = [
        alert_keys(brickgate.fairness_gate(path, protected_attributes="sex", score_column="score", model_name="fraud"))
        for path in ("one.parquet", "two.parquet")
    ]
    assert keys[0] == keys[1] and "brickgate/fairness/fraud/sex" in keys[0]
