"""The one task graph: validate-bundle and `brickgate run` agree on every job."""

from __future__ import annotations

from pathlib import Path

import pytest

from brickgate import taskgraph
from brickgate.bundle.validate import ValidateOptions, validate_bundle
from brickgate.errors import InputError
from brickgate.runner.dag import parse_job
from brickgate.suggest import did_you_mean, suggest

GRAPHS = [
    {"a": ["b"], "b": ["a"]},
    {"root": [], "a": ["root", "c"], "b": ["a"], "c": ["b"]},
    {"x": ["x"]},
    {"a": [], "b": ["a"], "c": ["b", "a"]},
]


def test_order_is_stable_in_declaration_order() -> None:
    assert taskgraph.order({"d": ["b", "c"], "c": ["a"], "b": ["a"], "a": []}) == ["a", "c", "b", "d"]
    assert taskgraph.order({"a": ["b"], "b": ["a"]}) is None


def test_cycles_ignore_unknown_dependencies_and_report_each_once() -> None:
    assert taskgraph.cycles({"a": ["ghost", "b"], "b": ["a"], "c": ["a"]}) == [["a", "b", "a"]]


@pytest.mark.parametrize("graph", GRAPHS)
def test_runner_and_validation_give_the_same_message(tmp_path: Path, graph: dict[str, list[str]]) -> None:
    tasks = [
        {"task_key": key, "notebook_task": {"notebook_path": "/n"}, "depends_on": [{"task_key": d} for d in deps]}
        for key, deps in graph.items()
    ]
    lines = ["bundle: {name: graph}", "resources:", "  jobs:", "    j:", "      tasks:"]
    for key, deps in graph.items():
        lines.append(f"        - task_key: {key}")
        lines.append(f"          depends_on: [{', '.join('{task_key: ' + d + '}' for d in deps)}]")
        lines.append("          notebook_task: {notebook_path: /Workspace/Shared/n}")
    (tmp_path / "databricks.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = [d.message for d in validate_bundle(tmp_path, ValidateOptions(env={}, databricks_cli=False)).diagnostics]
    try:
        parse_job("j", {"tasks": tasks})
    except InputError as error:
        assert found[:1] == [str(error)]
    else:
        assert found == []


def test_one_suggestion_rule() -> None:
    assert suggest("slak", ["slack", "webhook"]) == "slack"
    assert suggest("qqq", ["slack"]) is None
    assert did_you_mean("trian", ("train",)) == "; did you mean 'train'?"
    assert did_you_mean("trian", []) == ""
