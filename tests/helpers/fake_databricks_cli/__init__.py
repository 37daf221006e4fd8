"""Put a recording `databricks` stand-in on PATH for a test (see the `databricks` script here).

`fake_databricks(tmp_path, monkeypatch, {"bundle validate": {"stderr": "...", "exit": 1}})`
returns a `FakeDatabricks` whose `calls()` are the argument lists the stand-in received.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parent


@dataclass
class FakeDatabricks:
    log: Path
    responses: Path

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line)["argv"] for line in self.log.read_text(encoding="utf-8").splitlines()]

    def respond(self, responses: Mapping[str, Mapping[str, object]]) -> None:
        self.responses.write_text(json.dumps(responses), encoding="utf-8")


def fake_databricks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, responses: Mapping[str, Mapping[str, object]] | None = None
) -> FakeDatabricks:
    """Prepend the stand-in's folder to PATH and point its log and responses at `tmp_path`."""
    fake = FakeDatabricks(log=tmp_path / "databricks-calls.jsonl", responses=tmp_path / "databricks-responses.json")
    fake.respond(responses or {})
    monkeypatch.setenv("PATH", f"{FOLDER}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_DATABRICKS_LOG", str(fake.log))
    monkeypatch.setenv("FAKE_DATABRICKS_RESPONSES", str(fake.responses))
    return fake
