"""Every fenced example of the documentation runs here, or is marked with why it cannot.

Examples of one document run in order in one temporary git repository (shared namespace for
Python, as a reader would type them); marked examples are not collected. Documents whose
examples train models are slow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet

from tests.docs.examples import REPO, WORKSPACE, Block, blocks, documents, parse

EXAMPLE = REPO / "examples" / "claims-fraud"
SLOW = {"docs/MIGRATION_GUIDE.md": "trains a model on 60,000 claims"}


def copy_example(destination: Path) -> None:
    ignore = shutil.ignore_patterns(".brickgate", "__pycache__")
    shutil.copytree(EXAMPLE, destination, ignore=ignore, dirs_exist_ok=True)


# The migration guide starts in a copy of the reference project; the references use it from a checkout's root.
SETUP: dict[str, Callable[[Path], None]] = {
    "docs/MIGRATION_GUIDE.md": copy_example,
    "docs/cli.md": lambda directory: copy_example(directory / "examples" / "claims-fraud"),
}


def git_repository(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "config", "user.email", "docs@example.com"],
        ["git", "config", "user.name", "docs"],
    ):
        subprocess.run(command, cwd=directory, check=True)
    return directory


def runnable() -> list[ParameterSet]:
    cases: list[ParameterSet] = []
    for path in documents():
        marks = [pytest.mark.slow] if path.relative_to(REPO).as_posix() in SLOW else []
        cases += [pytest.param(b, id=b.where, marks=marks) for b in blocks(parse(path)) if b.skip_reason is None]
    return cases


@pytest.fixture(scope="module")
def workspaces() -> dict[str, Path]:
    """Document → the directory its examples run in, one per document for the whole module."""
    return {}


@pytest.mark.filterwarnings("default")  # as for a reader: libraries' warnings are printed, not raised
@pytest.mark.parametrize("block", runnable())
def test_example(
    block: Block, workspaces: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = Path(block.example.path).relative_to(REPO).as_posix()
    if document not in workspaces:
        directory = git_repository(tmp_path_factory.mktemp("docs") / "repo")
        if document in SETUP:
            SETUP[document](directory)
        workspaces[document] = directory
    directory = workspaces[document]
    block.example.namespace[WORKSPACE] = str(directory)
    monkeypatch.chdir(directory)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if (directory / "src").is_dir():
        monkeypatch.syspath_prepend(str(directory / "src"))
    block.example.evaluate()
