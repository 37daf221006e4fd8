"""Notebook and wheel tasks, and the runtime pieces they use (widgets shim, task values, bootstraps)."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from brickgate.errors import InputError
from brickgate.runner import RunOptions, plan_job
from brickgate.runtime import get_dbutils, job_parameters, task_values
from brickgate.runtime.dbutils import DBUtils, InputWidgetNotDefined
from brickgate.runtime.notebook import split_cells
from brickgate.runtime.wheel import find_entry_point

from .conftest import Runner

NOTEBOOK = """\
# Databricks notebook source
# MAGIC %md
# MAGIC # A report

# COMMAND ----------

dbutils.widgets.text("greeting", "hello")
rows = int(dbutils.widgets.get("rows"))
day = dbutils.widgets.get("day")

# COMMAND ----------

from brickgate.runtime import task_values

task_values.set("summary", {"rows": rows, "day": day, "greeting": dbutils.widgets.get("greeting")})
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_notebook_task_gets_widgets_from_base_parameters_and_job_parameters(run: Runner, tmp_path: Path) -> None:
    write(tmp_path / "notebooks" / "report.py", NOTEBOOK)
    jobs = {
        "job": {
            "parameters": [{"name": "day", "default": "2024-01-02"}],
            "tasks": [
                {
                    "task_key": "report",
                    "notebook_task": {
                        "notebook_path": "notebooks/report",  # no extension, as exported
                        "base_parameters": {"rows": 7, "day": "overridden by the job"},
                    },
                },
            ],
        }
    }
    record = run(jobs)
    assert record.state == "SUCCESS"
    values = task_values.read_values(tmp_path / ".brickgate" / "runs" / str(record.run_id), "report")
    assert values == {"summary": {"rows": 7, "day": "2024-01-02", "greeting": "hello"}}


def test_failing_notebook_cell_is_named_in_the_log(run: Runner, tmp_path: Path) -> None:
    write(
        tmp_path / "nb.py", "# Databricks notebook source\nx = 1\n\n# COMMAND ----------\n\nraise ValueError('boom')\n"
    )
    record = run({"job": {"tasks": [{"task_key": "nb", "notebook_task": {"notebook_path": "nb.py"}}]}})
    assert record.task("nb").state == "FAILED"
    log = (tmp_path / ".brickgate" / "runs" / str(record.run_id) / "logs" / "nb.1.log").read_text()
    assert "ValueError: boom" in log and "notebook nb.py: cell 2 of 2 (starts at line 5) failed" in log
    assert 'nb.py", line 6' in log  # tracebacks point at the notebook's own lines


def test_ipynb_or_plain_file_is_not_a_source_notebook(tmp_path: Path) -> None:
    write(tmp_path / "plain.py", "print(1)\n")
    jobs = {"job": {"tasks": [{"task_key": "nb", "notebook_task": {"notebook_path": "plain.py"}}]}}
    with pytest.raises(InputError, match=r"plain\.py is not a source-format notebook"):
        plan_job("job", RunOptions(root=tmp_path, jobs=jobs))


def test_split_cells_keeps_line_numbers() -> None:
    cells = split_cells("# Databricks notebook source\na = 1\n# COMMAND ----------\n# COMMAND ----------\nb = 2\n")
    assert cells == [(1, "# Databricks notebook source\na = 1"), (5, "b = 2")]


@pytest.fixture
def installed_wheel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A distribution `demo-job` 0.1 with a console script `demo`, as `pip install` would leave it."""
    site = tmp_path / "site"
    write(
        site / "demo_job" / "__init__.py",
        """
        import json, os, sys

        def main():
            open(os.environ["OUT"], "w").write(json.dumps(sys.argv))

        def fallback():
            open(os.environ["OUT"], "w").write(json.dumps(["fallback", *sys.argv[1:]]))
    """,
    )
    write(site / "demo_job-0.1.dist-info" / "METADATA", "Metadata-Version: 2.1\nName: demo-job\nVersion: 0.1\n")
    write(site / "demo_job-0.1.dist-info" / "entry_points.txt", "[console_scripts]\ndemo = demo_job:main\n")
    monkeypatch.syspath_prepend(str(site))
    return site


def test_wheel_task_with_named_parameters_and_job_parameters(
    run: Runner, tmp_path: Path, installed_wheel: Path
) -> None:
    out = tmp_path / "argv.json"
    jobs = {
        "job": {
            "parameters": [{"name": "day", "default": "d1"}],
            "tasks": [
                {
                    "task_key": "w",
                    "python_wheel_task": {
                        "package_name": "demo-job",
                        "entry_point": "demo",
                        "named_parameters": {"rows": 3, "run": "{{job.run_id}}"},
                    },
                },
            ],
        }
    }
    env = {**os.environ, "OUT": str(out), "PYTHONPATH": str(installed_wheel)}
    record = run(jobs, env=env)
    assert record.state == "SUCCESS"
    assert json.loads(out.read_text()) == ["demo-job", "--rows=3", f"--run={record.run_id}", "--day=d1"]


def test_wheel_task_positional_parameters_and_function_fallback(
    run: Runner, tmp_path: Path, installed_wheel: Path
) -> None:
    out = tmp_path / "argv.json"
    jobs = {
        "job": {
            "tasks": [
                {
                    "task_key": "w",
                    "python_wheel_task": {
                        "package_name": "demo-job",
                        "entry_point": "fallback",
                        "parameters": ["a", "{{task.name}}"],
                    },
                }
            ]
        }
    }
    record = run(jobs, env={**os.environ, "OUT": str(out), "PYTHONPATH": str(installed_wheel)})
    assert record.state == "SUCCESS" and json.loads(out.read_text()) == ["fallback", "a", "w"]


def test_find_entry_point_errors(installed_wheel: Path) -> None:
    with pytest.raises(LookupError, match="package 'nope-dist' is not installed"):
        find_entry_point("nope-dist", "main")
    with pytest.raises(LookupError, match=r"has no entry point 'missing' and no function demo_job\.missing"):
        find_entry_point("demo-job", "missing")


def test_widgets_shim() -> None:
    dbutils = DBUtils({"given": "1"})
    dbutils.widgets.text("with_default", "d")
    dbutils.widgets.dropdown("given", "0", ["0", "1"])
    assert dbutils.widgets.get("given") == "1" and dbutils.widgets.get("with_default") == "d"
    assert dbutils.widgets.getAll() == {"given": "1", "with_default": "d"}
    assert dbutils.widgets.getArgument("nothing", "fallback") == "fallback"
    with pytest.raises(InputWidgetNotDefined, match="widget 'nothing' is not defined"):
        dbutils.widgets.get("nothing")


def test_task_values_outside_a_job_follow_dbutils() -> None:
    task_values.set("ignored", 1)  # no-op outside a job run
    assert task_values.get("t", "k", debug_value=5) == 5
    with pytest.raises(TypeError, match="outside a job run needs debug_value"):
        task_values.get("t", "k")


def test_task_values_in_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRICKGATE_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("BRICKGATE_TASK_KEY", "producer")
    task_values.set("a", [1, 2])
    task_values.set("a", {"x": 1})  # overwrite
    task_values.set("b", "text")
    assert task_values.get("producer", "a") == {"x": 1}
    assert DBUtils({}).jobs.taskValues.get(taskKey="producer", key="b") == "text"
    assert task_values.get("producer", "missing", default=0) == 0
    with pytest.raises(ValueError, match="task value 'missing' of task 'producer' was not set"):
        task_values.get("producer", "missing")
    with pytest.raises(ValueError, match="Databricks allows at most 48 KiB"):
        task_values.set("big", "x" * 50_000)
    with pytest.raises(TypeError):
        task_values.set("bad", object())


def test_runtime_helpers_outside_databricks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert job_parameters() == {}
    monkeypatch.setenv("BRICKGATE_JOB_PARAMETERS", '{"day": "2024-01-02"}')
    monkeypatch.setenv("BRICKGATE_WIDGETS", '{"rows": "3"}')
    assert job_parameters() == {"day": "2024-01-02"}
    assert get_dbutils().widgets.get("rows") == "3"


@pytest.mark.slow
@pytest.mark.spark
def test_notebook_spark_is_a_lazily_created_local_session(run: Runner, tmp_path: Path) -> None:
    """`spark` in a notebook task is the local session of `brickgate.runtime.get_spark()`, started on first use."""
    write(
        tmp_path / "count.py",
        "# Databricks notebook source\n"
        "from brickgate.runtime import task_values\n\n"
        "# COMMAND ----------\n\n"
        "task_values.set('n', spark.range(5).count())\n"
        "task_values.set('master', spark.sparkContext.master)\n",
    )
    env = {**os.environ, "BRICKGATE_SPARK_MASTER": "local[1]"}
    record = run({"job": {"tasks": [{"task_key": "count", "notebook_task": {"notebook_path": "count.py"}}]}}, env=env)
    assert record.state == "SUCCESS"
    values = task_values.read_values(tmp_path / ".brickgate" / "runs" / str(record.run_id), "count")
    assert values == {"n": 5, "master": "local[1]"}
