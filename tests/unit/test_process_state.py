"""Library calls leave the caller's process as they found it: environment, loggers, matplotlib, streams."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from brickgate.alerts import Alert, send_alerts
from brickgate.errors import InputError
from brickgate.registry import PromoteOptions, promote_model
from brickgate.report.charts import BarChart, render_png
from tests.helpers.http_recorder import HttpRecorder, Reply

CJK = BarChart(
    name="di",
    title="DI · 年齢層 🎉",
    labels=("男性", "女性", "🦄 unicorns", "其他"),
    values=(1.0, 0.8, None, 1.1),
    y_label="DI",
)


def snapshot() -> dict[str, Any]:
    import matplotlib

    loggers = logging.root.manager.loggerDict
    levels = {name: logger.level for name, logger in loggers.items() if isinstance(logger, logging.Logger)}
    return {
        "env": dict(os.environ),
        "loggers": levels,
        "root": logging.root.level,
        "disabled": logging.root.manager.disable,
        "backend": matplotlib.get_backend(),
        "font": list(matplotlib.rcParams["font.family"]),
        "streams": (sys.stdout, sys.stderr),
        "filters": list(warnings.filters),
    }


def same(after: dict[str, Any], before: dict[str, Any]) -> bool:
    """Equal, loggers compared by those that existed before (libraries create theirs on first use)."""
    known = {name: level for name, level in after["loggers"].items() if name in before["loggers"]}
    return {**after, "loggers": known} == before


def test_library_calls_change_no_process_wide_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mlflow  # noqa: F401 - mlflow configures its own loggers on import; that is not ours to judge

    monkeypatch.chdir(tmp_path)
    before = snapshot()
    assert render_png(CJK)
    with HttpRecorder(default=Reply(status=503)) as server:
        alert = Alert(gate="psi", severity="warning", title="Drift", lines=(), dedup_key="k")
        send_alerts([alert], ["webhook"], env={"BRICKGATE_WEBHOOK_URL": server.url("/h")}, retries=1, backoff_seconds=0)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    with pytest.raises(InputError):
        promote_model("nosuch", PromoteOptions(version="1", tracking_uri=uri, registry_uri=uri), env={})
    assert same(snapshot(), before)


def test_missing_glyphs_are_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = render_png(CJK)
    assert png is not None and png.startswith(b"\x89PNG")


def test_the_cli_restores_what_it_changed_for_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    from brickgate.cli import main

    before = snapshot()
    with pytest.raises(SystemExit):
        main(["--network-timeout", "5", "validate-bundle", "no-such-folder"])
    assert same(snapshot(), before)
    assert capsys.readouterr().err.startswith("brickgate: error:")


@pytest.mark.slow  # two fresh processes importing mlflow
def test_quiet_by_default_verbose_on_request(tmp_path: Path) -> None:
    """A fresh local registry: MLflow's INFO lines ("Creating initial MLflow database tables") only with -v."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "BRICKGATE_"))}
    command = [sys.executable, "-m", "brickgate", "promote-model", "--model", "nosuch", "--version", "1"]
    quiet = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert quiet.returncode == 2 and quiet.stderr.count("\n") == 1 and "not found" in quiet.stderr
    (tmp_path / "again").mkdir()  # a fresh registry again
    verbose = subprocess.run(
        [*command[:3], "-v", *command[3:]], cwd=tmp_path / "again", env=env, capture_output=True, text=True, timeout=300
    )
    assert "INFO" in verbose.stderr
