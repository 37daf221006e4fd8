"""The reference tables of the docs say what the code does (issue 20 item 2).

docs/cli.md's option tables (one per command section) list every option of the command and no
other; each row's environment variables, TOML key and default are the ones `defaults.toml`
(through `brickgate.settings`) gives the command. docs/actions.md's input, output and secret tables
list exactly the inputs, outputs, secrets and defaults of `action.yml`, `actions/*/action.yml` and the
reusable workflows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from brickgate.cli import cli
from brickgate.settings import OptionSpec, specs

REPO = Path(__file__).resolve().parents[2]
HEADING = re.compile(r"^(#{2,4}) (.+)$")
CODE = re.compile(r"`([^`]+)`")
FLAG = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")
NO_DEFAULT = {"", "—", "–", "-", "none", "required"}


@dataclass(frozen=True)
class Table:
    """A Markdown table: the heading it sits under, its line, header cells and rows of cells."""

    heading: str
    line: int
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def cells(line: str) -> tuple[str, ...]:
    return tuple(cell.strip() for cell in line.strip().strip("|").split("|"))


def tables(path: Path) -> Iterator[Table]:
    heading = ""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        found = HEADING.match(lines[index])
        if found:
            heading = found.group(2)
        if lines[index].lstrip().startswith("|") and lines[index + 1 : index + 2] and "|---" in lines[index + 1]:
            start = index
            rows = []
            index += 2
            while index < len(lines) and lines[index].lstrip().startswith("|"):
                rows.append(cells(lines[index]))
                index += 1
            yield Table(heading, start + 1, cells(lines[start]), tuple(rows))
            continue
        index += 1


def command_named(heading: str) -> str | None:
    """The command path a heading names (`deploy`, `psi-gate`), if any."""
    words = heading.replace("`", "").split()
    known = set(specs())
    for size in (2, 1):
        candidate = " ".join(words[:size])
        if candidate in known:
            return candidate
    return None


def click_command(path: str) -> click.Command:
    command: click.Command = cli
    for word in path.split():
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(cli), word)
        assert found is not None, path
        command = found
    return command


def spec_of(command: str, flag: str) -> OptionSpec | None:
    """The spec of the option `flag` names (`--no-databricks-cli` → databricks_cli)."""
    for param in click_command(command).params:
        if flag in (*param.opts, *param.secondary_opts) and param.name:
            return specs()[command].get(param.name)
    return None


def shown_default(spec: OptionSpec) -> str:
    if spec.default_text:
        return spec.default_text
    if isinstance(spec.default, bool):
        return "on" if spec.default else "off"
    if isinstance(spec.default, list):
        return ",".join(map(str, spec.default))
    return "" if spec.default is None else str(spec.default)


def same_default(documented: str, spec: OptionSpec) -> bool:
    """The table's default cell agrees with the spec; prose after the value is allowed."""
    text = documented.replace("`", "").strip()
    if spec.default is None or spec.default == [] or spec.default == "":
        return text.lower() in NO_DEFAULT or not text[:1].isdigit()
    if isinstance(spec.default, bool):  # on/off, or the side of a --higher/--lower pair: "higher"
        word = text.split()[0]
        return word in ("on", "off", spec.key.split("-")[0]) and (word != "off") == spec.default
    if isinstance(spec.default, (int, float)):
        first = re.match(r"[-+0-9.e]+", text)
        return first is not None and float(first.group(0)) == float(spec.default)
    return text.split()[0] == shown_default(spec).split()[0] if text else False


def option_tables(path: Path) -> Iterator[tuple[str, Table]]:
    for table in tables(path):
        if table.header[0] == "option":
            command = command_named(table.heading)
            assert command, f"{path.name}:{table.line}: option table under '{table.heading}' names no command"
            yield command, table


def env_prefix(header: tuple[str, ...]) -> str:
    found = re.search(r"`(BRICKGATE_[A-Z_]+)…`", " ".join(header))
    return found.group(1) if found else ""


def check_option_table(path: Path, command: str, table: Table) -> list[str]:
    problems = []
    where = f"{path.relative_to(REPO)}:{table.line} ({command})"
    documented = set()
    prefix = env_prefix(table.header)
    for row in table.rows:
        flags = FLAG.findall(row[0])
        found = [spec_of(command, flag) for flag in flags]
        problems += [
            f"{where}: {f} is not an option of brickgate {command}"
            for f, s in zip(flags, found, strict=True)
            if s is None
        ]
        row_specs = {s.name: s for s in found if s is not None}
        if not row_specs:
            continue
        documented |= set(row_specs)
        names = [part for code in CODE.findall(row[1]) for part in re.split(r"[ ,=]", code) if part]
        variables = {n if n.startswith(("BRICKGATE_", "MLFLOW_")) else prefix + n for n in names if n.isupper()}
        keys = {n for n in names if not n.isupper() and n not in ("false", "true")}
        allowed = {name for s in row_specs.values() for name in (s.env, *s.also_env)}
        if not variables or variables - allowed:
            problems.append(f"{where}: {row[0]} reads {sorted(allowed)}, the table says {sorted(variables)}")
        if keys and keys != {s.key for s in row_specs.values()}:
            problems.append(
                f"{where}: {row[0]} has TOML key(s) {sorted(s.key for s in row_specs.values())}, "
                f"the table says {sorted(keys)}"
            )
        if len(row_specs) == 1:
            (spec,) = row_specs.values()
            if not same_default(row[2], spec):
                problems.append(f"{where}: {row[0]} defaults to {shown_default(spec)!r}, the table says {row[2]!r}")
    missing = set(specs()[command]) - documented
    if missing:
        problems.append(f"{where}: options not in the table: {sorted(missing)}")
    return problems


REFERENCES = [REPO / "docs" / name for name in ("cli.md", "deploy.md", "fairness-gate.md", "psi-gate.md", "release.md")]


@pytest.mark.parametrize("path", REFERENCES, ids=lambda p: p.name)
def test_option_tables_match_the_code(path: Path) -> None:
    problems = [p for command, table in option_tables(path) for p in check_option_table(path, command, table)]
    assert problems == []


def test_cli_reference_has_a_table_for_every_command() -> None:
    documented = {command for command, _ in option_tables(REPO / "docs" / "cli.md")}
    assert set(specs()) - {""} - {"psi-gate profile"} <= documented


def load(path: Path) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def declared(path: Path) -> dict[str, dict[str, Any]]:
    """Inputs, outputs and secrets of an action, or of a reusable workflow's workflow_call."""
    document = load(path)
    if "runs" not in document:
        document = (document.get("on") or document[True])["workflow_call"] or {}
    return {kind: document.get(f"{kind}s") or {} for kind in ("input", "output", "secret")}


def yaml_default(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def interface_tables() -> Iterator[tuple[Path, Table]]:
    for table in tables(REPO / "docs" / "actions.md"):
        name = CODE.findall(table.heading)
        if table.header[0] in ("input", "output", "secret") and name:
            source = name[0]
            if source == "action.yml":
                path = REPO / source
            elif source.endswith(".yml"):
                path = REPO / ".github" / "workflows" / source
            else:
                path = REPO / source / "action.yml"
            yield path, table


def test_action_and_workflow_tables_match_their_yaml() -> None:
    problems = []
    seen: dict[Path, set[str]] = {}
    for path, table in interface_tables():
        kind = table.header[0]
        expected = declared(path)[kind]
        seen.setdefault(path, set()).add(kind)
        documented: dict[str, str] = {}
        for row in table.rows:
            names = CODE.findall(row[0])
            defaults = [d.strip() for d in row[1].split("/")] if kind == "input" else []
            for index, name in enumerate(names):
                documented[name] = defaults[index] if len(defaults) == len(names) else (defaults or [""])[0]
        where = f"docs/actions.md:{table.line} ({path.relative_to(REPO)} {kind}s)"
        if set(documented) != set(expected):
            problems.append(
                f"{where}: missing {sorted(set(expected) - set(documented))}, "
                f"unknown {sorted(set(documented) - set(expected))}"
            )
        if kind == "input":
            for name, cell in documented.items():
                spec = expected.get(name) or {}
                value = cell.replace("`", "").strip()
                if spec.get("required"):
                    ok = value == "required"
                else:
                    ok = value == yaml_default(spec.get("default")) or (
                        value in NO_DEFAULT and spec.get("default") in (None, "")
                    )
                if not ok:
                    problems.append(
                        f"{where}: {name} defaults to {spec.get('default')!r} (required: "
                        f"{bool(spec.get('required'))}), the table says {cell!r}"
                    )
    assert problems == []
    actions = [REPO / "action.yml", *sorted(REPO.glob("actions/*/action.yml"))]
    workflows = [REPO / ".github" / "workflows" / name for name in ("ci.yml", "cd-dev.yml", "cd-prod.yml")]
    assert [p for p in actions + workflows if "input" not in seen.get(p, set())] == []
    assert [p for p in workflows if declared(p)["secret"] and "secret" not in seen[p]] == []
    assert [p for p in actions + workflows if declared(p)["output"] and "output" not in seen[p]] == []


def variables_of(path: Path, header: str) -> list[tuple[str, ...]]:
    (table,) = [t for t in tables(path) if t.header[: len(header.split())] == tuple(header.split())]
    return list(table.rows)


def test_alert_variables_are_the_ones_the_channels_read() -> None:
    """Every variable of the alerts.md table is read by the alerts package and the other way round;
    the rows marked required are the ones `check_channels` asks for."""
    from brickgate.alerts import REQUIRED_ENV

    rows = variables_of(REPO / "docs" / "alerts.md", "channel variable required")
    documented = {CODE.findall(row[1])[0] for row in rows}
    source = "".join(p.read_text(encoding="utf-8") for p in (REPO / "toolkit" / "brickgate" / "alerts").glob("*.py"))
    assert documented == set(re.findall(r"\bBRICKGATE_[A-Z0-9_]*[A-Z0-9]\b", source))
    required: dict[str, set[str]] = {}
    for row in rows:
        if row[2].startswith("yes"):
            required.setdefault(row[0], set()).add(CODE.findall(row[1])[0])
    assert required == {channel: set(names) for channel, names in REQUIRED_ENV.items()}


def test_task_environment_variables_are_set_by_the_runner() -> None:
    rows = variables_of(REPO / "docs" / "local-runs.md", "variable value")
    source = "".join(p.read_text(encoding="utf-8") for p in (REPO / "toolkit" / "brickgate" / "runner").rglob("*.py"))
    names = [name for row in rows for code in CODE.findall(row[0]) for name in [code.split("=")[0]] if "<" not in name]
    assert [name for name in names if f'"{name}"' not in source] == []


def every_option(command: click.Command) -> Iterator[str]:
    for param in command.params:
        yield from (*param.opts, *param.secondary_opts)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from every_option(sub)


# The command references; other pages quote flags of act, pytest, the benchmark scripts and job files.
PROSE = [*REFERENCES, *(REPO / "docs" / name for name in ("alerts.md", "python-api.md", "setup.md"))]


def test_flags_named_in_the_prose_exist() -> None:
    """Inline code that is a flag (`--di-min 0.8`) or a brickgate command names only real options."""
    known = {*every_option(cli), "--help"}
    unknown = []
    for path in [REPO / "README.md", *PROSE]:
        text = path.read_text(encoding="utf-8")
        for code in re.finditer(r"`([^`\n]+)`", text):
            if code.group(1).startswith(("--", "brickgate ")):
                line = text.count("\n", 0, code.start()) + 1
                flags = FLAG.findall(code.group(1))
                unknown += [f"{path.name}:{line}: {f}" for f in flags if f.startswith("--") and f not in known]
    assert unknown == []


def test_readme_lists_every_command() -> None:
    (table,) = [t for t in tables(REPO / "README.md") if t.header[:2] == ("command", "what it does")]
    listed = {name for row in table.rows for name in CODE.findall(row[0])} - {"profile"}
    assert isinstance(cli, click.Group)
    assert listed == set(cli.commands)
