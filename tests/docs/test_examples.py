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
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _pytest.mark import ParameterSet

from tests.docs.examples import REPO, RUNNERS, WORKSPACE, Block, ConsoleStep, blocks, console_steps, documents, parse
from tests.helpers.http_recorder import HttpRecorder

EXAMPLE = REPO / "examples" / "claims-fraud"
SLOW = {  # document → why its examples are not in the fast suite
    "docs/MIGRATION_GUIDE.md": "trains a model on 60,000 claims",
    "docs/fairness-gate.md": "runs the gate with charts and a results table (about 30 s)",
    "docs/psi-gate.md": "profiles, runs the gate with charts and logs to MLflow (about a minute)",
}
Setup = Callable[[Path, ExitStack], dict[str, str]]  # (workspace, cleanups) → environment of the examples


def copy_example(destination: Path) -> None:
    ignore = shutil.ignore_patterns(".brickgate", "__pycache__")
    shutil.copytree(EXAMPLE, destination, ignore=ignore, dirs_exist_ok=True)


def migration_guide(directory: Path, _: ExitStack) -> dict[str, str]:
    """The guide starts in a copy of the reference project."""
    copy_example(directory)
    return {}


def from_checkout(directory: Path, _: ExitStack) -> dict[str, str]:
    """References that use the reference project from a checkout's root."""
    copy_example(directory / "examples" / "claims-fraud")
    return {}


def alert_endpoints(directory: Path, cleanups: ExitStack) -> dict[str, str]:
    """Slack and PagerDuty are a local recording server (the reader sets the real ones)."""
    server = cleanups.enter_context(HttpRecorder())
    return {
        "BRICKGATE_SLACK_WEBHOOK_URL": server.url("/slack"),
        "BRICKGATE_PAGERDUTY_ROUTING_KEY": "R0UT1NGKEY",
        "BRICKGATE_PAGERDUTY_EVENTS_URL": server.url("/pagerduty"),
    }


def claims(rows: int, seed: int) -> pd.DataFrame:
    """Scored claims with the columns the gate docs use; the score does not depend on the groups."""
    random = np.random.default_rng(seed)
    score = random.uniform(size=rows)
    return pd.DataFrame(
        {
            "claim_amount": random.lognormal(7, 1, rows),
            "num_procedures": random.integers(1, 8, rows),
            "patient_gender": random.choice(["F", "M"], rows),
            "age_band": random.choice(["18-34", "35-54", "55+"], rows),
            "region": random.choice(["north", "south", "east", "west"], rows),
            "fraud_score": score,
            "score": score,
            "is_fraud": (random.uniform(size=rows) < score * 0.2).astype(int),
        }
    )


def gate_data(directory: Path, _: ExitStack) -> dict[str, str]:
    """The files and local tables the gate docs name, in the workspace's own warehouse."""
    from brickgate.tables import write_table

    claims(4000, 1).to_parquet(directory / "scored_claims.parquet")
    claims(4000, 2).to_parquet(directory / "train.parquet")
    warehouse = directory / ".brickgate" / "warehouse"
    write_table("main.fraud.train", claims(4000, 3), mode="overwrite", warehouse=warehouse)
    write_table("main.fraud.scored_last_week", claims(4000, 4), mode="overwrite", warehouse=warehouse)
    return {}


SETUP: dict[str, Setup] = {
    "docs/MIGRATION_GUIDE.md": migration_guide,
    "docs/cli.md": from_checkout,
    "docs/alerts.md": alert_endpoints,
    "docs/fairness-gate.md": gate_data,
    "docs/psi-gate.md": gate_data,
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
def workspaces() -> Iterator[dict[str, tuple[Path, dict[str, str]]]]:
    """Document → the directory its examples run in and their environment, one per document."""
    with ExitStack() as cleanups:
        yield KeyedWorkspaces(cleanups)


class KeyedWorkspaces(dict[str, tuple[Path, dict[str, str]]]):
    def __init__(self, cleanups: ExitStack) -> None:
        super().__init__()
        self.cleanups = cleanups


@pytest.mark.filterwarnings("default")  # as for a reader: libraries' warnings are printed, not raised
@pytest.mark.parametrize("block", runnable())
def test_example(
    block: Block, workspaces: KeyedWorkspaces, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = Path(block.example.path).relative_to(REPO).as_posix()
    if document not in workspaces:
        directory = git_repository(tmp_path_factory.mktemp("docs") / "repo")
        setup = SETUP.get(document)
        workspaces[document] = directory, setup(directory, workspaces.cleanups) if setup else {}
    directory, environment = workspaces[document]
    block.example.namespace[WORKSPACE] = str(directory)
    monkeypatch.chdir(directory)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    if (directory / "src").is_dir():
        monkeypatch.syspath_prepend(str(directory / "src"))
    block.example.evaluate()


def has_runner(block: Block) -> bool:
    """A text block runs only as a usage synopsis."""
    if block.language == "text":
        return str(block.example.parsed).startswith("brickgate ")
    return block.language in RUNNERS


def test_every_block_runs_or_is_marked() -> None:
    """Cheap and in the fast suite, for the slow documents too: no block without a runner goes unmarked."""
    unmarked = [
        f"{block.where} ({block.language or 'untagged'})"
        for path in documents()
        for block in blocks(parse(path))
        if block.skip_reason is None
        and (
            block.language not in RUNNERS
            or (block.language == "text" and not block.example.parsed.startswith("brickgate "))
        )
    ]
    assert unmarked == []


def test_console_blocks_split_into_commands_and_the_output_shown() -> None:
    steps = console_steps("$ ls a \\\n    b\nx\ny\n$ true\n")
    assert steps == [ConsoleStep("ls a \\\n    b", "x\ny\n"), ConsoleStep("true", "")]
