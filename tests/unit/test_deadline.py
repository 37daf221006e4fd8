"""A deadline on every network call: refusing ports on 127.0.0.1, a server answering 503, the one setting."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from brickgate import deadline
from brickgate.errors import ConfigError, InfraError, InputError
from tests.helpers.http_recorder import HttpRecorder, Reply
from tests.helpers.smtp_server import free_port

PASSWORD = "Pa55-canary-word"


def brickgate(args: list[str], cwd: Path, **env: str) -> tuple[int, str, str, float]:
    """The real CLI in a fresh process: exit code, stdout, stderr, seconds."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "DATABRICKS_", "BRICKGATE_"))}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "brickgate", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def test_psi_profile_from_a_refusing_mlflow_server_is_one_line_naming_the_host(tmp_path: Path) -> None:
    (tmp_path / "cur.csv").write_text("age\n1\n2\n", encoding="utf-8")
    port = free_port()
    code, out, err, seconds = brickgate(
        ["--format", "github", "psi-gate", "--current", "cur.csv", "--profile", "runs:/0123456789abcdef/p.json"],
        tmp_path,
        MLFLOW_TRACKING_URI=f"http://alice:{PASSWORD}@127.0.0.1:{port}",
    )
    line = f"cannot reach the MLflow server at http://127.0.0.1:{port}: connection refused (check MLFLOW_TRACKING_URI)"
    assert (code, err) == (2, f"brickgate: error: {line}\n")
    assert out == f"::error::{line}\n"
    assert seconds < 20  # the deadline is 60 s; a refused port is known at once (process start included)


def test_promote_model_checks_the_workspace_before_any_side_effect(tmp_path: Path) -> None:
    port = free_port()
    code, _, err, seconds = brickgate(
        ["promote-model", "--model", "main.ml.fraud", "--version", "1", "--tracking-uri", "databricks"],
        tmp_path,
        DATABRICKS_HOST=f"https://127.0.0.1:{port}",
        DATABRICKS_TOKEN="dapi0123456789abcdef0123456789abcdef",
    )
    assert code == 2
    assert err == (
        f"brickgate: error: cannot reach the Databricks workspace at https://127.0.0.1:{port}: "
        "connection refused (check DATABRICKS_HOST)\n"
    )
    assert seconds < 20 and not (tmp_path / ".brickgate").exists()


def test_the_setting_is_checked_before_anything_runs(tmp_path: Path) -> None:
    code, _, err, _ = brickgate(["--network-timeout", "nan", "validate-bundle"], tmp_path)
    assert code == 2 and len(err.splitlines()) == 1 and "--network-timeout" in err
    code, _, err, _ = brickgate(["validate-bundle"], tmp_path, BRICKGATE_NETWORK_TIMEOUT="-1")
    assert code == 2 and len(err.splitlines()) == 1 and "BRICKGATE_NETWORK_TIMEOUT" in err


def test_check_reachable_names_host_and_port_only() -> None:
    port = free_port()
    started = time.monotonic()
    with pytest.raises(InfraError) as error:
        deadline.check_reachable(f"http://bob:{PASSWORD}@127.0.0.1:{port}/path?q=1", "the MLflow server", "X")
    expected = f"cannot reach the MLflow server at http://127.0.0.1:{port}: connection refused (check X)"
    assert str(error.value) == expected
    assert time.monotonic() - started < 2
    with pytest.raises(ConfigError):
        deadline.check_reachable("http://[::1", "the MLflow server", "X")


def test_within_abandons_a_call_that_outlives_the_deadline() -> None:
    started = time.monotonic()
    with deadline.use(0.5), pytest.raises(InfraError, match=r"^slow thing: no answer within 0.5 s"):
        deadline.within(lambda: time.sleep(5), "slow thing")
    assert time.monotonic() - started < 2
    with deadline.use(5):
        assert deadline.within(lambda: 42, "quick") == 42
    assert deadline.seconds({}) == deadline.DEFAULT_SECONDS


def test_bounded_mlflow_sets_its_variables_for_the_block_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MAX_RETRIES", "TIMEOUT", "BACKOFF_FACTOR"):
        monkeypatch.delenv(f"MLFLOW_HTTP_REQUEST_{name}", raising=False)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "7")  # the user's own setting is kept
    with deadline.use(30), deadline.bounded_mlflow():
        assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "2"
        assert os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == "7"
    assert "MLFLOW_HTTP_REQUEST_MAX_RETRIES" not in os.environ and os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == "7"


def test_an_mlflow_server_answering_503_is_given_up_within_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    import mlflow.artifacts  # noqa: F401 - imported first: the import is not what is measured

    from brickgate.gates.psi.profile import load_profile

    with HttpRecorder(default=Reply(status=503, body="busy")) as server:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url("/"))
        started = time.monotonic()
        with deadline.use(4), pytest.raises((InputError, InfraError)) as error:
            load_profile("runs:/0123456789abcdef/psi_profile.json")
        seconds = time.monotonic() - started
    # MLflow's own policy (7 retries, doubling waits) takes minutes; the margin is for a loaded machine
    assert seconds < 4 + 20
    assert "\n" not in str(error.value)
    assert len(server.requests) >= 1
