"""`brickgate promote-model`: move registry aliases after gate and metric checks, with an audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from brickgate.cli.common import global_options, resolve_options

if TYPE_CHECKING:
    from brickgate.registry import PromotionResult

ENV = "Env BRICKGATE_PROMOTE_MODEL_{}"


@click.command("promote-model")
@click.option("--model", help="Registered model name (catalog.schema.model in Unity Catalog). " + ENV.format("MODEL"))
@click.option("--version", help="Candidate model version number. " + ENV.format("VERSION"))
@click.option("--from-alias", help="Candidate by alias, e.g. challenger. " + ENV.format("FROM_ALIAS"))
@click.option("--to-alias", help="Alias to move to the candidate. Default: champion. " + ENV.format("TO_ALIAS"))
@click.option(
    "--previous-alias", help="Alias the replaced version keeps. Default: previous. " + ENV.format("PREVIOUS_ALIAS")
)
@click.option(
    "--require-gates/--no-require-gates",
    default=None,
    help="Refuse unless every gate in --gates has a passing verdict (run tag brickgate.gate.<gate>, "
    "artifact <gate>-result.json or --gate-result file). " + ENV.format("REQUIRE_GATES"),
)
@click.option(
    "--gates", multiple=True, help="Gates --require-gates needs. Default: fairness,psi. " + ENV.format("GATES")
)
@click.option(
    "--gate-result",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A gate's JSON result (needs a boolean 'passed'); repeatable; a failing one refuses. "
    + ENV.format("GATE_RESULT"),
)
@click.option("--metric", help="Run metric compared with the current champion's. " + ENV.format("METRIC"))
@click.option(
    "--max-regression",
    type=float,
    help="Largest allowed drop of --metric versus the champion, in the metric's units. " + ENV.format("MAX_REGRESSION"),
)
@click.option(
    "--higher-is-better/--lower-is-better",
    default=None,
    help="Direction of --metric. Default: higher is better. " + ENV.format("HIGHER_IS_BETTER"),
)
@click.option("--dry-run", is_flag=True, default=None, help="Check and print the plan; change nothing.")
@click.option("--rollback", is_flag=True, default=None, help="Move --to-alias back to the --previous-alias version.")
@click.option(
    "--tracking-uri", help="MLflow tracking URI. Env MLFLOW_TRACKING_URI; default sqlite .brickgate/mlflow.db."
)
@click.option("--registry-uri", help="MLflow registry URI (databricks-uc for Unity Catalog). Env MLFLOW_REGISTRY_URI.")
@click.option(
    "--restore-wait",
    type=click.FloatRange(min=0),
    help="Seconds to keep retrying alias restoration when the registry fails mid-promotion. Default: 60.",
)
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

    opts = resolve_options(ctx)
    if not opts["model"]:
        raise ConfigError("missing --model (or BRICKGATE_PROMOTE_MODEL_MODEL)")
    options = PromoteOptions(
        version=opts["version"] or None,
        from_alias=opts["from_alias"] or None,
        to_alias=opts["to_alias"],
        previous_alias=opts["previous_alias"],
        require_gates=bool(opts["require_gates"]),
        gates=tuple(opts["gates"]),
        gate_results=tuple(opts["gate_result"] or ()),
        metric=opts["metric"] or None,
        max_regression=opts["max_regression"],
        higher_is_better=bool(opts["higher_is_better"]),
        dry_run=bool(opts["dry_run"]),
        rollback=bool(opts["rollback"]),
        tracking_uri=opts["tracking_uri"] or None,
        registry_uri=opts["registry_uri"] or None,
        restore_wait=float(opts["restore_wait"]),
    )
    result = promote_model(opts["model"], options)
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
