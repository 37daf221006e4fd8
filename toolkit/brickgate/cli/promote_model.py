"""`brickgate promote-model`: move registry aliases after gate and metric checks, with an audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from brickgate.cli.common import global_options, option, resolve_options

if TYPE_CHECKING:
    from brickgate.registry import PromotionResult

COMMAND = "promote-model"


@dataclass(frozen=True, kw_only=True)
class PromoteArgs:
    """The options of `brickgate promote-model`, resolved (defaults in defaults.toml [promote-model.*])."""

    model: str | None
    version: str | None
    from_alias: str | None
    to_alias: str
    previous_alias: str
    require_gates: bool
    gates: tuple[str, ...]
    gate_result: tuple[Path, ...]
    metric: str | None
    max_regression: float | None
    higher_is_better: bool
    dry_run: bool
    rollback: bool
    tracking_uri: str | None
    registry_uri: str | None
    restore_wait: float


@click.command("promote-model")
@option(COMMAND, "--model", metavar="NAME")
@option(COMMAND, "--version", metavar="N")
@option(COMMAND, "--from-alias", metavar="ALIAS")
@option(COMMAND, "--to-alias", metavar="ALIAS")
@option(COMMAND, "--previous-alias", metavar="ALIAS")
@option(COMMAND, "--require-gates/--no-require-gates")
@option(COMMAND, "--gates", metavar="GATE")
@option(COMMAND, "--gate-result", type=click.Path(path_type=Path), metavar="FILE")
@option(COMMAND, "--metric", metavar="NAME")
@option(COMMAND, "--max-regression", metavar="X")
@option(COMMAND, "--higher-is-better/--lower-is-better")
@option(COMMAND, "--dry-run")
@option(COMMAND, "--rollback")
@option(COMMAND, "--tracking-uri", metavar="URI")
@option(COMMAND, "--registry-uri", metavar="URI")
@option(COMMAND, "--restore-wait", metavar="S")
@click.pass_context
def promote_model(ctx: click.Context, /, **_: object) -> int:
    """Promote a model version to an alias (default champion), or roll back to `previous`.

    The current champion becomes `previous` and the candidate becomes `champion`; audit tags
    (who, when, git SHA, workflow run, gate verdicts) go on the candidate version. If a step
    fails, the aliases are restored. Re-running for the same version changes nothing. Exit
    codes: 0 promoted, unchanged or planned; 1 refused (gates or metric); 2 usage, input or
    registry error.
    """
    from brickgate.errors import ConfigError
    from brickgate.registry import PromoteOptions, promote_model

    args = resolve_options(ctx).fill(PromoteArgs)
    if not args.model:
        raise ConfigError("missing --model (or BRICKGATE_PROMOTE_MODEL_MODEL)")
    options = PromoteOptions(
        version=args.version or None,
        from_alias=args.from_alias or None,
        to_alias=args.to_alias,
        previous_alias=args.previous_alias,
        require_gates=args.require_gates,
        gates=args.gates,
        gate_results=args.gate_result,
        metric=args.metric or None,
        max_regression=args.max_regression,
        higher_is_better=args.higher_is_better,
        dry_run=args.dry_run,
        rollback=args.rollback,
        tracking_uri=args.tracking_uri or None,
        registry_uri=args.registry_uri or None,
        restore_wait=args.restore_wait,
    )
    result = promote_model(args.model, options)
    _render(result, global_options(ctx).format)
    return 0 if result.passed else 1


def to_document(result: PromotionResult) -> dict[str, Any]:
    """The `--format json` document (schemas/promote-model.json)."""
    metric = result.metric
    return {
        "model": result.model,
        "version": result.version,
        "status": result.status,
        "passed": result.passed,
        "message": result.message,
        "registry_uri": result.registry_uri,
        "aliases": dict(result.aliases),
        "changes": [{"alias": c.alias, "before": c.before, "after": c.after} for c in result.changes],
        "gates": [{"gate": v.gate, "passed": v.passed, "source": v.source} for v in result.gates],
        "metric": None
        if metric is None
        else {
            "name": metric.name,
            "candidate": metric.candidate,
            "champion": metric.champion,
            "regression": metric.regression,
            "max_regression": metric.max_regression,
            "higher_is_better": metric.higher_is_better,
            "passed": metric.passed,
        },
        "reasons": list(result.reasons),
        "audit_tags": dict(result.audit_tags),
    }


def _render(result: PromotionResult, fmt: str) -> None:
    document = to_document(result)
    if fmt == "json":
        from brickgate.output import emit_json

        emit_json(document, "promote-model")
        return
    click.echo(result.message if result.passed else f"brickgate: promote-model failed: {result.message}")
    for verdict in result.gates:
        click.echo(f"  gate {verdict.gate}: {'pass' if verdict.passed else 'FAIL'} ({verdict.source})")
    if fmt != "github":
        return
    from brickgate.github import annotation, append_summary, write_outputs

    if not result.passed:
        click.echo(annotation("error", result.message, title="promote-model"))
    write_outputs(
        {
            "model": result.model,
            "version": result.version,
            "status": result.status,
            "passed": result.passed,
            "aliases": dict(result.aliases),
        }
    )
    rows = "".join(f"| `{c.alias}` | {c.before or '—'} | {c.after} |\n" for c in result.changes)
    table = f"\n| alias | before | after |\n|---|---|---|\n{rows}" if rows else ""
    append_summary(
        f"### Model promotion: {result.model}\n\n{'✅' if result.passed else '❌'} {result.message}\n{table}"
    )
