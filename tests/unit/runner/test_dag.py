from __future__ import annotations

from typing import Any

import pytest

from brickgate.errors import InputError
from brickgate.runner.dag import Dependency, decide, edge_state, job_result, parse_job, select_tasks


def task(key: str, *deps: str, kind: str = "spark_python_task", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"task_key": key, kind: {"python_file": f"{key}.py"}, **extra}
    if deps:
        body["depends_on"] = [{"task_key": dep} for dep in deps]
    return body


def test_order_is_topological_and_stable() -> None:
    spec = parse_job("j", {"tasks": [task("d", "b", "c"), task("b", "a"), task("c", "a"), task("a")]})
    assert spec.keys() == ["a", "b", "c", "d"]
    assert spec.ancestors("d") == {"a", "b", "c"}
    assert spec.dependents()["a"] == ["b", "c"]


def test_defaults_follow_databricks() -> None:
    spec = parse_job("j", {"tasks": [task("a")]}).tasks[0]
    assert (spec.run_if, spec.max_retries, spec.min_retry_interval_millis, spec.retry_on_timeout) == (
        "ALL_SUCCESS",
        0,
        0,
        False,
    )
    assert spec.timeout_seconds == 0


@pytest.mark.parametrize("kind", ["sql_task", "dbt_task", "pipeline_task", "for_each_task", "spark_jar_task"])
def test_unsupported_type_is_refused_naming_task_and_type(kind: str) -> None:
    with pytest.raises(InputError) as error:
        parse_job("etl", {"tasks": [task("a"), {"task_key": "q", kind: {}}]})
    assert str(error.value) == (
        f"job 'etl' task 'q': {kind} cannot run locally; brickgate run supports spark_python_task, "
        "python_wheel_task, notebook_task, condition_task, run_job_task"
    )


def test_missing_type() -> None:
    with pytest.raises(InputError, match="job 'etl' task 'a' has no task type"):
        parse_job("etl", {"tasks": [{"task_key": "a"}]})


def test_unknown_dependency_with_hint() -> None:
    with pytest.raises(InputError) as error:
        parse_job("etl", {"tasks": [task("extract"), task("load", "extrct")]})
    assert str(error.value) == (
        "task 'load' depends on 'extrct', which is not a task of job 'etl'; did you mean 'extract'?"
    )


def test_cycle_is_reported_as_a_path() -> None:
    with pytest.raises(InputError) as error:
        parse_job("etl", {"tasks": [task("root"), task("a", "root", "c"), task("b", "a"), task("c", "b")]})
    assert str(error.value) == "tasks of job 'etl' depend on each other in a cycle: a -> c -> b -> a"


def test_self_dependency_is_a_cycle() -> None:
    with pytest.raises(InputError, match=r"cycle: a -> a"):
        parse_job("etl", {"tasks": [task("a", "a")]})


@pytest.mark.parametrize(
    ("job", "message"),
    [
        ({"tasks": []}, "job 'j' has no tasks"),
        ({"tasks": [task("a"), task("a")]}, "job 'j' declares task 'a' twice"),
        ({"tasks": [task("a", run_if="SOMETIMES")]}, "job 'j' task 'a': run_if 'SOMETIMES' is not one of"),
        ({"tasks": [task("a", max_retries="x")]}, "job 'j' task 'a' max_retries must be a number"),
        (
            {"tasks": [task("a"), task("b", depends_on=[{"task_key": "a", "outcome": "true"}])]},
            "'a' is not a condition_task",
        ),
        (
            {
                "tasks": [
                    {"task_key": "c", "condition_task": {}},
                    task("b", depends_on=[{"task_key": "c", "outcome": "yes"}]),
                ]
            },
            'an outcome is "true" or "false"',
        ),
        ({"tasks": [task("a")], "parameters": [{"default": 1}]}, "parameters: each entry needs a name"),
    ],
)
def test_malformed_jobs(job: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as error:
        parse_job("j", job)
    assert message in str(error.value)


def test_parameters_are_text() -> None:
    spec = parse_job(
        "j",
        {
            "tasks": [task("a")],
            "parameters": [
                {"name": "n", "default": 3},
                {"name": "flag", "default": True},
                {"name": "s", "default": "x"},
            ],
        },
    )
    assert spec.parameters == {"n": "3", "flag": "true", "s": "x"}


# The table of the Databricks docs ("Configure task dependencies"), one row per rule and case.
@pytest.mark.parametrize(
    ("run_if", "upstream", "expected"),
    [
        ("ALL_SUCCESS", ["SUCCESS", "SUCCESS"], "RUN"),
        ("ALL_SUCCESS", ["SUCCESS", "FAILED"], "UPSTREAM_FAILED"),
        ("ALL_SUCCESS", ["SUCCESS", "UPSTREAM_FAILED"], "UPSTREAM_FAILED"),
        ("ALL_SUCCESS", ["SUCCESS", "EXCLUDED"], "RUN"),
        ("AT_LEAST_ONE_SUCCESS", ["FAILED", "SUCCESS"], "RUN"),
        ("AT_LEAST_ONE_SUCCESS", ["FAILED", "TIMEDOUT"], "UPSTREAM_FAILED"),
        ("NONE_FAILED", ["SUCCESS", "EXCLUDED"], "RUN"),
        ("NONE_FAILED", ["SUCCESS", "FAILED"], "UPSTREAM_FAILED"),
        ("ALL_DONE", ["FAILED", "UPSTREAM_FAILED"], "RUN"),
        ("ALL_DONE", ["SUCCESS", "CANCELED"], "RUN"),
        ("AT_LEAST_ONE_FAILED", ["SUCCESS", "FAILED"], "RUN"),
        ("AT_LEAST_ONE_FAILED", ["SUCCESS", "SUCCESS"], "EXCLUDED"),
        ("ALL_FAILED", ["FAILED", "TIMEDOUT"], "RUN"),
        ("ALL_FAILED", ["FAILED", "SUCCESS"], "EXCLUDED"),
        ("ALL_FAILED", ["EXCLUDED", "FAILED"], "EXCLUDED"),  # an excluded dependency counts as succeeded
        ("ALL_DONE", ["EXCLUDED"], "EXCLUDED"),  # all dependencies excluded: excluded, whatever run_if says
        ("AT_LEAST_ONE_FAILED", ["EXCLUDED", "EXCLUDED"], "EXCLUDED"),
        ("ALL_SUCCESS", [], "RUN"),
    ],
)
def test_run_if_rules(run_if: Any, upstream: list[str], expected: str) -> None:
    assert decide(run_if, upstream) == expected


def test_edge_of_a_condition_branch() -> None:
    dep = Dependency(task_key="c", outcome="true")
    assert edge_state(dep, "SUCCESS", "true") == "SUCCESS"
    assert edge_state(dep, "SUCCESS", "false") == "EXCLUDED"
    assert edge_state(dep, "FAILED", None) == "FAILED"
    assert edge_state(Dependency(task_key="c"), "SUCCESS", "false") == "SUCCESS"


def test_job_result_looks_at_leaves() -> None:
    spec = parse_job("j", {"tasks": [task("a"), task("b", "a"), task("alert", "a", run_if="AT_LEAST_ONE_FAILED")]})
    assert job_result(spec, {"a": "SUCCESS", "b": "SUCCESS", "alert": "EXCLUDED"}) == "SUCCESS"
    assert job_result(spec, {"a": "FAILED", "b": "UPSTREAM_FAILED", "alert": "SUCCESS"}) == "FAILED"
    spec2 = parse_job("j", {"tasks": [task("a"), task("b", "a", run_if="ALL_DONE")]})
    assert job_result(spec2, {"a": "FAILED", "b": "SUCCESS"}) == "SUCCESS_WITH_FAILURES"
    assert job_result(spec2, {"a": "CANCELED", "b": "CANCELED"}) == "CANCELED"


def test_select_only_and_from() -> None:
    spec = parse_job("j", {"tasks": [task("a"), task("b", "a"), task("c", "b"), task("d", "a")]})
    assert select_tasks(spec) == {"a", "b", "c", "d"}
    assert select_tasks(spec, only=["b", "d"]) == {"b", "d"}
    assert select_tasks(spec, from_task="b") == {"b", "c"}
    assert select_tasks(spec, only=["b"], from_task="a") == {"a", "b", "c", "d"}  # union; b still leads to c
    with pytest.raises(InputError, match=r"job 'j' has no task 'bb'; did you mean 'b'\? \(tasks: a, b, d, c\)"):
        select_tasks(spec, only=["bb"])
