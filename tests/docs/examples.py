"""The fenced examples of README.md, docs/*.md and examples/*/README.md, parsed by Sybil.

Every fence is one Sybil example, evaluated by the runner for its language: `python` runs
in the document's namespace, `bash` runs with bash (`set -euo pipefail`), `console` runs each
`$ ` command and compares what it prints with the lines shown under it, `yaml`/`json`/`email`
are checked against the code they describe, and a `text` block that starts with `brickgate ` is a
usage synopsis whose options must exist. Anything else must be marked not runnable with
Sybil's `<!-- skip: next "reason" -->`, so that a reader can see why it is not tested.
"""

from __future__ import annotations

import ast
import doctest
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sybil import Document, Example, Region, Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.evaluators.skip import Skipper
from sybil.parsers.markdown import ClearNamespaceParser, SkipParser
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

from tests.docs.checks import check_email, check_json, check_text, check_yaml

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
WORKSPACE = "__docs_workspace__"  # key in a document's namespace: the directory its examples run in
SHELL_TIMEOUT = 900  # seconds; the slowest documented command trains a model


def documents() -> list[Path]:
    """Every Markdown file whose examples are tests, in a fixed order."""
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), *sorted(REPO.glob("examples/*/README.md"))]


class UnrunnableBlock(AssertionError):
    """A block the suite has no runner for and that is not marked not runnable."""


def workspace(example: Example) -> Path:
    return Path(example.namespace[WORKSPACE])


def shell_environment() -> dict[str, str]:
    """The test's (already cleaned) environment with this checkout's `brickgate` first on PATH
    (and the C collation, so that listings shown in the docs have one order)."""
    return os.environ | {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", "LC_ALL": "C.UTF-8"}


def run_bash(example: Example) -> None:
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + example.parsed],
        cwd=workspace(example),
        env=shell_environment(),
        capture_output=True,
        text=True,
        timeout=SHELL_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@dataclass(frozen=True)
class ConsoleStep:
    command: str
    output: str  # what the document shows under the command ('' = not shown, not compared)


def console_steps(source: str) -> list[ConsoleStep]:
    """`$ command` lines, their continuation lines and the output shown under each."""
    steps: list[ConsoleStep] = []
    command: list[str] = []
    output: list[str] = []

    def close() -> None:
        if command:
            steps.append(ConsoleStep("\n".join(command), "".join(f"{line}\n" for line in output)))

    for line in source.splitlines():
        if line.startswith("$ "):
            close()
            command, output = [line[2:]], []
        elif command and not output and command[-1].rstrip().endswith("\\"):
            command.append(line)
        else:
            output.append(line)
    close()
    return steps


def run_console(example: Example) -> None:
    """Each command must succeed and print what the document shows (doctest's ELLIPSIS and whitespace rules)."""
    checker = doctest.OutputChecker()
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for step in console_steps(example.parsed):
        done = subprocess.run(
            ["bash", "-c", step.command],
            cwd=workspace(example),
            env=shell_environment(),
            capture_output=True,
            text=True,
            timeout=SHELL_TIMEOUT,
            check=False,
        )
        printed = done.stdout + done.stderr
        assert done.returncode == 0, f"$ {step.command}: exit {done.returncode}\n{printed[-3000:]}"
        if step.output.strip():
            assert checker.check_output(step.output, printed, flags), (
                f"$ {step.command} printed:\n{printed}\nthe document shows:\n{step.output}"
            )


def unrunnable(language: str) -> Callable[[Example], None]:
    def evaluate(example: Example) -> None:
        raise UnrunnableBlock(
            f"no runner for a {language or 'untagged'} block: run it, or mark it with"
            ' <!-- skip: next "why it cannot run here" -->'
        )

    return evaluate


def checked(check: Callable[[str], None]) -> Callable[[Example], None]:
    return lambda example: check(str(example.parsed))


RUNNERS: dict[str, Callable[[Example], None]] = {
    "python": PythonEvaluator(),
    "bash": run_bash,
    "console": run_console,
    "yaml": checked(check_yaml),
    "json": lambda example: check_json(str(example.parsed), example.namespace),
    "text": checked(check_text),
    "email": lambda example: check_email(str(example.parsed), example.namespace),
}


class FenceParser:
    """Every fenced block, whatever its language, so that a skip marker always applies to the next fence."""

    lexer = RawFencedCodeBlockLexer(
        info_pattern=re.compile(r"(?P<language>[^\n]*)$\n", re.MULTILINE),
        mapping={"language": "language", "source": "source"},
    )

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexer(document):
            language = str(region.lexemes["language"]).strip()
            region.parsed = region.lexemes["source"]
            runner = RUNNERS.get(language, unrunnable(language))
            region.evaluator = lambda example, runner=runner: runner(example)
            yield region


SYBIL = Sybil(parsers=[FenceParser(), SkipParser(), ClearNamespaceParser()], path=str(REPO))


def parse(path: Path) -> Document:
    return SYBIL.parse(path)


@dataclass(frozen=True)
class Block:
    """One fenced example and, when marked, why it does not run here."""

    example: Example
    language: str
    skip_reason: str | None

    @property
    def where(self) -> str:
        return f"{Path(self.example.path).relative_to(REPO)}:{self.example.line}"


def blocks(document: Document) -> Iterator[Block]:
    """The document's fences with the reason of the skip marker that covers each (if any)."""
    reason: str | None = None
    pending_next = False
    for example in document.examples():
        if isinstance(example.region.evaluator, Skipper):
            action, argument = example.parsed
            if action == "end":
                reason = None
            else:
                reason = ast.literal_eval(argument) if argument else "(no reason given)"
                pending_next = action == "next"
            continue
        if isinstance(example.region.parsed, str) and "language" in example.region.lexemes:
            yield Block(example, str(example.region.lexemes["language"]).strip(), reason)
            if pending_next:
                reason, pending_next = None, False
