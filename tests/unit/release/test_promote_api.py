"""`brickgate.promote`: the promote-model command as a function, on a local SQLite registry."""

from __future__ import annotations

import pytest

import brickgate
from brickgate.cli.promote_model import to_document
from brickgate.output import validate_against_schema
from tests.unit.release.conftest import RegistryBuilder

PASSING = {"brickgate.gate.fairness": "pass", "brickgate.gate.psi": "pass"}


@pytest.mark.slow
def test_promote_returns_the_result_and_refuses_failed_gates(
    sqlite_registry: RegistryBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", sqlite_registry.tracking_uri)
    good = sqlite_registry.version("api-model", tags=PASSING)
    result = brickgate.promote("api-model", version=good, require_gates=True)
    assert (result.passed, result.status, dict(result.aliases)) == (True, "promoted", {"champion": good})
    validate_against_schema(to_document(result), "promote-model")
    bad = sqlite_registry.version("api-model", tags={**PASSING, "brickgate.gate.psi": "fail"})
    refused = brickgate.promote("api-model", version=bad, require_gates=True)
    assert (refused.passed, refused.status) == (False, "refused")
    assert sqlite_registry.aliases("api-model") == {"champion": good}
