"""No message advises a flag that does not exist (issue 20 item 6).

Every error or warning text in the toolkit (module-level string constants and the first
argument of each raised error) is scanned for `--flags`; each must be an option of some
`brickgate` command.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import click

from brickgate.cli import cli

TOOLKIT = Path(__file__).resolve().parents[2] / "toolkit" / "brickgate"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def options(command: click.Command) -> Iterator[str]:
    for param in command.params:
        yield from (*param.opts, *param.secondary_opts)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from options(sub)


def text_of(node: ast.expr) -> str:
    """The literal text of a string constant or f-string (placeholders dropped)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(text_of(part) for part in node.values if isinstance(part, ast.Constant))
    return ""


def messages(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
            yield node.lineno, text_of(node.value)
    for raised in ast.walk(tree):
        if isinstance(raised, ast.Raise) and isinstance(raised.exc, ast.Call) and raised.exc.args:
            yield raised.lineno, text_of(raised.exc.args[0])


def test_every_flag_in_a_message_exists() -> None:
    known = set(options(cli))
    unknown = []
    for path in sorted(TOOLKIT.rglob("*.py")):
        where = path.relative_to(TOOLKIT)
        for line, text in messages(ast.parse(path.read_text(encoding="utf-8"))):
            unknown += [f"{where}:{line}: {flag}" for flag in FLAG.findall(text) if flag not in known]
    assert unknown == []


def test_the_scan_finds_a_missing_flag() -> None:
    tree = ast.parse('BAD = "pass --allow-schema-change to evolve it"\nraise ValueError(f"use --nope {x}")')
    found = [flag for _, text in messages(tree) for flag in FLAG.findall(text)]
    assert found == ["--allow-schema-change", "--nope"]
