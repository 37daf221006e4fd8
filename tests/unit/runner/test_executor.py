"""The scheduler end to end with real subprocesses (tiny Python scripts, well under a second each)."""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from brickgate.errors import InputError
from brickgate.runner import RunOptions, RunRecord, plan_job
from brickgate.runner.executor import JobRun, env_variable_name
from brickgate.runner.record import parse_iso

from .conftest import Runner, Script, gone, python_task, states, wait_for

OK = "pass\n"
FAIL = "raise SystemExit(1)\n"


def started(record: Any, key: str, attempt: int = 1) -> float:
    return parse_iso(record.task(key).attempts[attempt - 1].started_at).timestamp()


def ended(record: Any, key: str, attempt: int = 1) -> float:
    value = record.task(key).attempts[attempt - 1].ended_at
    return parse_iso(value).timestamp()


def test_dependencies_order_and_parallel_branches(run: Runner, script: Script) -> None:
    nap = script("nap", "import time; time.sleep(0.3)\n")
    jobs = {
        "job": {
            "tasks": [
                python_task("a", nap),
                python_task("b", nap, depends_on=[{"task_key": "a"}]),
                python_task("c", nap, depends_on=[{"task_key": "a"}]),
                python_task("d", nap, depends_on=[{"task_key": "b"}, {"task_key": "c"}]),
            ]
        }
    }
    record = run(jobs, max_parallel=2)
    assert record.state == "SUCCESS"
    assert ended(record, "a") <= started(record, "b") and ended(record, "a") <= started(record, "c")
    assert started(record, "c") < ended(record, "b") and started(record, "b") < ended(record, "c")  # overlap
    assert max(ended(record, "b"), ended(record, "c")) <= started(record, "d")


def test_max_parallel_one_runs_one_at_a_time(run: Runner, script: Script) -> None:
    nap = script("nap", "import time; time.sleep(0.1)\n")
    record = run({"job": {"tasks": [python_task(k, nap) for k in "abc"]}}, max_parallel=1)
    spans = sorted((started(record, k), ended(record, k)) for k in "abc")
    assert all(first[1] <= second[0] for first, second in itertools.pairwise(spans))


@pytest.mark.parametrize(
    ("run_if", "left", "right", "expected"),
    [
        ("ALL_SUCCESS", OK, FAIL, "UPSTREAM_FAILED"),
        ("ALL_SUCCESS", OK, OK, "SUCCESS"),
        ("AT_LEAST_ONE_SUCCESS", OK, FAIL, "SUCCESS"),
        ("AT_LEAST_ONE_SUCCESS", FAIL, FAIL, "UPSTREAM_FAILED"),
        ("NONE_FAILED", OK, FAIL, "UPSTREAM_FAILED"),
        ("NONE_FAILED", OK, OK, "SUCCESS"),
        ("ALL_DONE", FAIL, FAIL, "SUCCESS"),
        ("AT_LEAST_ONE_FAILED", OK, FAIL, "SUCCESS"),
        ("AT_LEAST_ONE_FAILED", OK, OK, "EXCLUDED"),
        ("ALL_FAILED", FAIL, FAIL, "SUCCESS"),
        ("ALL_FAILED", OK, FAIL, "EXCLUDED"),
    ],
)
def test_each_run_if_rule(run: Runner, script: Script, run_if: str, left: str, right: str, expected: str) -> None:
    jobs = {
        "job": {
            "tasks": [
                python_task("left", script("left", left)),
                python_task("right", script("right", right)),
                python_task(
                    "joined",
                    script("joined", OK),
                    run_if=run_if,
                    depends_on=[{"task_key": "left"}, {"task_key": "right"}],
                ),
            ]
        }
    }
    assert run(jobs).task("joined").state == expected


def test_failure_propagates_and_independent_branches_continue(run: Runner, script: Script) -> None:
    ok, bad = script("ok", OK), script("bad", FAIL)
    jobs = {
        "job": {
            "tasks": [
                python_task("broken", bad),
                python_task("after", ok, depends_on=[{"task_key": "broken"}]),
                python_task("after_after", ok, depends_on=[{"task_key": "after"}]),
                python_task("cleanup", ok, depends_on=[{"task_key": "after_after"}], run_if="ALL_DONE"),
                python_task("other", ok),
            ]
        }
    }
    record = run(jobs)
    assert states(record) == {
        "broken": "FAILED",
        "after": "UPSTREAM_FAILED",
        "after_after": "UPSTREAM_FAILED",
        "cleanup": "SUCCESS",
        "other": "SUCCESS",
    }
    assert record.task("after").message == "run_if ALL_SUCCESS not met (broken FAILED)"
    assert record.task("broken").attempts[0].exit_code == 1
    assert record.state == "SUCCESS_WITH_FAILURES"  # only inner tasks failed; every leaf succeeded


def test_retries_wait_min_interval_from_the_failed_start(run: Runner, script: Script, tmp_path: Path) -> None:
    flaky = script(
        "flaky",
        """
        import pathlib, sys
        marker = pathlib.Path(sys.argv[1])
        count = int(marker.read_text()) + 1 if marker.exists() else 1
        marker.write_text(str(count))
        raise SystemExit(0 if count == 3 else 1)
    """,
    )
    jobs = {
        "job": {
            "tasks": [
                python_task(
                    "flaky",
                    flaky,
                    task={"parameters": [str(tmp_path / "count")]},
                    max_retries=3,
                    min_retry_interval_millis=400,
                )
            ]
        }
    }
    record = run(jobs)
    task = record.task("flaky")
    assert task.state == "SUCCESS" and [a.state for a in task.attempts] == ["FAILED", "FAILED", "SUCCESS"]
    assert [a.log for a in task.attempts] == [f"logs/flaky.{n}.log" for n in (1, 2, 3)]
    assert started(record, "flaky", 2) - started(record, "flaky", 1) >= 0.4 - 0.005  # ms-rounded timestamps
    assert started(record, "flaky", 3) - started(record, "flaky", 2) >= 0.4 - 0.005


def test_retries_exhausted(run: Runner, script: Script) -> None:
    record = run({"job": {"tasks": [python_task("bad", script("bad", FAIL), max_retries=2)]}})
    assert record.state == "FAILED" and len(record.task("bad").attempts) == 3


GRANDCHILD = """
    import pathlib, signal, subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])
    pathlib.Path(sys.argv[1]).write_text(str(child.pid))
    time.sleep(60)
"""


def test_timeout_kills_the_whole_process_tree(run: Runner, script: Script, tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    jobs = {
        "job": {
            "tasks": [
                python_task("slow", script("slow", GRANDCHILD), task={"parameters": [str(pid_file)]}, timeout_seconds=1)
            ]
        }
    }
    begin = time.monotonic()
    record = run(jobs)
    assert time.monotonic() - begin < 30  # killed, not left to sleep its 60 s
    task = record.task("slow")
    assert task.state == "TIMEDOUT" and task.message == "timed out after 1 s"
    assert len(task.attempts) == 1  # retry_on_timeout defaults to false
    assert gone(int(pid_file.read_text()))  # ignored SIGTERM; got SIGKILL with its group


def test_retry_on_timeout(run: Runner, script: Script) -> None:
    nap = script("nap", "import time; time.sleep(30)\n")
    record = run(
        {"job": {"tasks": [python_task("nap", nap, timeout_seconds=0.3, max_retries=1, retry_on_timeout=True)]}}
    )
    assert [a.state for a in record.task("nap").attempts] == ["TIMEDOUT", "TIMEDOUT"]


def cancel_once_started(root: Path, jobs: dict[str, Any], job: str, pid_file: Path) -> tuple[JobRun, RunRecord]:
    """Run `job` in a thread, cancel it as soon as a task wrote `pid_file`, and return the record."""
    options = RunOptions(root=root, jobs=jobs, kill_grace_seconds=0.5, handle_signals=False)
    job_run = JobRun(plan_job(job, options), options)
    result: list[RunRecord] = []
    worker = threading.Thread(target=lambda: result.append(job_run.execute()))
    worker.start()
    wait_for(pid_file)
    job_run.cancel()
    worker.join(10)
    return job_run, result[0]


def test_cancel_kills_running_tasks_and_records_canceled(tmp_path: Path, script: Script) -> None:
    pid_file = tmp_path / "grandchild.pid"
    jobs = {
        "job": {
            "tasks": [
                python_task("slow", script("slow", GRANDCHILD), task={"parameters": [str(pid_file)]}),
                python_task("next", script("ok", OK), depends_on=[{"task_key": "slow"}]),
            ]
        }
    }
    job_run, record = cancel_once_started(tmp_path, jobs, "job", pid_file)
    assert record.state == "CANCELED"
    assert states(record) == {"slow": "CANCELED", "next": "CANCELED"}
    assert gone(int(pid_file.read_text()))
    on_disk = json.loads((job_run.folder / "run.json").read_text())
    assert on_disk["state"] == "CANCELED"


def test_cancel_reaches_a_child_job(tmp_path: Path, script: Script) -> None:
    pid_file = tmp_path / "grandchild.pid"
    jobs = {
        "parent": {"tasks": [{"task_key": "call", "run_job_task": {"job_id": "${resources.jobs.child.id}"}}]},
        "child": {"tasks": [python_task("slow", script("slow", GRANDCHILD), task={"parameters": [str(pid_file)]})]},
    }
    _, record = cancel_once_started(tmp_path, jobs, "parent", pid_file)
    assert record.state == "CANCELED" and states(record) == {"call": "CANCELED"}
    child_folder = tmp_path / ".brickgate" / "runs" / str(record.task("call").child_run_id)
    child = json.loads((child_folder / "run.json").read_text())
    assert child["state"] == "CANCELED" and child["tasks"][0]["state"] == "CANCELED"
    assert gone(int(pid_file.read_text()))


def test_parameters_task_values_and_references(run: Runner, script: Script, tmp_path: Path) -> None:
    producer = script(
        "producer",
        """
        import sys
        from brickgate.runtime import task_values
        task_values.set("rows", 42)
        task_values.set("cfg", {"day": sys.argv[1]})
    """,
    )
    consumer = script(
        "consumer",
        """
        import json, os, sys
        from brickgate.runtime import task_values
        out = {"argv": sys.argv[1:], "rows": task_values.get("producer", "rows"),
               "missing": task_values.get("producer", "nope", default="dflt"),
               "job_parameters": json.loads(os.environ["BRICKGATE_JOB_PARAMETERS"])}
        open(os.environ["OUT"], "w").write(json.dumps(out))
    """,
    )
    jobs = {
        "job": {
            "parameters": [{"name": "day", "default": "2024-01-01"}, {"name": "mode", "default": "full"}],
            "tasks": [
                python_task("producer", producer, task={"parameters": ["{{job.parameters.day}}"]}),
                python_task(
                    "consumer",
                    consumer,
                    depends_on=[{"task_key": "producer"}],
                    task={
                        "parameters": [
                            "{{tasks.producer.values.rows}}",
                            "{{tasks.producer.values.cfg}}",
                            "{{job.run_id}}",
                            "{{task.name}}",
                            "{{job.parameters.mode}}",
                        ]
                    },
                ),
            ],
        }
    }
    out = tmp_path / "out.json"
    record = run(jobs, parameters={"day": "2024-05-06"}, env={**os.environ, "OUT": str(out)})
    assert record.state == "SUCCESS" and record.parameters == {"day": "2024-05-06", "mode": "full"}
    seen = json.loads(out.read_text())
    assert seen["argv"] == ["42", '{"day": "2024-05-06"}', str(record.run_id), "consumer", "full"]
    assert seen["rows"] == 42 and seen["missing"] == "dflt"
    assert seen["job_parameters"] == {"day": "2024-05-06", "mode": "full"}


def test_missing_task_value_fails_the_task(run: Runner, script: Script) -> None:
    jobs = {
        "job": {
            "tasks": [
                python_task("producer", script("ok", OK)),
                python_task(
                    "consumer",
                    script("ok2", OK),
                    depends_on=[{"task_key": "producer"}],
                    task={"parameters": ["{{tasks.producer.values.rows}}"]},
                ),
            ]
        }
    }
    record = run(jobs)
    assert record.task("consumer").state == "FAILED"
    assert record.task("consumer").message == "task value 'rows' of task 'producer' was not set"


def test_environment_of_a_task(run: Runner, script: Script, tmp_path: Path) -> None:
    (tmp_path / "src" / "helpers").mkdir(parents=True)
    (tmp_path / "src" / "helpers" / "__init__.py").write_text("VALUE = 'from src'\n")
    dump = script(
        "dump",
        """
        import json, os, sys
        import helpers
        keys = ["BRICKGATE_TARGET", "BRICKGATE_VAR_CATALOG", "BRICKGATE_VAR_NODE_TYPE", "BRICKGATE_BUNDLE_VARIABLES",
                "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "BRICKGATE_WAREHOUSE", "BRICKGATE_RUN_ID",
                "BRICKGATE_TASK_KEY", "BRICKGATE_RUN_DIR"]
        out = {k: os.environ.get(k) for k in keys}
        out["helpers"] = helpers.VALUE
        out["cwd"] = os.getcwd()
        open(os.environ["OUT"], "w").write(json.dumps(out))
    """,
    )
    out = tmp_path / "out.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    record = run(
        {"job": {"tasks": [python_task("dump", dump)]}},
        env={**env, "OUT": str(out)},
        variables={"catalog": "dev_cat", "node-type": {"a": 1}},
    )
    seen = json.loads(out.read_text())
    state_dir = tmp_path.resolve() / ".brickgate"
    assert seen == {
        "BRICKGATE_TARGET": "dev",
        "BRICKGATE_VAR_CATALOG": "dev_cat",
        "BRICKGATE_VAR_NODE_TYPE": '{"a": 1}',
        "BRICKGATE_BUNDLE_VARIABLES": '{"catalog": "dev_cat", "node-type": {"a": 1}}',
        "MLFLOW_TRACKING_URI": f"sqlite:///{state_dir / 'mlflow.db'}",
        "MLFLOW_REGISTRY_URI": f"sqlite:///{state_dir / 'mlflow.db'}",
        "BRICKGATE_WAREHOUSE": str(state_dir / "warehouse"),
        "BRICKGATE_RUN_ID": str(record.run_id),
        "BRICKGATE_TASK_KEY": "dump",
        "BRICKGATE_RUN_DIR": str(state_dir / "runs" / str(record.run_id)),
        "helpers": "from src",
        "cwd": str(tmp_path.resolve() / "src"),
    }


def test_environment_keeps_a_configured_mlflow(run: Runner, script: Script, tmp_path: Path) -> None:
    dump = script("dump", "import os; open(os.environ['OUT'], 'w').write(os.environ['MLFLOW_TRACKING_URI'])\n")
    out = tmp_path / "out.txt"
    run(
        {"job": {"tasks": [python_task("dump", dump)]}},
        env={**os.environ, "OUT": str(out), "MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"},
    )
    assert out.read_text() == "http://127.0.0.1:5000"


def test_variable_env_names() -> None:
    assert env_variable_name("catalog") == "BRICKGATE_VAR_CATALOG"
    assert env_variable_name("a.b-c") == "BRICKGATE_VAR_A_B_C"


def test_condition_branches(run: Runner, script: Script) -> None:
    ok = script("ok", OK)
    jobs = {
        "job": {
            "parameters": [{"name": "n", "default": "12.0"}],
            "tasks": [
                {
                    "task_key": "check",
                    "condition_task": {"op": "GREATER_THAN_OR_EQUAL", "left": "{{job.parameters.n}}", "right": "12"},
                },
                python_task("yes", ok, depends_on=[{"task_key": "check", "outcome": "true"}]),
                python_task("no", ok, depends_on=[{"task_key": "check", "outcome": "false"}]),
                python_task("after_no", ok, depends_on=[{"task_key": "no"}], run_if="ALL_DONE"),
                {
                    "task_key": "same_text",
                    "condition_task": {"op": "EQUAL_TO", "left": "{{job.parameters.n}}", "right": "12"},
                },
            ],
        }
    }
    record = run(jobs)
    assert states(record) == {
        "check": "SUCCESS",
        "yes": "SUCCESS",
        "no": "EXCLUDED",
        "after_no": "EXCLUDED",
        "same_text": "SUCCESS",
    }
    assert record.task("check").outcome == "true" and record.task("same_text").outcome == "false"  # '12.0' != '12'
    assert record.task("no").message == "condition check was true"
    assert record.state == "SUCCESS"


def test_condition_on_text_with_an_ordering_operator_fails(run: Runner) -> None:
    record = run(
        {"job": {"tasks": [{"task_key": "c", "condition_task": {"op": "LESS_THAN", "left": "a", "right": "1"}}]}}
    )
    assert record.task("c").state == "FAILED"
    assert "must both be numbers" in record.task("c").message


def test_run_job_task_runs_the_child_job_with_parameters(run: Runner, script: Script, tmp_path: Path) -> None:
    write = script("write", "import sys, os; open(os.environ['OUT'], 'w').write(sys.argv[1])\n")
    jobs = {
        "parent": {
            "parameters": [{"name": "day", "default": "d1"}, {"name": "mode", "default": "fast"}],
            "tasks": [
                {
                    "task_key": "call",
                    "run_job_task": {
                        "job_id": "${resources.jobs.child.id}",
                        "job_parameters": {"source": "{{job.parameters.day}}"},
                    },
                },
            ],
        },
        "child": {
            "parameters": [{"name": "source", "default": "none"}, {"name": "mode", "default": "slow"}],
            "tasks": [
                python_task("write", write, task={"parameters": ["{{job.parameters.source}}"]}),
            ],
        },
    }
    out = tmp_path / "out.txt"
    record = run(jobs, job="parent", env={**os.environ, "OUT": str(out)})
    assert record.state == "SUCCESS" and out.read_text() == "d1"
    child_id = record.task("call").child_run_id
    child = json.loads((tmp_path / ".brickgate" / "runs" / str(child_id) / "run.json").read_text())
    assert child["parent_run_id"] == record.run_id and child["parent_task_key"] == "call"
    # the parent's `mode` is pushed down (the child defines it); `day` is not (it does not)
    assert child["parameters"] == {"source": "d1", "mode": "fast"} and child["state"] == "SUCCESS"


def test_failed_child_job_fails_the_run_job_task(run: Runner, script: Script) -> None:
    jobs = {
        "parent": {"tasks": [{"task_key": "call", "run_job_task": {"job_id": "${resources.jobs.child.id}"}}]},
        "child": {"tasks": [python_task("bad", script("bad", FAIL))]},
    }
    record = run(jobs, job="parent")
    assert record.task("call").state == "FAILED" and record.task("call").message == "job 'child' FAILED"


@pytest.mark.parametrize(
    ("jobs", "message"),
    [
        (
            {"job": {"tasks": [{"task_key": "c", "run_job_task": {"job_id": "${resources.jobs.job.id}"}}]}},
            "run_job_task cycle: job -> job",
        ),
        (
            {
                "job": {"tasks": [{"task_key": "c", "run_job_task": {"job_id": "${resources.jobs.jbo.id}"}}]},
                "jbo2": {"tasks": []},
            },
            "job 'job' task 'c': run_job_task names unknown job 'jbo'",
        ),
        (
            {"job": {"tasks": [{"task_key": "c", "run_job_task": {"job_id": "123"}}]}},
            "run_job_task.job_id '123' must be ${resources.jobs.<key>.id}",
        ),
        (
            {
                "job": {
                    "tasks": [
                        {
                            "task_key": "c",
                            "run_job_task": {"job_id": "${resources.jobs.other.id}", "job_parameters": {"x": "1"}},
                        }
                    ]
                },
                "other": {
                    "tasks": [{"task_key": "t", "condition_task": {"op": "EQUAL_TO", "left": "a", "right": "a"}}]
                },
            },
            "job 'other' has no parameter 'x' (job parameters: none)",
        ),
        (
            {"job": {"tasks": [python_task("a", "src/missing.py")]}},
            "job 'job' task 'a': spark_python_task.python_file 'src/missing.py' not found under",
        ),
        (
            {
                "job": {
                    "tasks": [
                        {
                            "task_key": "w",
                            "python_wheel_task": {"package_name": "no-such-dist-xyz", "entry_point": "main"},
                        }
                    ]
                }
            },
            "package 'no-such-dist-xyz' is not installed here",
        ),
        (
            {"job": {"tasks": [{"task_key": "c", "condition_task": {"op": "LIKE", "left": "a", "right": "b"}}]}},
            "condition_task.op 'LIKE' is not one of",
        ),
        (
            {"job": {"tasks": [{"task_key": "s", "sql_task": {"query": {"query_id": "1"}}}]}},
            "job 'job' task 's': sql_task cannot run locally",
        ),
        ({"other": {"tasks": []}}, "unknown job 'job' (jobs: other)"),
    ],
)
def test_refused_before_anything_runs(tmp_path: Path, jobs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as error:
        plan_job("job", RunOptions(root=tmp_path, jobs=jobs))
    assert message in str(error.value)
    assert not (tmp_path / ".brickgate").exists()


def test_unknown_param_override_is_refused(run: Runner, script: Script, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"job 'job' has no parameter 'dya' \(job parameters: day\)"):
        run(
            {"job": {"parameters": [{"name": "day", "default": "x"}], "tasks": [python_task("a", script("a", OK))]}},
            parameters={"dya": "1"},
        )
    assert not (tmp_path / ".brickgate").exists()


def test_only_and_from_exclude_the_rest(run: Runner, script: Script) -> None:
    ok = script("ok", OK)
    jobs = {
        "job": {
            "tasks": [
                python_task("a", ok),
                python_task("b", ok, depends_on=[{"task_key": "a"}]),
                python_task("c", ok, depends_on=[{"task_key": "b"}]),
            ]
        }
    }
    assert states(run(jobs, from_task="b")) == {"a": "EXCLUDED", "b": "SUCCESS", "c": "SUCCESS"}
    record = run(jobs, only=["c"])
    assert states(record) == {"a": "EXCLUDED", "b": "EXCLUDED", "c": "SUCCESS"}
    assert record.task("a").message == "not selected (--only/--from)"


def test_job_timeout_stops_the_run(run: Runner, script: Script) -> None:
    nap = script("nap", "import time; time.sleep(30)\n")
    record = run(
        {
            "job": {
                "timeout_seconds": 0.5,
                "tasks": [python_task("nap", nap), python_task("later", nap, depends_on=[{"task_key": "nap"}])],
            }
        }
    )
    assert record.state == "TIMEDOUT"
    assert states(record) == {"nap": "TIMEDOUT", "later": "CANCELED"}


def test_record_logs_and_summary(run: Runner, script: Script, tmp_path: Path) -> None:
    record = run({"job": {"tasks": [python_task("hello", script("hello", "print('hello from the task')\n"))]}})
    folder = tmp_path / ".brickgate" / "runs" / str(record.run_id)
    log = (folder / "logs" / "hello.1.log").read_text()
    assert log.startswith("$ ") and "hello from the task" in log
    summary = (folder / "summary.md").read_text()
    assert "```mermaid\ngantt" in summary and "hello :done, hello_1," in summary


def test_task_logs_are_masked_on_disk(run: Runner, script: Script, tmp_path: Path) -> None:
    """A task printing its token, a webhook URL and URL credentials leaves none of them in its log file."""
    token, hook = "dapi0123456789abcdef0123456789abcdef", "https://example.test/hooks/T-s3cret-path"
    leak = script(
        "leak",
        """
        import os, sys
        print("token", os.environ["DATABRICKS_TOKEN"])
        print("hook", os.environ["BRICKGATE_WEBHOOK_URL"], file=sys.stderr)
        print("uri http://alice:pa55word@mlflow.example:5000/api", flush=True)
        sys.stdout.write("no newline at the end " + os.environ["DATABRICKS_TOKEN"])
    """,
    )
    env = {**os.environ, "DATABRICKS_TOKEN": token, "BRICKGATE_WEBHOOK_URL": hook}
    record = run({"job": {"tasks": [python_task("leak", leak)]}}, env=env)
    assert record.task("leak").state == "SUCCESS"
    log = (tmp_path / ".brickgate" / "runs" / str(record.run_id) / "logs" / "leak.1.log").read_text()
    assert "token ***" in log and "hook ***" in log and "http://***@mlflow.example:5000/api" in log
    assert log.endswith("no newline at the end ***")
    for secret in (token, hook, "/hooks/T-s3cret-path", "pa55word"):
        assert secret not in log
