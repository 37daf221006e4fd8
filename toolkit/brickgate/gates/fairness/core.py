"""The fairness maths, once: from per-group counts to DI, confidence intervals, tests and verdict.

Engines (pandas, Spark) only count. For every protected attribute (and intersection ``a*b``)
they return, per group, the rows, the flagged rows and, with a label column, the confusion
counts; `analyse` turns those counts into the `FairnessResult`. Both engines therefore give
the same numbers by construction whenever their counts agree.

Definitions (``p`` = selection rate, ``r`` = the reference group):

* flagged: ``score ≥ t``; the percentile threshold ``t`` is the nearest-rank P-th percentile
  ``x_(⌈n·P/100⌉)`` of the scores (numpy ``method="inverted_cdf"``, SQL ``percentile_disc``).
  Ties at ``t`` are all flagged, so the realised flag rate can exceed 100 − P %; it is reported.
* ``DI_g = p_g / p_r``; ideal 1; undefined (``null`` + reason) when ``p_r = 0``.
* 95 % CI of DI by the log-ratio (Katz) method:
  ``exp(ln DI ± z·sqrt(1/a − 1/n_g + 1/c − 1/n_r))``, ``a``, ``c`` flagged counts, z = 1.959964;
  undefined when ``a = 0`` or ``c = 0``.
* group vs reference: two-sided Fisher exact test when any expected count of the 2×2 table
  is below 5, else the Pearson chi-square test without continuity correction; per attribute a
  k×2 chi-square over its sufficient groups; all p-values of a run are Holm-adjusted together
  (the formulas live in `brickgate.stats`).
* an attribute is ``undetermined`` when a gated group cannot be judged: its ratio is undefined
  and the group is not selected either (e.g. the reference is never selected), or nobody or
  everybody among its gated rows is flagged. Never a pass without a measurement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from brickgate.config import default
from brickgate.errors import ConfigError, InputError
from brickgate.gates.result import RunStatus, Status
from brickgate.stats import TestName, holm, k_by_two_test, katz_interval, two_by_two_test
from brickgate.suggest import did_you_mean

ReferenceMode = Literal["largest", "max-rate", "overall"]
REFERENCE_MODES: tuple[str, ...] = get_args(ReferenceMode)
GateMetric = Literal["di", "tpr", "fpr"]
GATE_METRICS: tuple[str, ...] = get_args(GateMetric)
ThresholdMode = Literal["percentile", "value", "prediction"]
GroupStatus = Literal["reference", "ok", "outside_band", "undefined", "insufficient_data"]

COMMAND = "fairness-gate"  # its defaults.toml section: the defaults below are read from there
MISSING = "(missing)"
OVERALL = "(overall)"
INTERSECTION = "*"

# Messages (tests compare them verbatim).
NO_SCORE = "give --score-column (with a threshold) or --prediction-column"
SCORE_AND_PREDICTION = "--score-column and --prediction-column conflict; give one"
THRESHOLD_CONFLICT = "--threshold and --threshold-percentile conflict; give one"
PREDICTION_THRESHOLD = "--prediction-column is already binary; drop --threshold/--threshold-percentile"
BAD_THRESHOLD = "--threshold must be a finite number, got {value}"
BAD_PERCENTILE = "--threshold-percentile must be between 0 and 100 (exclusive), got {value:g}"
BAD_BAND = "--di-min must be positive and below --di-max (got {low:g} and {high:g})"
BAD_ALPHA = "--alpha must be between 0 and 1 (exclusive), got {value:g}"
BAD_MIN_GROUP = "--min-group-size must be at least 1, got {value}"
NO_ATTRIBUTES = "--protected-attributes is empty; name at least one column"
BAD_INTERSECTION = "--intersectional '{term}' must join two or more column names with '*', e.g. gender*age_band"
METRIC_NEEDS_LABEL = "--gate-metric {metric} needs --label-column"
UNKNOWN_METRIC = "--gate-metric '{metric}' is not one of {valid}"
UNKNOWN_REFERENCE_MODE = "--reference '{mode}' is not one of {valid}"
REFERENCE_NOT_ATTRIBUTE = "--reference-group {attribute}=…: '{attribute}' is not a protected attribute ({valid})"
ONE_GROUP = "attribute '{attribute}' has only one group ({group}); a fairness comparison needs at least two"
UNKNOWN_GROUP = "--reference-group {attribute}={group}: no such group in '{attribute}'{hint} (groups: {groups})"


@dataclass(frozen=True, kw_only=True)
class FairnessConfig:
    """What to measure and how to judge it (CLI flags of ``brickgate fairness-gate``).

    Exactly one of `score_column` (flagged = score ≥ threshold) and `prediction_column`
    (already 0/1). With a score, give `threshold` or `threshold_percentile` (default 95: flag
    the top 5 %). The 0.8–1.25 band is the "four-fifths" convention of US employment
    guidance, used here as a policy default, not a legal test.

    Raises
    ------
    ConfigError
        For conflicting or out-of-range settings (the message names the flag).
    """

    protected_attributes: tuple[str, ...]
    score_column: str | None = None
    prediction_column: str | None = None
    label_column: str | None = None
    threshold: float | None = None
    threshold_percentile: float | None = None
    intersectional: tuple[str, ...] = ()
    reference: ReferenceMode = default(COMMAND, "reference")
    reference_groups: Mapping[str, str] = field(default_factory=dict)
    di_min: float = default(COMMAND, "di_min")
    di_max: float = default(COMMAND, "di_max")
    alpha: float = default(COMMAND, "alpha")
    min_group_size: int = default(COMMAND, "min_group_size")
    gate_metrics: tuple[GateMetric, ...] = default(COMMAND, "gate_metric")
    fail_on_bias: bool = default(COMMAND, "fail_on_bias")
    model_name: str | None = None
    model_version: str | None = None

    def __post_init__(self) -> None:
        if self.score_column and self.prediction_column:
            raise ConfigError(SCORE_AND_PREDICTION)
        if not self.score_column and not self.prediction_column:
            raise ConfigError(NO_SCORE)
        if self.prediction_column and (self.threshold is not None or self.threshold_percentile is not None):
            raise ConfigError(PREDICTION_THRESHOLD)
        if self.threshold is not None and self.threshold_percentile is not None:
            raise ConfigError(THRESHOLD_CONFLICT)
        if self.threshold is not None and not math.isfinite(self.threshold):
            raise ConfigError(BAD_THRESHOLD.format(value=self.threshold))
        if self.score_column and self.threshold is None and self.threshold_percentile is None:
            object.__setattr__(self, "threshold_percentile", default(COMMAND, "threshold_percentile"))
        percentile = self.threshold_percentile
        if percentile is not None and not 0.0 < percentile < 100.0:
            raise ConfigError(BAD_PERCENTILE.format(value=percentile))
        if not 0.0 < self.di_min < self.di_max or not math.isfinite(self.di_max):
            raise ConfigError(BAD_BAND.format(low=self.di_min, high=self.di_max))
        if not 0.0 < self.alpha < 1.0:
            raise ConfigError(BAD_ALPHA.format(value=self.alpha))
        if self.min_group_size < 1:
            raise ConfigError(BAD_MIN_GROUP.format(value=self.min_group_size))
        if not self.protected_attributes:
            raise ConfigError(NO_ATTRIBUTES)
        if self.reference not in REFERENCE_MODES:
            raise ConfigError(UNKNOWN_REFERENCE_MODE.format(mode=self.reference, valid=", ".join(REFERENCE_MODES)))
        for term in self.intersectional:
            if len([p for p in term.split(INTERSECTION) if p.strip()]) < 2 or "" in term.split(INTERSECTION):
                raise ConfigError(BAD_INTERSECTION.format(term=term))
        for metric in self.gate_metrics:
            if metric not in GATE_METRICS:
                raise ConfigError(UNKNOWN_METRIC.format(metric=metric, valid=", ".join(GATE_METRICS)))
            if metric != "di" and not self.label_column:
                raise ConfigError(METRIC_NEEDS_LABEL.format(metric=metric))
        names = self.attribute_names
        for attribute in self.reference_groups:
            if attribute not in names:
                raise ConfigError(REFERENCE_NOT_ATTRIBUTE.format(attribute=attribute, valid=", ".join(names)))

    @property
    def attribute_names(self) -> tuple[str, ...]:
        """Protected attributes, then intersections, as they appear in results."""
        return tuple(dict.fromkeys((*self.protected_attributes, *self.intersectional)))

    def attribute_columns(self, name: str) -> tuple[str, ...]:
        """The columns forming attribute `name` (``"a*b"`` → ``("a", "b")``)."""
        return tuple(part.strip() for part in name.split(INTERSECTION)) if name in self.intersectional else (name,)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the gate reads, each once."""
        wanted = [self.score_column or self.prediction_column or ""]
        wanted += [self.label_column] if self.label_column else []
        for name in self.attribute_names:
            wanted += self.attribute_columns(name)
        return tuple(dict.fromkeys(wanted))


@dataclass(frozen=True, kw_only=True)
class GroupCounts:
    """What an engine counts per group; the confusion counts only with a label column."""

    label: str
    rows: int
    flagged: int
    tp: int | None = None
    fp: int | None = None
    fn: int | None = None
    tn: int | None = None


@dataclass(frozen=True, kw_only=True)
class Threshold:
    """How rows were flagged.

    ``exact`` is false only for the Spark engine's approximate percentile, whose selected
    score has a rank at most ``rank_error`` rows away from the nearest-rank definition.
    """

    mode: ThresholdMode
    value: float | None
    percentile: float | None
    exact: bool = True
    rank_error: int = 0


@dataclass(frozen=True, kw_only=True)
class Counts:
    """An engine's whole output: totals, the threshold used and per-attribute group counts."""

    engine: str
    rows: int
    flagged: int
    threshold: Threshold
    attributes: Mapping[str, tuple[GroupCounts, ...]]
    labelled: bool


@dataclass(frozen=True, kw_only=True)
class TestResult:
    """A two-sided test; ``p_adjusted`` is Holm-adjusted over every test of the run."""

    test: TestName
    statistic: float | None
    p_value: float
    p_adjusted: float


@dataclass(frozen=True, kw_only=True)
class Ratio:
    """A ratio to the reference with its 95 % CI; ``value is None`` comes with a ``reason``."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class LabelMetrics:
    """TPR = TP/(TP+FN), FPR = FP/(FP+TN), precision = TP/(TP+FP); ``None`` on a 0 denominator."""

    positives: int
    negatives: int
    tp: int
    fp: int
    tpr: float | None
    fpr: float | None
    precision: float | None
    tpr_ratio: Ratio
    fpr_ratio: Ratio
    precision_ratio: Ratio


@dataclass(frozen=True, kw_only=True)
class GroupResult:
    label: str
    rows: int
    flagged: int
    selection_rate: float
    sufficient: bool
    status: GroupStatus
    di: Ratio
    test: TestResult | None
    metrics: LabelMetrics | None = None


@dataclass(frozen=True, kw_only=True)
class AttributeResult:
    """One protected attribute (or intersection): its groups, omnibus test and severity.

    ``violations`` say why it is CRITICAL; ``undetermined`` what could not be measured (why it
    is UNDETERMINED); ``warnings`` list what a reader must notice (small groups, an attribute
    that could not be gated, a reference group that is never selected).
    """

    name: str
    columns: tuple[str, ...]
    reference: str
    reference_rows: int
    reference_rate: float
    groups: tuple[GroupResult, ...]
    chi2: TestResult | None
    chi2_reason: str | None
    status: Status
    di_low: float | None
    di_high: float | None
    violations: tuple[str, ...]
    warnings: tuple[str, ...]
    undetermined: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class FairnessResult:
    """The gate's result: every number, the per-attribute severities and the verdict."""

    config: FairnessConfig
    engine: str
    rows: int
    flagged: int
    threshold: Threshold
    attributes: tuple[AttributeResult, ...]
    passed: bool
    status: RunStatus
    escalated: bool
    critical_attributes: tuple[str, ...]
    undetermined_attributes: tuple[str, ...]
    worst_di: float | None

    @property
    def flag_rate(self) -> float:
        return self.flagged / self.rows


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _ratio(value: float | None, reference: float | None, what: str) -> Ratio:
    if value is None:
        return Ratio(value=None, reason=f"{what} undefined for the group (zero denominator)")
    if reference is None:
        return Ratio(value=None, reason=f"{what} undefined for the reference (zero denominator)")
    if reference == 0:
        return Ratio(value=None, reason=f"reference {what} is 0")
    return Ratio(value=value / reference)


# ---------------------------------------------------------------- analysis


def _sort_key(group: GroupCounts) -> tuple[bool, str]:
    return group.label == MISSING, group.label


def _choose_reference(name: str, groups: Sequence[GroupCounts], config: FairnessConfig) -> GroupCounts | None:
    """The reference group of an attribute, or ``None`` for the overall population."""
    explicit = config.reference_groups.get(name)
    if explicit is not None:
        for group in groups:
            if group.label == explicit:
                return group
        labels = [g.label for g in groups]
        hint = did_you_mean(explicit, labels)
        raise InputError(UNKNOWN_GROUP.format(attribute=name, group=explicit, hint=hint, groups=", ".join(labels)))
    if config.reference == "overall":
        return None
    # `groups` is sorted by label and max() keeps the first maximum: ties go to the first label.
    candidates = [g for g in groups if g.label != MISSING] or list(groups)
    if config.reference == "max-rate":
        sufficient = [g for g in candidates if g.rows >= config.min_group_size] or candidates
        return max(sufficient, key=lambda g: (g.flagged / g.rows, g.rows))
    return max(candidates, key=lambda g: g.rows)


@dataclass(frozen=True, kw_only=True)
class _Comparison:
    """A group against its reference, before Holm adjustment."""

    test: TestName
    statistic: float | None
    p_value: float


def _label_metrics(group: GroupCounts, reference: GroupCounts) -> LabelMetrics:
    tp, fp, fn, tn = group.tp or 0, group.fp or 0, group.fn or 0, group.tn or 0
    rtp, rfp, rfn, rtn = reference.tp or 0, reference.fp or 0, reference.fn or 0, reference.tn or 0
    tpr, fpr, precision = _rate(tp, tp + fn), _rate(fp, fp + tn), _rate(tp, tp + fp)
    return LabelMetrics(
        positives=tp + fn,
        negatives=fp + tn,
        tp=tp,
        fp=fp,
        tpr=tpr,
        fpr=fpr,
        precision=precision,
        tpr_ratio=_ratio(tpr, _rate(rtp, rtp + rfn), "TPR"),
        fpr_ratio=_ratio(fpr, _rate(rfp, rfp + rtn), "FPR"),
        precision_ratio=_ratio(precision, _rate(rtp, rtp + rfp), "precision"),
    )


def _di(group: GroupCounts, reference: GroupCounts) -> Ratio:
    """DI with its Katz CI against `reference` (the overall totals when the mode is overall)."""
    if reference.flagged == 0:
        return Ratio(value=None, reason="reference selection rate is 0")
    value = (group.flagged / group.rows) / (reference.flagged / reference.rows)
    interval = katz_interval(group.flagged, group.rows, reference.flagged, reference.rows)
    if interval is None:
        return Ratio(value=value, reason="no flagged rows in the group: confidence interval undefined")
    return Ratio(value=value, ci_low=interval[0], ci_high=interval[1])


def _gated_ratios(result: GroupResult, config: FairnessConfig) -> list[tuple[str, Ratio, float | None]]:
    """(metric name, ratio to the reference, the group's own value) for every gated metric."""
    ratios: list[tuple[str, Ratio, float | None]] = []
    for metric in config.gate_metrics:
        if metric == "di":
            ratios.append(("DI", result.di, result.selection_rate))
        elif result.metrics is not None:
            ratio = result.metrics.tpr_ratio if metric == "tpr" else result.metrics.fpr_ratio
            value = result.metrics.tpr if metric == "tpr" else result.metrics.fpr
            ratios.append((metric.upper() + " ratio", ratio, value))
    return ratios


def _group_status(result: GroupResult, config: FairnessConfig) -> tuple[GroupStatus, list[str]]:
    """Judge one sufficient, non-reference group on every gated metric."""
    status: GroupStatus = "ok"
    notes: list[str] = []
    for name, ratio, value in _gated_ratios(result, config):
        if ratio.value is None:
            if value:  # the group is selected, the reference never: unbounded disparity
                notes.append(f"group '{result.label}': {name} undefined ({ratio.reason}) while the group's rate is >0")
                status = "outside_band"
            elif status == "ok":
                status = "undefined"
        elif not config.di_min <= ratio.value <= config.di_max:
            notes.append(f"group '{result.label}': {name} {ratio.value:.3f}")
            status = "outside_band"
    return status, notes


def analyse(counts: Counts, config: FairnessConfig) -> FairnessResult:
    """Turn an engine's counts into the full result (DI, CIs, tests, Holm, severities, verdict).

    Raises
    ------
    InputError
        When an attribute has a single group, or ``--reference-group`` names no group.
    """
    totals = GroupCounts(
        label=OVERALL,
        rows=counts.rows,
        flagged=counts.flagged,
        **_sum_confusion(next(iter(counts.attributes.values()))) if counts.labelled else {},
    )
    drafts: list[tuple[str, GroupCounts, list[GroupResult], list[_Comparison | None]]] = []
    for name in config.attribute_names:
        groups = sorted(counts.attributes[name], key=_sort_key)
        if len(groups) < 2:
            label = groups[0].label if groups else "none"
            raise InputError(ONE_GROUP.format(attribute=name, group=f"'{label}'"))
        chosen = _choose_reference(name, groups, config)
        reference = chosen if chosen is not None else totals
        results: list[GroupResult] = []
        comparisons: list[_Comparison | None] = []
        for group in groups:
            is_reference = chosen is not None and group.label == chosen.label
            # Overall mode tests the group against the rest of the population (independent samples).
            other = reference if chosen is not None else _rest(totals, group)
            comparison = None
            if not is_reference and other.rows > 0:
                test, statistic, p = two_by_two_test(group.flagged, group.rows, other.flagged, other.rows)
                comparison = _Comparison(test=test, statistic=statistic, p_value=p)
            results.append(
                GroupResult(
                    label=group.label,
                    rows=group.rows,
                    flagged=group.flagged,
                    selection_rate=group.flagged / group.rows,
                    sufficient=group.rows >= config.min_group_size,
                    status="reference" if is_reference else "ok",
                    di=Ratio(value=1.0, reason="reference group") if is_reference else _di(group, reference),
                    test=None,
                    metrics=_label_metrics(group, reference) if counts.labelled else None,
                )
            )
            comparisons.append(comparison)
        drafts.append((name, reference, results, comparisons))

    omnibus = {name: k_by_two_test([(g.rows, g.flagged) for g in res if g.sufficient]) for name, _, res, _ in drafts}
    keys: list[tuple[str, int]] = []  # (attribute, group index); index -1 is the attribute's k×2 test
    raw: list[float] = []
    for name, _, _, comparisons in drafts:
        for index, comparison in enumerate(comparisons):
            if comparison is not None:
                keys.append((name, index))
                raw.append(comparison.p_value)
        omnibus_test = omnibus[name]
        if not isinstance(omnibus_test, str):
            keys.append((name, -1))
            raw.append(omnibus_test[2])
    adjusted = dict(zip(keys, holm(raw), strict=True))
    attributes = [
        _judge(name, reference, results, comparisons, omnibus[name], adjusted, config)
        for name, reference, results, comparisons in drafts
    ]
    critical = tuple(a.name for a in attributes if a.status == "critical")
    unmeasured = tuple(a.name for a in attributes if a.status == "undetermined")
    if not any(a.status in ("ok", "warning", "critical") for a in attributes):
        unmeasured = tuple(a.name for a in attributes)  # nothing gated at all is no measurement either
    escalated = len(critical) >= 2
    passed = not escalated and not (config.fail_on_bias and (critical or unmeasured))
    run_status: RunStatus = "escalated" if escalated else "critical" if critical else "pass"
    if run_status == "pass" and unmeasured:
        run_status = "undetermined"
    elif run_status == "pass" and any(a.status != "ok" or a.warnings for a in attributes):
        run_status = "warning"
    return FairnessResult(
        config=config,
        engine=counts.engine,
        rows=counts.rows,
        flagged=counts.flagged,
        threshold=counts.threshold,
        attributes=tuple(attributes),
        passed=passed,
        status=run_status,
        escalated=escalated,
        critical_attributes=critical,
        undetermined_attributes=unmeasured,
        worst_di=_worst_di(attributes),
    )


def _sum_confusion(groups: Sequence[GroupCounts]) -> dict[str, int]:
    return {k: sum(getattr(g, k) or 0 for g in groups) for k in ("tp", "fp", "fn", "tn")}


def _rest(totals: GroupCounts, group: GroupCounts) -> GroupCounts:
    return GroupCounts(label="(rest)", rows=totals.rows - group.rows, flagged=totals.flagged - group.flagged)


def _judge(
    name: str,
    reference: GroupCounts,
    results: list[GroupResult],
    comparisons: list[_Comparison | None],
    omnibus: tuple[float, int, float] | str,
    adjusted: Mapping[tuple[str, int], float],
    config: FairnessConfig,
) -> AttributeResult:
    """Attach adjusted p-values, judge each group, then the attribute (CRITICAL > WARNING > INFO)."""
    judged: list[GroupResult] = []
    violations: list[str] = []
    warnings: list[str] = []
    significant = False
    for i, (group, comparison) in enumerate(zip(results, comparisons, strict=True)):
        test = None
        if comparison is not None:
            test = TestResult(
                test=comparison.test,
                statistic=comparison.statistic,
                p_value=comparison.p_value,
                p_adjusted=adjusted[(name, i)],
            )
        group_status = group.status
        if group_status != "reference":
            if not group.sufficient:
                group_status = "insufficient_data"
                warnings.append(
                    f"group '{group.label}' has {group.rows} rows (< --min-group-size {config.min_group_size}): "
                    "reported, not gated"
                )
            else:
                group_status, group_violations = _group_status(group, config)
                violations += group_violations
                significant = significant or (test is not None and test.p_adjusted < config.alpha)
        judged.append(replace(group, status=group_status, test=test))

    chi2: TestResult | None = None
    reason: str | None = None
    if isinstance(omnibus, str):
        reason = omnibus
    else:
        chi2 = TestResult(test="chi2", statistic=omnibus[0], p_value=omnibus[2], p_adjusted=adjusted[(name, -1)])
        significant = significant or chi2.p_adjusted < config.alpha

    gated = [g for g in judged if g.sufficient and g.status != "reference"]
    defined = [g.di.value for g in judged if g.sufficient and g.di.value is not None]
    reference_ok = reference.label == OVERALL or reference.rows >= config.min_group_size
    if reference_ok and gated and reference.flagged == 0:
        warnings.append(_never_selected(reference))
    status: Status
    unmeasured: list[str] = []
    if not reference_ok or not gated:
        status = "skipped"
        violations = []
        warnings.append(
            f"reference group '{reference.label}' has {reference.rows} rows (< --min-group-size "
            f"{config.min_group_size}): attribute not gated"
            if not reference_ok
            else "fewer than two groups with enough rows: attribute not gated"
        )
    elif any(g.status == "outside_band" for g in gated):
        status = "critical"
    elif unmeasured := _unmeasured(reference, gated, config):
        status = "undetermined"
    elif significant:
        status = "warning"
    else:
        status = "ok"
    return AttributeResult(
        name=name,
        columns=config.attribute_columns(name),
        reference=reference.label,
        reference_rows=reference.rows,
        reference_rate=reference.flagged / reference.rows,
        groups=tuple(judged),
        chi2=chi2,
        chi2_reason=reason,
        status=status,
        di_low=min(defined) if defined else None,
        di_high=max(defined) if defined else None,
        violations=tuple(violations),
        warnings=tuple(warnings),
        undetermined=tuple(unmeasured),
    )


def _never_selected(reference: GroupCounts) -> str:
    """The plain sentence for a reference nobody in it is flagged: every DI is then undefined."""
    who = "the population" if reference.label == OVERALL else f"reference group '{reference.label}'"
    return (
        f"{who} is never selected (selection rate 0 of {reference.rows:,} rows): every DI against it is "
        "undefined; a group that is selected counts as outside the band"
    )


def _unmeasured(reference: GroupCounts, gated: Sequence[GroupResult], config: FairnessConfig) -> list[str]:
    """What could not be measured among the gated groups and their reference (empty when all was)."""
    overall = reference.label == OVERALL
    rows = reference.rows if overall else reference.rows + sum(g.rows for g in gated)
    flagged = reference.flagged if overall else reference.flagged + sum(g.flagged for g in gated)
    if flagged == 0:
        return [f"nobody is flagged ({rows:,} rows): no DI is defined"]
    if flagged == rows:
        return [f"everybody is flagged ({rows:,} rows): every DI is 1 by construction, nothing is compared"]
    return [
        f"group '{g.label}': {name} undefined ({ratio.reason})"
        for g in gated
        if g.status == "undefined"
        for name, ratio, _ in _gated_ratios(g, config)
        if ratio.value is None
    ]


def worst_di(values: Iterable[float | None]) -> float | None:
    """The DI furthest from 1 on the log scale (0.5 and 2 are equally bad; 0 is the worst).

    >>> worst_di([0.9, 1.6, None, 0.7])
    1.6
    """
    defined = [v for v in values if v is not None]
    return max(defined, key=lambda v: abs(math.log(v)) if v > 0 else math.inf) if defined else None


def _worst_di(attributes: Sequence[AttributeResult]) -> float | None:
    """The worst DI among gated groups of gated attributes."""
    return worst_di(
        g.di.value
        for a in attributes
        if a.status != "skipped"
        for g in a.groups
        if g.sufficient and g.status != "reference"
    )
