"""promote-model against a real `mlflow server` on 127.0.0.1, including the server dying mid-promotion."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from brickgate.registry import AUDIT_PREFIX
from tests.helpers.mlflow_server import MlflowServer
from tests.unit.release.conftest import RegistryBuilder, run_main

pytestmark = [pytest.mark.mlflow_server, pytest.mark.slow]

PASSING = {"brickgate.gate.fairness": "pass", "brickgate.gate.psi": "pass"}


@pytest.fixture
def server_registry(
    mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RegistryBuilder]:
    if mlflow_server.process is None:  # a previous test left it stopped
        mlflow_server.start()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
    monkeypatch.setenv("GITHUB_ACTOR", "octocat")
    yield RegistryBuilder(mlflow_server.url, tmp_path_factory.mktemp("builder"), local_artifacts=False)


def test_promotion_cycle_through_server(server_registry: RegistryBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    reg = server_registry
    gates = {"reports/fairness-result.json": {"passed": True}, "reports/psi-result.json": {"passed": True}}
    v1 = reg.version("srv_claims", gate_files=gates, metrics={"f1": 0.70})
    v2 = reg.version("srv_claims", gate_files=gates, metrics={"f1": 0.72})
    v3 = reg.version("srv_claims", gate_files=gates, metrics={"f1": 0.60})
    base = ["promote-model", "--model", "srv_claims", "--require-gates", "--metric", "f1", "--max-regression", "0.05"]
    assert run_main([*base, "--version", v1], capsys)[0] == 0
    code, out, _ = run_main(["--format", "json", *base, "--version", v2], capsys)
    document = json.loads(out)
    assert code == 0 and document["status"] == "promoted"
    assert [g["source"].rsplit(" ", 1)[-1] for g in document["gates"]] == [
        "reports/fairness-result.json",
        "reports/psi-result.json",
    ]
    assert reg.aliases("srv_claims") == {"champion": v2, "previous": v1}
    code, out, _ = run_main([*base, "--version", v3], capsys)  # 0.72 − 0.60 = 0.12 > 0.05
    assert code == 1 and "f1 regresses by 0.12" in out
    assert run_main([*base, "--version", v2], capsys)[1].endswith("already champion; nothing changed\n")
    assert run_main(["promote-model", "--model", "srv_claims", "--rollback"], capsys)[0] == 0
    assert reg.aliases("srv_claims") == {"champion": v1, "previous": v1}
    assert reg.tags("srv_claims", v2)[f"{AUDIT_PREFIX}by"] == "octocat"


def previous_champion_candidate(reg: RegistryBuilder, model: str) -> tuple[str, str, str]:
    """Versions 1, 2, 3 of `model` with passing gates; 1 is `previous`, 2 is `champion`."""
    v1, v2, v3 = (reg.version(model, tags=PASSING) for _ in range(3))
    reg.client.set_registered_model_alias(model, "previous", v1)
    reg.client.set_registered_model_alias(model, "champion", v2)
    return v1, v2, v3


def kill_on_alias_call(
    monkeypatch: pytest.MonkeyPatch, server: MlflowServer, call: int, then: Callable[[], None]
) -> None:
    """Stop the server just before the `call`-th alias request of the promotion, then run `then`."""
    from mlflow import MlflowClient

    real = MlflowClient.set_registered_model_alias
    count = {"n": 0}

    def patched(self: MlflowClient, name: str, alias: str, version: str) -> Any:
        count["n"] += 1
        if count["n"] == call:
            server.stop()
            then()
        return real(self, name, alias, version)

    monkeypatch.setattr(MlflowClient, "set_registered_model_alias", patched)


def test_server_killed_mid_promotion_aliases_restored_when_back(
    server_registry: RegistryBuilder,
    mlflow_server: MlflowServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fast_mlflow_http: None,
) -> None:
    reg = server_registry
    v1, v2, v3 = previous_champion_candidate(reg, "srv_kill")
    restart = threading.Timer(1.0, mlflow_server.start)
    kill_on_alias_call(monkeypatch, mlflow_server, call=2, then=restart.start)  # after `previous` moved
    code, out, err = run_main(
        ["promote-model", "--model", "srv_kill", "--version", v3, "--restore-wait", "120"], capsys
    )
    restart.join()
    assert (code, out) == (2, "")
    assert err.startswith(
        "brickgate: error: promotion of srv_kill version 3 failed while moving alias 'champion' to version 3: "
    )
    assert err.endswith("; aliases restored (previous=1, champion=2)\n")
    monkeypatch.undo()  # real client again
    assert reg.aliases("srv_kill") == {"previous": v1, "champion": v2}
    assert not any(k.startswith(AUDIT_PREFIX) for k in reg.tags("srv_kill", v3))


def test_server_stays_down_message_states_what_is_left(
    server_registry: RegistryBuilder,
    mlflow_server: MlflowServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fast_mlflow_http: None,
) -> None:
    reg = server_registry
    v1, v2, v3 = previous_champion_candidate(reg, "srv_down")
    kill_on_alias_call(monkeypatch, mlflow_server, call=2, then=lambda: None)
    code, _, err = run_main(["promote-model", "--model", "srv_down", "--version", v3, "--restore-wait", "1"], capsys)
    assert code == 2
    assert err.endswith(
        "; the registry stayed unreachable for 1 s, so the aliases could not be restored: they may now be "
        "previous=1 or 2, champion=2 or 3; restore them by setting previous=1, champion=2\n"
    )
    monkeypatch.undo()
    mlflow_server.start()
    left = reg.aliases("srv_down")
    assert left["previous"] in (v1, v2) and left["champion"] in (v2, v3)  # what the message promised
    assert left == {"previous": v2, "champion": v2}  # here: `previous` moved, the champion request never arrived
