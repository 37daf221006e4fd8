"""Job graph checks on generated jobs: long chains, several cycles, self-dependencies."""

from __future__ import annotations

from pathlib import Path

from brickgate.bundle.validate import ValidateOptions, validate_bundle


def _job(folder: Path, edges: dict[str, list[str]]) -> list[str]:
    """Validate one job whose tasks depend on each other as `edges` says; return the cycle messages."""
    lines = ["bundle: {name: graph}", "resources:", "  jobs:", "    j:", "      tasks:"]
    for task, dependencies in edges.items():
        lines.append(f"        - task_key: {task}")
        lines.append(f"          depends_on: [{', '.join('{task_key: ' + d + '}' for d in dependencies)}]")
        lines.append("          notebook_task: {notebook_path: /Workspace/Shared/n}")
    (folder / "databricks.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate_bundle(folder, ValidateOptions(env={}, databricks_cli=False))
    assert {d.rule for d in result.diagnostics} <= {"BG403"}
    return [d.message.split(": ", 1)[1] for d in result.diagnostics]


def test_a_chain_of_1500_tasks_is_fine(tmp_path: Path) -> None:
    edges = {f"t{i}": [f"t{i - 1}"] if i else [] for i in range(1500)}
    assert _job(tmp_path, edges) == []


def test_each_cycle_is_named_once(tmp_path: Path) -> None:
    edges = {"a": ["b"], "b": ["a"], "c": ["c"], "d": ["e"], "e": ["f"], "f": ["d", "a"]}
    assert sorted(_job(tmp_path, edges)) == ["a -> b -> a", "c -> c", "d -> e -> f -> d"]
