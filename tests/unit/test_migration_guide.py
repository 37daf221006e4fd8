"""Every code block of docs/MIGRATION_GUIDE.md runs against a copy of examples/claims-fraud.

Python blocks run as one script per run of consecutive blocks (they share variables), shell
blocks with bash (`set -euo pipefail`), in document order, in a copy of the example with the
venv's `brickgate` first on PATH; YAML blocks must be part of the example bundle's resolved
configuration or call a reusable workflow of this repository with inputs it declares.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "MIGRATION_GUIDE.md"
EXAMPLE = REPO / "examples" / "claims-fraud"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
LANGUAGES = ("python", "bash", "yaml")


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int


def blocks() -> list[Block]:
    text = GUIDE.read_text(encoding="utf-8")
    return [Block(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


def is_subset(part: Any, whole: Any, where: str) -> None:
    """Assert `part` is contained in `whole`; list items with a task_key match by key, others by value."""
    if isinstance(part, Mapping):
        assert isinstance(whole, Mapping), where
        for key, value in part.items():
            assert key in whole, f"{where}.{key} is not in the example"
            is_subset(value, whole[key], f"{where}.{key}")
    elif isinstance(part, list) and part and all(isinstance(item, Mapping) and "task_key" in item for item in part):
        by_key = {item["task_key"]: item for item in whole}
        for item in part:
            assert item["task_key"] in by_key, f"{where}: no task {item['task_key']}"
            is_subset(item, by_key[item["task_key"]], f"{where}[{item['task_key']}]")
    else:
        assert part == whole, f"{where}: guide says {part!r}, the example has {whole!r}"


def example_jobs() -> dict[str, Any]:
    """The example's jobs as written in its resource files (paths relative to each YAML file)."""
    jobs: dict[str, Any] = {}
    for path in sorted((EXAMPLE / "resources" / "jobs").glob("*.yml")):
        jobs.update(yaml.safe_load(path.read_text(encoding="utf-8"))["resources"]["jobs"])
    return jobs


def test_every_block_is_one_the_test_executes() -> None:
    found = blocks()
    assert [b for b in found if b.language not in LANGUAGES] == []
    assert {b.language for b in found} == set(LANGUAGES)


def test_yaml_blocks_are_the_example_bundle_or_the_reusable_workflows() -> None:
    jobs = example_jobs()
    for block in (b for b in blocks() if b.language == "yaml"):
        document = yaml.safe_load(block.code)
        where = f"MIGRATION_GUIDE.md:{block.line}"
        if "resources" in document:
            is_subset(document["resources"]["jobs"], jobs, where)
            continue
        for name, job in document["jobs"].items():
            path = job["uses"].split("/.github/workflows/", 1)[1].split("@", 1)[0]
            workflow = yaml.safe_load((REPO / ".github" / "workflows" / path).read_text(encoding="utf-8"))
            inputs = (workflow.get("on") or workflow[True])["workflow_call"].get("inputs", {})
            unknown = set(job.get("with", {})) - set(inputs)
            assert not unknown, f"{where}: job {name} passes inputs {sorted(unknown)} that {path} does not declare"


@pytest.mark.slow
def test_python_and_shell_blocks_run_in_a_copy_of_the_example(tmp_path: Path) -> None:
    project = tmp_path / "my-claims-project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".brickgate", "__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRICKGATE_", "MLFLOW_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(project / "src")
    runnable = [b for b in blocks() if b.language in ("python", "bash")]
    groups: list[list[Block]] = []
    for block in runnable:
        if groups and block.language == "python" and groups[-1][0].language == "python":
            groups[-1].append(block)
        else:
            groups.append([block])
    for group in groups:
        lines = ", ".join(str(b.line) for b in group)
        if group[0].language == "python":
            script = "\n".join(f"# MIGRATION_GUIDE.md line {b.line}\n{b.code}" for b in group)
            command = [sys.executable, "-c", script]
        else:
            command = ["bash", "-c", "set -euo pipefail\n" + group[0].code]
        done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"block(s) at line {lines} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
