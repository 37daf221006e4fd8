from __future__ import annotations

import pytest

from brickgate.errors import InputError
from brickgate.runner import references
from brickgate.runner.references import MissingTaskValue, ReferenceContext


def context(values: dict[tuple[str, str], object] | None = None) -> ReferenceContext:
    def lookup(task: str, name: str) -> object:
        try:
            return (values or {})[(task, name)]
        except KeyError:
            raise MissingTaskValue(f"{task}.{name}") from None

    return ReferenceContext(
        job_id=7,
        job_name="etl",
        job_run_id=100,
        parameters={"day": "2024-01-02"},
        task_key="load",
        task_run_id=101,
        task_value=lookup,
        result_state=lambda key: "FAILED",
    )


def test_every_reference_kind() -> None:
    value = {
        "args": ["{{job.id}}/{{job.name}}/{{job.run_id}}", "{{task.name}}:{{task.run_id}}", 3],
        "day": "{{ job.parameters.day }}",
        "rows": "{{tasks.extract.values.rows}}",
        "cfg": "{{tasks.extract.values.cfg}}",
        "state": "{{tasks.extract.result_state}}",
    }
    resolved = references.resolve(value, context({("extract", "rows"): 12, ("extract", "cfg"): {"a": [1]}}))
    assert resolved == {
        "args": ["7/etl/100", "load:101", 3],
        "day": "2024-01-02",
        "rows": "12",
        "cfg": '{"a": [1]}',
        "state": "FAILED",
    }


def test_missing_task_value_raises() -> None:
    with pytest.raises(MissingTaskValue):
        references.resolve("{{tasks.extract.values.nope}}", context())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{job.params.day}}", "unknown reference {{job.params.day}}; valid: job.id"),
        ("{{job.parameters.month}}", "names an undefined job parameter (job parameters: day)"),
        ("{{tasks.other.values.x}}", "refers to task 'other', which is not upstream of 'load'"),
        ("{{tasks.extract.value.x}}", "unknown reference"),
    ],
)
def test_check_refuses_before_start(text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        references.check({"a": [text]}, job="etl", task="load", parameters={"day": "x"}, upstream={"extract"})
    assert message in str(error.value)


def test_check_accepts_valid_references() -> None:
    references.check(
        ["{{job.run_id}}", "{{tasks.extract.values.x}}", "{{job.parameters.day}}", "{{task.name}}"],
        job="etl",
        task="load",
        parameters={"day": "x"},
        upstream={"extract"},
    )
