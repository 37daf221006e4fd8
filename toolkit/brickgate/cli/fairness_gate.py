"""`brickgate fairness-gate`: disparate impact per protected attribute, tested, judged, published."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from brickgate.cli.common import global_options, option, resolve_options
from brickgate.cli.gate_options import names, publishing_options

if TYPE_CHECKING:
    from brickgate.gates.engines import EngineName

MISSING_DATA = (
    "missing --data SOURCE (or BRICKGATE_FAIRNESS_GATE_DATA): a Parquet/CSV file or folder, "
    "a Delta folder or catalog.schema.table"
)
MISSING_ATTRIBUTES = (
    "missing --protected-attributes (or BRICKGATE_FAIRNESS_GATE_PROTECTED_ATTRIBUTES), e.g. gender,age_band"
)
BAD_REFERENCE_GROUP = "--reference-group '{value}' must be attribute=value, e.g. gender=M"
COMMAND = "fairness-gate"


@dataclass(frozen=True, kw_only=True)
class FairnessArgs:
    """The options of `brickgate fairness-gate`, resolved (defaults in defaults.toml [fairness-gate.*])."""

    data: str | None
    score_column: str | None
    prediction_column: str | None
    label_column: str | None
    protected_attributes: str | None
    threshold_percentile: float
    threshold: float | None
    intersectional: tuple[str, ...]
    reference: str
    reference_group: tuple[str, ...]
    di_min: float
    di_max: float
    alpha: float
    min_group_size: int
    gate_metric: tuple[str, ...]
    fail_on_bias: bool
    engine: EngineName
    results_table: str | None
    report_dir: Path | None
    alert: tuple[str, ...]
    github_status: bool
    model_name: str | None
    model_version: str | None


@click.command(COMMAND)
@option(COMMAND, "--data", metavar="SOURCE")
@option(COMMAND, "--score-column", metavar="COL")
@option(COMMAND, "--prediction-column", metavar="COL")
@option(COMMAND, "--label-column", metavar="COL")
@option(COMMAND, "--protected-attributes", metavar="A,B")
@option(COMMAND, "--threshold-percentile", metavar="P")
@option(COMMAND, "--threshold", metavar="T")
@option(COMMAND, "--intersectional", metavar="A*B")
@option(COMMAND, "--reference", metavar="MODE")
@option(COMMAND, "--reference-group", metavar="ATTR=VALUE")
@option(COMMAND, "--di-min", metavar="RATIO")
@option(COMMAND, "--di-max", metavar="RATIO")
@option(COMMAND, "--alpha", metavar="P")
@option(COMMAND, "--min-group-size", metavar="N")
@option(COMMAND, "--gate-metric", metavar="METRIC")
@option(COMMAND, "--fail-on-bias/--no-fail-on-bias")
@option(COMMAND, "--engine")
@publishing_options(COMMAND)
@option(COMMAND, "--model-name", metavar="NAME")
@option(COMMAND, "--model-version", metavar="VERSION")
@click.pass_context
def fairness_gate(ctx: click.Context, /, **_: object) -> int:
    """Gate a model on disparate impact of its flags across protected groups.

    Per attribute and group: selection rate, DI against a reference group with a 95 % CI,
    Fisher or chi-square test and Holm-adjusted p-values; with a label also TPR, FPR and
    precision. An attribute with a gated ratio outside --di-min..--di-max is CRITICAL; two
    CRITICAL attributes escalate; one that cannot be measured (undefined DI, nobody or everybody
    flagged) is UNDETERMINED. Exit codes: 0 passed, 1 failed (--fail-on-bias with a CRITICAL or
    UNDETERMINED attribute, or an escalation), 2 bad input or settings.
    """
    from brickgate.api import fairness_gate as gate
    from brickgate.errors import ConfigError
    from brickgate.gates.publish import check_options, options_from, publish

    resolved = resolve_options(ctx)
    args = resolved.fill(FairnessArgs)
    if not args.data:
        raise ConfigError(MISSING_DATA)
    attributes = names([args.protected_attributes or ""])
    if not attributes:
        raise ConfigError(MISSING_ATTRIBUTES)
    percentile: float | None = args.threshold_percentile
    if not resolved.given("threshold_percentile") and (
        resolved.given("threshold") or resolved.given("prediction_column")
    ):
        percentile = None  # the shipped default yields to an explicit threshold or prediction column
    references: dict[str, str] = {}
    for item in args.reference_group:
        attribute, sep, value = item.partition("=")
        if not sep or not attribute.strip():
            raise ConfigError(BAD_REFERENCE_GROUP.format(value=item))
        references[attribute.strip()] = value
    publishing = options_from(resolved.values, global_options(ctx).format)
    check_options(publishing)
    outcome = gate(
        args.data,
        protected_attributes=attributes,
        score_column=args.score_column or None,
        prediction_column=args.prediction_column or None,
        label_column=args.label_column or None,
        threshold=args.threshold,
        threshold_percentile=percentile,
        intersectional=args.intersectional,
        reference=args.reference,
        reference_groups=references,
        di_min=args.di_min,
        di_max=args.di_max,
        alpha=args.alpha,
        min_group_size=args.min_group_size,
        gate_metrics=args.gate_metric,
        fail_on_bias=args.fail_on_bias,
        model_name=args.model_name or None,
        model_version=args.model_version or None,
        engine=args.engine,
    )
    publish(outcome, publishing)
    return 0 if outcome.passed else 1
