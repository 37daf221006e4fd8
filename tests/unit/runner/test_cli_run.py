"""`brickgate run` and `brickgate runs` through the real entry point, on the runner fixture bundle."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from brickgate.cli import main
from brickgate.output import validate_against_schema
from tests.helpers.github_files import fake_github

from .conftest import gone

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "bundles" / "runner" / "pipeline"


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    target = tmp_path / "pipeline"
    shutil.copytree(FIXTURE, target)
    return target


def brickgate(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_run_succeeds_and_logs_progress_lines(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = brickgate(["run", str(bundle), "pipeline"], capsys)
    assert code == 0, err
    assert "extract RUNNING attempt 1" in err and "publish › write SUCCESS" in err
    assert "too_few EXCLUDED condition enough_rows was true" in err
    assert "job pipeline · run" in out and "SUCCESS" in out
    runs = sorted((bundle / ".brickgate" / "runs").iterdir())
    assert len(runs) == 2  # the job and the child job of run_job_task publish
    child = next(r for r in runs if (r / "written.txt").exists())
    assert (child / "written.txt").read_text() == "written from publish-2024-01-02"


def test_failing_job_exits_1_with_json_record(
    bundle: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROWS", "1")
    code, out, _ = brickgate(["--format", "json", "run", str(bundle), "pipeline", "--param", "threshold=3"], capsys)
    document = json.loads(out)
    validate_against_schema(document, "run-record")
    assert code == 1 and document["state"] == "FAILED"
    assert {t["task_key"]: t["state"] for t in document["tasks"]} == {
        "extract": "SUCCESS",
        "enough_rows": "SUCCESS",
        "report": "EXCLUDED",
        "too_few": "FAILED",
        "publish": "EXCLUDED",
    }


def test_param_and_var_flags(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = brickgate(
        [
            "--format",
            "json",
            "run",
            str(bundle),
            "pipeline",
            "--param",
            "threshold=9",
            "--var",
            "catalog=other",
            "--only",
            "extract",
            "--only",
            "enough_rows",
        ],
        capsys,
    )
    document = json.loads(out)
    assert code == 0 and document["parameters"] == {"threshold": "9", "day": "2024-01-02"}
    assert document["tasks"][1]["outcome"] == "false"
    log = (bundle / ".brickgate" / "runs" / str(document["run_id"]) / "logs" / "extract.1.log").read_text()
    assert "catalog=other day=2024-01-02" in log


def test_job_key_alone_runs_the_bundle_in_the_working_directory(
    bundle: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(bundle)
    code, _, err = brickgate(["run", "publish"], capsys)
    assert code == 0, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pipelin"], "brickgate: error: unknown job 'pipelin'; did you mean 'pipeline'?"),
        (
            ["pipeline", "--param", "thresold=1"],
            "brickgate: error: job 'pipeline' has no parameter 'thresold' (job parameters: threshold, day)",
        ),
        (["pipeline", "--param", "novalue"], "brickgate: error: --param 'novalue': expected name=value"),
        (["pipeline", "--only", "nope"], "brickgate: error: job 'pipeline' has no task 'nope'"),
    ],
)
def test_cannot_start_exits_2_with_one_line(
    bundle: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = brickgate(["run", str(bundle), *args], capsys)
    assert code == 2 and err.startswith(message) and len(err.strip().splitlines()) == 1
    assert not (bundle / ".brickgate" / "runs").exists()


def test_invalid_bundle_is_refused_naming_the_first_error(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = bundle / "databricks.yml"
    config.write_text(config.read_text().replace("./src/fail.py", "./src/missing.py"))
    code, _, err = brickgate(["run", str(bundle), "publish"], capsys)
    assert code == 2
    assert err.startswith("brickgate: error: the bundle has 1 validation error(s), nothing was run; first: BG")
    assert "missing.py" in err and "(databricks.yml:" in err
    assert not (bundle / ".brickgate" / "runs").exists()


def test_github_format_writes_outputs_summary_and_annotations(
    bundle: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = fake_github(tmp_path, monkeypatch)
    monkeypatch.setenv("ROWS", "0")
    code, out, _ = brickgate(["run", str(bundle), "pipeline"], capsys)
    assert code == 1
    outputs = files.outputs()
    assert outputs["state"] == "FAILED" and outputs["run-dir"].endswith(outputs["run-id"])
    assert "::error title=brickgate run::task too_few FAILED: exit code 3; log " in out
    summary = files.summary_text()
    assert "### brickgate run: job `pipeline` FAILED" in summary and "```mermaid\ngantt" in summary


def test_runs_list_and_show(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    brickgate(["run", str(bundle), "publish"], capsys)
    brickgate(["run", str(bundle), "pipeline"], capsys)
    code, out, _ = brickgate(["--format", "json", "runs", "list", str(bundle)], capsys)
    listed = json.loads(out)
    validate_against_schema(listed, "run-list")
    assert code == 0 and [r["job_key"] for r in listed["runs"]] == ["publish", "pipeline", "publish"]  # newest first
    newest_pipeline = listed["runs"][1]
    code, out, _ = brickgate(["--format", "json", "runs", "show", str(newest_pipeline["run_id"]), str(bundle)], capsys)
    assert code == 0 and json.loads(out)["run_id"] == newest_pipeline["run_id"]
    code, out, _ = brickgate(["runs", "show", str(newest_pipeline["run_id"]), str(bundle)], capsys)
    assert "extract attempt 1: SUCCESS exit 0" in out
    code, out, _ = brickgate(["runs", "list", str(bundle), "--limit", "1"], capsys)
    assert code == 0 and out.count("publish") == 1


def test_runs_show_unknown_id(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = brickgate(["runs", "show", "123", str(bundle)], capsys)
    assert code == 2 and err.startswith("brickgate: error: no run '123' under ")


def test_runs_list_without_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = brickgate(["runs", "list", str(tmp_path)], capsys)
    assert code == 0 and "no runs recorded yet" in out


@pytest.mark.slow
def test_ctrl_c_cancels_and_exits_130(bundle: Path, tmp_path: Path) -> None:
    """SIGINT to the brickgate process: tasks (and their children) are killed, recorded CANCELED, exit 130."""
    pid_file = tmp_path / "grandchild.pid"
    (bundle / "src" / "hang.py").write_text(
        "import pathlib, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    config = (bundle / "databricks.yml").read_text().replace("./src/extract.py", "./src/hang.py")
    (bundle / "databricks.yml").write_text(config)
    process = subprocess.Popen(
        [sys.executable, "-m", "brickgate", "run", str(bundle), "pipeline"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text()):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    runs = list((bundle / ".brickgate" / "runs").iterdir())
    record = json.loads((runs[0] / "run.json").read_text())
    assert record["state"] == "CANCELED"
    assert {t["task_key"]: t["state"] for t in record["tasks"]}["extract"] == "CANCELED"
    assert gone(int(pid_file.read_text()))


def test_command_modules_stay_light() -> None:
    """`brickgate run --help` must not import pandas, Spark or MLflow (the runner needs none of them)."""
    code = (
        "import sys, brickgate.cli.run, brickgate.cli.runs, brickgate.runner; "
        "heavy = [m for m in ('pandas', 'pyspark', 'mlflow', 'deltalake', 'numpy') if m in sys.modules]; "
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_failed_task_logs_are_shown_with_child_jobs(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (bundle / "src" / "write.py").open("a") as handle:
        handle.write("raise RuntimeError('child broke')\n")
    code, _, err = brickgate(["run", str(bundle), "pipeline"], capsys)
    assert code == 1
    header = next(line for line in err.splitlines() if line.startswith("--- task "))
    assert header.startswith("--- task publish › write attempt 1 (FAILED): last 30 lines of ")
    assert header.endswith("/logs/write.1.log")
    assert "RuntimeError: child broke" in err
