"""`brickgate tag-release`: annotated semver tag, optional push and GitHub release."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

from brickgate.cli.common import global_options, option, resolve_options

COMMAND = "tag-release"
VERSION_ENV = "BRICKGATE_TAG_RELEASE_VERSION"


@dataclass(frozen=True, kw_only=True)
class TagArgs:
    """The options of `brickgate tag-release`, resolved (defaults in defaults.toml [tag-release.*])."""

    ref: str
    message: str | None
    push: bool
    remote: str
    github_release: bool
    gate_summary: tuple[Path, ...]


@click.command("tag-release")
@click.argument("version", required=False)
@option(COMMAND, "--ref", metavar="REF")
@option(COMMAND, "--message", "-m", metavar="TEXT")
@option(COMMAND, "--push/--no-push")
@option(COMMAND, "--remote", metavar="NAME")
@option(COMMAND, "--github-release/--no-github-release")
@option(COMMAND, "--gate-summary", type=click.Path(path_type=Path), metavar="FILE")
@click.pass_context
def tag_release(ctx: click.Context, /, version: str | None, **_: object) -> int:
    """Create the annotated release tag VERSION (e.g. v1.2.3, v1.2.3-rc.1) and optionally push it.

    Safe to re-run: a tag already at the same commit succeeds and changes nothing; a tag at
    another commit (locally or on the remote) exits 1 and changes nothing; a rejected push
    removes the tag this run created. VERSION may also come from BRICKGATE_TAG_RELEASE_VERSION.
    Exit codes: 0 tagged (or already tagged), 1 conflicting tag, 2 invalid version or git/GitHub error.
    """
    from brickgate.errors import ConfigError
    from brickgate.release import TagReleaseOptions
    from brickgate.release import tag_release as run

    args = resolve_options(ctx).fill(TagArgs)
    version = version or os.environ.get(VERSION_ENV) or None
    if version is None:
        raise ConfigError(f"missing VERSION argument (or {VERSION_ENV}), e.g. brickgate tag-release v1.2.3")
    result = run(
        version,
        TagReleaseOptions(
            ref=args.ref,
            message=args.message or None,
            push=args.push,
            remote=args.remote,
            github_release=args.github_release,
            gate_summaries=args.gate_summary,
        ),
    )
    document = {
        "tag": result.tag,
        "sha": result.sha,
        "status": result.status,
        "passed": result.passed,
        "prerelease": result.prerelease,
        "pushed": result.pushed,
        "release_url": result.release_url,
        "release_created": result.release_created,
        "message": result.message,
    }
    fmt = global_options(ctx).format
    if fmt == "json":
        from brickgate.output import emit_json

        emit_json(document, "tag-release")
    else:
        click.echo(result.message if result.passed else f"brickgate: tag-release failed: {result.message}")
    if fmt == "github":
        from brickgate.github import annotation, append_summary, write_outputs

        if not result.passed:
            click.echo(annotation("error", result.message, title="tag-release"))
        write_outputs({k.replace("_", "-"): v for k, v in document.items() if k != "message"})
        append_summary(f"### Release tag {result.tag}\n\n{'✅' if result.passed else '❌'} {result.message}\n")
    return 0 if result.passed else 1
