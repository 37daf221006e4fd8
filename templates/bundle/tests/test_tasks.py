"""Each job task runs with its parameters (written by `brickgate init`)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

TASKS = Path(__file__).resolve().parent.parent / "src" / "__PROJECT_IDENTIFIER__" / "tasks"


@pytest.mark.parametrize("task", ["smoke", "train", "validate"])
def test_task_runs(
    task: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "argv", [task, "--catalog", "dev", "--schema", "demo"])
    runpy.run_path(str(TASKS / f"{task}.py"), run_name="__main__")
    assert "dev.demo" in capsys.readouterr().out
