"""Checks of the blocks that describe code rather than run it: YAML, JSON and usage synopses.

A YAML block is a bundle fragment (it must be part of the reference project's jobs), a caller
workflow (every `uses:` of this repository's workflows names the release tag `v<version>` and
passes only inputs and secrets they declare) or an `env:` mapping (every variable is one the toolkit reads). A JSON
block that names a `schema` must validate against the schema shipped in the package. A usage
synopsis (`brickgate <command> ...`) may name only options the command has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import yaml

from brickgate import __version__

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "claims-fraud"
TOOLKIT = REPO / "toolkit" / "brickgate"
WORKFLOW_USES = re.compile(r"^[\w.-]+/brickgate/\.github/workflows/([\w.-]+\.yml)@(\S+)$")
ACTION_USES = re.compile(r"^[\w.-]+/brickgate(?:/actions/([\w.-]+))?@\S+$")
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")
SHOWN_DEFAULT = re.compile(r"\[(--[\w-]+) ([0-9][0-9.e-]*)\]")  # `[--bins 10]`: the synopsis shows the default


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
        assert part == whole, f"{where}: the document says {part!r}, the example has {whole!r}"


def example_jobs() -> dict[str, Any]:
    """The reference project's jobs as written in its resource files."""
    jobs: dict[str, Any] = {}
    for path in sorted((EXAMPLE / "resources" / "jobs").glob("*.yml")):
        jobs.update(yaml.safe_load(path.read_text(encoding="utf-8"))["resources"]["jobs"])
    return jobs


def load_yaml(path: Path) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def workflow_interface(name: str) -> tuple[set[str], set[str]]:
    """Inputs and secrets a reusable workflow of this repository declares."""
    workflow = load_yaml(REPO / ".github" / "workflows" / name)
    call = (workflow.get("on") or workflow[True])["workflow_call"] or {}
    return set(call.get("inputs") or {}), set(call.get("secrets") or {})


def action_inputs(name: str | None) -> set[str]:
    path = REPO / "actions" / name / "action.yml" if name else REPO / "action.yml"
    return set(load_yaml(path).get("inputs") or {})


def check_caller(document: Mapping[str, Any]) -> None:
    for job_name, job in (document.get("jobs") or {}).items():
        uses = job.get("uses")
        if uses:
            found = WORKFLOW_USES.match(uses)
            assert found, f"job {job_name}: {uses} is not one of this repository's reusable workflows"
            workflow, ref = found.groups()
            assert ref == f"v{__version__}", f"job {job_name}: @{ref} is not the release tag v{__version__}"
            inputs, secrets = workflow_interface(workflow)
            unknown = set(job.get("with") or {}) - inputs
            assert not unknown, f"job {job_name} passes inputs {sorted(unknown)} that {workflow} does not declare"
            unknown = set(job.get("secrets") or {}) - secrets
            assert not unknown, f"job {job_name} passes secrets {sorted(unknown)} that {workflow} does not declare"
        for step in job.get("steps") or []:
            action = ACTION_USES.match(step.get("uses", ""))
            if action:
                unknown = set(step.get("with") or {}) - action_inputs(action.group(1))
                assert not unknown, f"step {step['uses']} passes inputs {sorted(unknown)} it does not declare"


def toolkit_reads(variable: str) -> bool:
    return any(variable in path.read_text(encoding="utf-8") for path in TOOLKIT.rglob("*.py"))


def check_yaml(source: str) -> None:
    document = yaml.safe_load(source)
    assert isinstance(document, Mapping), "a YAML example must be a mapping"
    if "resources" in document:
        is_subset(document["resources"]["jobs"], example_jobs(), "resources.jobs")
    elif "jobs" in document:
        check_caller(document)
    elif set(document) == {"env"}:
        unknown = [name for name in document["env"] if not toolkit_reads(name)]
        assert not unknown, f"no code reads {unknown}"
    else:
        raise AssertionError(f"no check for a YAML block with keys {sorted(document)}: mark it")


def alert_rendering(document: Mapping[str, Any], alert: Any) -> Any:
    """What brickgate sends for `alert` on the channel whose payload `document` shows (None: not an alert payload).

    Identifiers and times the document cannot know in advance (delivery id, timestamps) are taken from it."""
    from brickgate import alerts

    if "blocks" in document:
        return alerts.slack_payload(alert)
    if "routing_key" in document:
        key = document["routing_key"]
        return alerts.pagerduty_event(alert, routing_key=key, timestamp=document["payload"]["timestamp"])
    if document.get("schema") == "brickgate.alert/v1":
        return alerts.webhook_body(alert, delivery_id=document["id"], sent_at=document["sent_at"])
    return None


def check_email(source: str, namespace: Mapping[str, Any]) -> None:
    """An alert email as shown: its headers and body are those brickgate writes for the document's `alert`."""
    from brickgate.alerts import email_message

    head, body = source.split("\n\n", 1)
    shown = dict(line.split(": ", 1) for line in head.splitlines())
    mail = email_message(namespace["alert"], sender=shown["From"], recipients=shown["To"].split(", "))
    assert {name: mail[name] for name in shown} == shown
    assert mail.get_content() == body


def check_json(source: str, namespace: Mapping[str, Any]) -> None:
    """Validate against the shipped schema it names; an alert payload must be what brickgate sends
    for the `alert` the document's Python example built."""
    import jsonschema

    document = json.loads(source)
    if "alert" in namespace and isinstance(document, dict):
        sent = alert_rendering(document, namespace["alert"])
        if sent is not None:
            assert document == sent, f"brickgate sends:\n{json.dumps(sent, indent=2)}"
            if "schema" not in document:
                return
    schema_name = document.get("schema", "") if isinstance(document, dict) else ""
    matching = [
        path
        for path in (TOOLKIT / "schemas").glob("*.json")
        if json.loads(path.read_text(encoding="utf-8")).get("properties", {}).get("schema", {}).get("const")
        == schema_name
    ]
    assert schema_name and matching, "no shipped schema names this JSON block: mark it"
    jsonschema.validate(document, json.loads(matching[0].read_text(encoding="utf-8")))


def command_for(words: list[str]) -> tuple[str, click.Command]:
    """The path and click command a synopsis line names (`brickgate psi-gate profile ...` → the subcommand)."""
    from brickgate.cli import cli

    command: click.Command = cli
    path: list[str] = []
    for word in words[1:]:
        sub = command.get_command(click.Context(cli), word) if isinstance(command, click.Group) else None
        if sub is None:
            break
        command = sub
        path.append(word)
    return " ".join(path), command


def option_names(command: click.Command) -> set[str]:
    return {name for param in command.params for name in (*param.opts, *param.secondary_opts)} | {"--help", "-h"}


def default_of(path: str, command: click.Command, flag: str) -> object:
    """The default `defaults.toml` gives the option `flag` (None when it has none)."""
    from brickgate.settings import specs

    names = [param.name for param in command.params if flag in param.opts]
    return specs()[path][names[0]].default if names and names[0] in specs().get(path, {}) else None


def check_text(source: str) -> None:
    """A usage synopsis: every line that starts with `brickgate` opens a command; its options must exist,
    and a default it shows (`[--bins 10]`) must be the option's default."""
    assert source.startswith("brickgate "), "a text block that is not a usage synopsis does not run: mark it"
    path, command = "", None
    for line in source.splitlines():
        if line.startswith("brickgate "):
            path, command = command_for(line.split())
            assert path, f"{line!r} names no brickgate command"
        assert command is not None
        unknown = sorted(set(OPTION.findall(line)) - option_names(command))
        assert not unknown, f"brickgate {path} has no option {', '.join(unknown)}"
        for flag, shown in SHOWN_DEFAULT.findall(line):
            default = default_of(path, command, flag)
            assert isinstance(default, (int, float)) and float(shown) == default, (
                f"[{flag} {shown}]: the default of brickgate {path} {flag} is {default!r}"
            )
