"""`brickgate doctor`: one ✓/✗ line per step of the release path, each ✗ with its fix."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from brickgate.cli.common import global_options, option, resolve_options

if TYPE_CHECKING:
    from brickgate.doctor import DoctorResult

COMMAND = "doctor"


@dataclass(frozen=True, kw_only=True)
class DoctorArgs:
    """The options of `brickgate doctor`, resolved (defaults in defaults.toml [doctor.*])."""

    target: str | None
    var: tuple[str, ...]
    registry_uri: str | None


@click.command("doctor")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@option(COMMAND, "-t", "--target")
@option(COMMAND, "--var", metavar="NAME=VALUE")
@option(COMMAND, "--registry-uri", metavar="URI")
@click.pass_context
def doctor(ctx: click.Context, /, directory: Path | None, **_: object) -> int:
    """Check a repository's path to its first release, read only, one ✓ or ✗ line per check.

    Checks the bundle in DIRECTORY (default: the current folder) with validate-bundle, the
    target's workspace, the credentials databricks-sdk resolves for it (PAT, OAuth or GitHub
    OIDC; never shown), that the workspace answers, that the catalogs and schemas the bundle
    uses exist, the MLflow model registry, the secret scope keys of the alert channels switched
    on, and that .github/workflows use brickgate at this release's tag. Exit codes: 0 every
    check holds, 1 a check failed, 2 usage error.
    """
    from brickgate.cli.validate_bundle import parse_pairs
    from brickgate.doctor import DoctorOptions
    from brickgate.doctor import doctor as run

    args = resolve_options(ctx).fill(DoctorArgs)
    options = DoctorOptions(
        target=args.target or None,
        variables=parse_pairs(args.var),
        registry_uri=args.registry_uri or None,
        env=dict(os.environ),
    )
    result = run(directory or Path("."), options)
    _render(result, global_options(ctx).format)
    return 0 if result.passed else 1


def to_document(result: DoctorResult) -> dict[str, Any]:
    """The `--format json` document (schemas/doctor.json)."""
    return {
        "directory": str(result.directory),
        "target": result.target,
        "passed": result.passed,
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix} for c in result.checks],
    }


def _render(result: DoctorResult, fmt: str) -> None:
    if fmt == "json":
        from brickgate.output import emit_json

        emit_json(to_document(result), "doctor")
        return
    for check in result.checks:
        click.echo(check.line())
    failed = [c for c in result.checks if not c.ok]
    click.echo(f"{len(failed)} of {len(result.checks)} checks failed" if failed else "ready to release")
    if fmt != "github":
        return
    from brickgate.github import annotation, append_summary, write_outputs

    for check in failed:
        click.echo(annotation("error", check.line(), title="doctor"))
    write_outputs({"passed": result.passed, "failed": len(failed)})
    rows = "".join(
        f"| {'✅' if c.ok else '❌'} | {c.name} | {c.detail} | {c.fix if not c.ok else ''} |\n" for c in result.checks
    )
    append_summary(f"### brickgate doctor\n\n| | check | found | fix |\n|---|---|---|---|\n{rows}")
