"""The run record on disk: round trip, listing order, unreadable records, unknown ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from brickgate.errors import InputError
from brickgate.output import validate_against_schema
from brickgate.runner.record import (
    AttemptRecord,
    RunRecord,
    TaskRecord,
    find_run,
    list_runs,
    read_record,
    runs_dir,
    write_record,
)


def sample(run_id: int, started: str) -> RunRecord:
    attempt = AttemptRecord(
        attempt=1, state="SUCCESS", started_at=started, ended_at=started, exit_code=0, log="logs/a.1.log"
    )
    task = TaskRecord(
        task_key="a", type="spark_python_task", state="SUCCESS", run_if="ALL_SUCCESS", attempts=(attempt,)
    )
    return RunRecord(
        run_id=run_id,
        job_key="j",
        job_name="j",
        bundle="b",
        target="dev",
        root="/r",
        state="SUCCESS",
        started_at=started,
        ended_at=started,
        parameters={"p": "1"},
        tasks=(task,),
    )


def test_round_trip_and_schema(tmp_path: Path) -> None:
    record = sample(5, "2024-01-01T00:00:00.000Z")
    path = write_record(record, tmp_path / "5")
    assert read_record(path) == record
    validate_against_schema(record.to_document(), "run-record")
    assert not list(tmp_path.glob("5/.*.tmp"))  # the scratch file was renamed into place


def test_list_newest_first_skipping_unreadable(tmp_path: Path) -> None:
    base = runs_dir(tmp_path)
    write_record(sample(1, "2024-01-01T00:00:00.000Z"), base / "1")
    write_record(sample(3, "2024-01-03T00:00:00.000Z"), base / "3")
    write_record(sample(2, "2024-01-02T00:00:00.000Z"), base / "2")
    (base / "9").mkdir()
    (base / "9" / "run.json").write_text("{not json")
    assert [r.run_id for r in list_runs(tmp_path)] == [3, 2, 1]
    assert list_runs(tmp_path / "nowhere") == []


def test_find_run(tmp_path: Path) -> None:
    base = runs_dir(tmp_path)
    write_record(sample(1795638226964229, "2024-01-01T00:00:00.000Z"), base / "1795638226964229")
    assert find_run(tmp_path, "1795638226964229").run_id == 1795638226964229
    with pytest.raises(InputError) as error:
        find_run(tmp_path, "1795638226964228")
    assert str(error.value) == f"no run '1795638226964228' under {base}; did you mean '1795638226964229'?"
    (base / "7").mkdir()
    (base / "7" / "run.json").write_text("[]")
    with pytest.raises(InputError) as error:
        find_run(tmp_path, "7")
    problem = "top level: [] is not of type 'object'"
    assert str(error.value) == f"{base / '7' / 'run.json'}: not a readable brickgate run record: {problem}"
