"""`brickgate fairness-gate`: disparate impact per protected attribute, tested, judged, published."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from brickgate.cli.common import global_options, resolve_options
from brickgate.cli.gate_options import names, option, publishing_options

MISSING_DATA = (
    "missing --data SOURCE (or BRICKGATE_FAIRNESS_GATE_DATA): a Parquet/CSV file or folder, "
    "a Delta folder or catalog.schema.table"
)
MISSING_ATTRIBUTES = (
    "missing --protected-attributes (or BRICKGATE_FAIRNESS_GATE_PROTECTED_ATTRIBUTES), e.g. gender,age_band"
)
BAD_REFERENCE_GROUP = "--reference-group '{value}' must be attribute=value, e.g. gender=M"
F = TypeVar("F", bound=Callable[..., Any])


def _option(flag: str, text: str, shown_default: str | None = None, **kwargs: Any) -> Callable[[F], F]:
    return option("fairness-gate", flag, text, shown_default, **kwargs)


@click.command("fairness-gate")
@_option("--data", "Parquet/CSV file or folder, Delta folder, or catalog.schema.table.", metavar="SOURCE")
@_option("--score-column", "Model score; flagged = score ≥ threshold.", metavar="COL")
@_option("--prediction-column", "Already binary 0/1 decision (no threshold).", metavar="COL")
@_option("--label-column", "True 0/1 outcome: adds TPR, FPR and precision.", metavar="COL")
@_option("--protected-attributes", "Comma-separated attribute columns.", metavar="A,B")
@_option(
    "--threshold-percentile",
    "Flag scores ≥ the nearest-rank P-th percentile (top 100−P %).",
    "95",
    type=float,
    metavar="P",
)
@_option("--threshold", "Flag scores ≥ T.", type=float, metavar="T")
@_option("--intersectional", "Intersection of columns; repeatable.", multiple=True, metavar="A*B")
@_option("--reference", "Reference group: largest (most rows), max-rate or overall.", "largest", metavar="MODE")
@_option("--reference-group", "Reference group of one attribute; repeatable.", multiple=True, metavar="ATTR=VALUE")
@_option("--di-min", "Lowest acceptable ratio.", "0.8", type=float)
@_option("--di-max", "Highest acceptable ratio.", "1.25", type=float)
@_option("--alpha", "Significance level for Holm-adjusted p-values.", "0.05", type=float)
@_option("--min-group-size", "Smaller groups are reported, not gated.", "30", type=int)
@_option("--gate-metric", "Gated ratio: di, tpr or fpr (tpr/fpr need a label); repeatable.", "di", multiple=True)
@_option("--fail-on-bias/--no-fail-on-bias", "Exit 1 on any CRITICAL attribute.", "off")
@_option("--engine", "Counting engine.", "pandas", type=click.Choice(["pandas", "spark"]))
@publishing_options("fairness-gate", gate="fairness", rows="per-group")
@_option("--model-name", "Recorded with the results; part of alert dedup keys.")
@_option("--model-version", "Recorded with the results.")
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
    opts = resolved.values
    if not opts["data"]:
        raise ConfigError(MISSING_DATA)
    if not names([opts["protected_attributes"] or ""]):
        raise ConfigError(MISSING_ATTRIBUTES)
    given = {name for name, source in resolved.sources.items() if source not in ("default", "unset")}
    percentile = opts["threshold_percentile"]
    if "threshold_percentile" not in given and ("threshold" in given or "prediction_column" in given):
        percentile = None  # the shipped default yields to an explicit threshold or prediction column
    references: dict[str, str] = {}
    for item in opts["reference_group"] or ():
        attribute, sep, value = item.partition("=")
        if not sep or not attribute.strip():
            raise ConfigError(BAD_REFERENCE_GROUP.format(value=item))
        references[attribute.strip()] = value
    publishing = options_from(opts, global_options(ctx).format)
    check_options(publishing)
    outcome = gate(
        opts["data"],
        protected_attributes=opts["protected_attributes"],
        score_column=opts["score_column"] or None,
        prediction_column=opts["prediction_column"] or None,
        label_column=opts["label_column"] or None,
        threshold=opts["threshold"],
        threshold_percentile=percentile,
        intersectional=tuple(opts["intersectional"] or ()),
        reference=opts["reference"],
        reference_groups=references,
        di_min=opts["di_min"],
        di_max=opts["di_max"],
        alpha=opts["alpha"],
        min_group_size=opts["min_group_size"],
        gate_metrics=tuple(opts["gate_metric"] or ()),
        fail_on_bias=bool(opts["fail_on_bias"]),
        model_name=opts["model_name"] or None,
        model_version=opts["model_version"] or None,
        engine=opts["engine"],
    )
    publish(outcome, publishing)
    return 0 if outcome.passed else 1
