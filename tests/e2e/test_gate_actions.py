"""The fairness-gate and psi-gate actions under act: red on planted bias or drift, green otherwise.

Each run goes through the real composite action: probe, install from the action's own folder,
one CLI call with inputs as env, outputs and step summary from the CLI's github format.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.e2e.act import ActRun, act, git_repo

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
WORKFLOWS = Path(__file__).resolve().parent / "workflows"


@dataclass(frozen=True)
class GateRun:
    act: ActRun
    outcome: str
    outputs: dict[str, str]
    summary: str
    reports: Path


GateRunner = Callable[[str, dict[str, str]], GateRun]


@pytest.fixture
def run_gate(
    tmp_path: Path, e2e_data: dict[str, Path], act_source: Path, act_cache: Path, shared_venv: Path
) -> GateRunner:
    """`run_gate(workflow, inputs)`: one act run of a gate workflow in a repository holding the test data."""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    for workflow in ("fairness-gate.yml", "psi-gate.yml"):
        shutil.copy(WORKFLOWS / workflow, repo / ".github" / "workflows" / workflow)
    (repo / "data").mkdir()
    for name, path in e2e_data.items():
        shutil.copy(path, repo / "data" / name)
    git_repo(repo)
    out = tmp_path / "out"

    def run_gate(workflow: str, inputs: dict[str, str]) -> GateRun:
        run = act(
            repo,
            "workflow_dispatch",
            source=act_source,
            cache=act_cache,
            workflows=repo / ".github" / "workflows" / workflow,
            inputs=inputs,
            env={"E2E_OUT": str(out), "BRICKGATE_VENV": str(shared_venv)},
        )
        assert (out / "outcome").is_file(), run.log() + run.stderr
        return GateRun(
            act=run,
            outcome=(out / "outcome").read_text(encoding="utf-8"),
            outputs=json.loads((out / "outputs.json").read_text(encoding="utf-8")),
            summary=run.summary(),
            reports=out / "reports",
        )

    return run_gate


def psi_oracle(reference: pd.Series, current: pd.Series, bins: int = 10, epsilon: float = 1e-4) -> float:
    """PSI as documented: decile edges of the reference (inverted-CDF quantiles), right-closed bins
    (x ≤ edge), open outer bins, empty-bin proportions replaced by epsilon."""
    levels = [k / bins for k in range(1, bins)]  # exact k/bins: linspace's 0.30000000000000004 moves an edge
    edges = np.unique(np.quantile(reference, levels, method="inverted_cdf"))
    ref = np.bincount(np.searchsorted(edges, reference, side="left"), minlength=len(edges) + 1) / len(reference)
    cur = np.bincount(np.searchsorted(edges, current, side="left"), minlength=len(edges) + 1) / len(current)
    ref, cur = np.where(ref == 0, epsilon, ref), np.where(cur == 0, epsilon, cur)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def test_fairness_gate_passes_on_fair_data(run_gate: GateRunner) -> None:
    run = run_gate("fairness-gate.yml", {"data": "data/fair.parquet"})
    assert run.act.returncode == 0, run.act.log()
    assert run.act.job_results() == {"gate": "success"}
    assert run.outcome == "success"
    # every gender × age-band cell holds the same scores, so every selection rate is equal: DI = 1
    assert run.outputs["passed"] == "true" and run.outputs["status"] == "pass"
    assert run.outputs["worst-di"] == "1.0000" and run.outputs["critical-attributes"] == ""
    assert run.outputs["report-path"].endswith(".html")
    assert "gender" in run.summary and "age_band" in run.summary


def test_fairness_gate_fails_its_job_on_planted_bias(run_gate: GateRunner) -> None:
    run = run_gate("fairness-gate.yml", {"data": "data/biased.parquet"})
    assert run.act.returncode != 0
    assert run.act.job_results() == {"gate": "failure"}
    assert run.outcome == "failure"
    # F scores are shifted by +0.5: the top 5 % (60 of 1 200) are all F, so P(flag | M) = 0 → DI 0
    assert run.outputs["passed"] == "false" and run.outputs["status"] == "critical"
    assert run.outputs["critical-attributes"] == "gender"
    assert run.summary.startswith("## Fairness gate: ❌ critical") and "gender" in run.summary
    assert any(message.startswith("Bias detected in gender") for message in run.act.annotations())
    result = json.loads((run.reports / "fairness-result.json").read_text(encoding="utf-8"))
    assert result["passed"] is False


def test_psi_gate_passes_on_stable_data(run_gate: GateRunner) -> None:
    run = run_gate("psi-gate.yml", {"current": "data/current_stable.parquet"})
    assert run.act.returncode == 0, run.act.log()
    assert run.outcome == "success"
    # the current sample is the reference shuffled: identical bin proportions, PSI exactly 0
    assert run.outputs["passed"] == "true" and run.outputs["status"] == "pass"
    assert run.outputs["max-psi"] == "0.0000" and run.outputs["critical-features"] == ""
    assert "amount" in run.summary


def test_psi_gate_fails_its_job_on_drift(run_gate: GateRunner, e2e_data: dict[str, Path]) -> None:
    run = run_gate("psi-gate.yml", {"current": "data/current_drifted.parquet"})
    assert run.act.returncode != 0
    assert run.act.job_results() == {"gate": "failure"}
    assert run.outcome == "failure"
    assert run.outputs["passed"] == "false" and run.outputs["status"] == "critical"
    assert run.outputs["critical-features"] == "amount" and run.outputs["worst-feature"] == "amount"
    reference = pd.read_parquet(e2e_data["reference.parquet"])["amount"]
    current = pd.read_parquet(e2e_data["current_drifted.parquet"])["amount"]
    assert float(run.outputs["max-psi"]) == pytest.approx(psi_oracle(reference, current), abs=1e-4)
    assert "amount" in run.summary
