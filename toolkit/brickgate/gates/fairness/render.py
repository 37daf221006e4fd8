"""Turn a `FairnessResult` into the gate-neutral `GateOutcome`: JSON, markdown, text, HTML,
charts, results-table rows, GitHub outputs and alerts.

Every number shown anywhere comes from the result; this module only formats. Undefined
values are shown as "undefined" with their reason, never as 0 or inf.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from brickgate.alerts import Alert
from brickgate.gates.fairness.core import (
    AttributeResult,
    FairnessResult,
    GroupResult,
    Ratio,
    TestResult,
    worst_di,
)
from brickgate.gates.result import ColumnType, Finding, GateOutcome, Report, ResultRows, RunContext

if TYPE_CHECKING:
    from brickgate.report import html
    from brickgate.report.charts import BarChart

SCHEMA = "fairness-result"
MAX_CHART_BARS = 40
RESULT_COLUMNS: dict[str, ColumnType] = {
    "run_id": "string",
    "run_time": "timestamp",
    "gate": "string",
    "model_name": "string",
    "model_version": "string",
    "engine": "string",
    "threshold_mode": "string",
    "threshold": "float64",
    "threshold_percentile": "float64",
    "flag_rate": "float64",
    "attribute": "string",
    "attribute_status": "string",
    "reference": "string",
    "group": "string",
    "group_status": "string",
    "rows": "int64",
    "flagged": "int64",
    "selection_rate": "float64",
    "di": "float64",
    "di_ci_low": "float64",
    "di_ci_high": "float64",
    "di_reason": "string",
    "test": "string",
    "p_value": "float64",
    "p_adjusted": "float64",
    "tpr": "float64",
    "fpr": "float64",
    "precision": "float64",
    "tpr_ratio": "float64",
    "fpr_ratio": "float64",
    "run_status": "string",
    "passed": "bool",
}


def fmt(value: float | None, digits: int = 3) -> str:
    """A number for people; ``None`` reads "undefined".

    >>> fmt(0.72449), fmt(None), fmt(3e-07)
    ('0.724', 'undefined', '3e-07')
    """
    if value is None:
        return "undefined"
    if value != 0 and abs(value) < 10**-(digits):
        return f"{value:.{digits - 2}g}" if digits > 2 else f"{value:.1g}"
    return f"{value:.{digits}f}"


def _ratio_doc(ratio: Ratio) -> dict[str, Any]:
    return {"value": ratio.value, "ci_low": ratio.ci_low, "ci_high": ratio.ci_high, "reason": ratio.reason}


def _test_doc(test: TestResult | None) -> dict[str, Any] | None:
    if test is None:
        return None
    return {"name": test.test, "statistic": test.statistic, "p_value": test.p_value, "p_adjusted": test.p_adjusted}


def _group_doc(group: GroupResult) -> dict[str, Any]:
    metrics = None
    if group.metrics is not None:
        m = group.metrics
        metrics = {
            "positives": m.positives,
            "negatives": m.negatives,
            "tp": m.tp,
            "fp": m.fp,
            "tpr": m.tpr,
            "fpr": m.fpr,
            "precision": m.precision,
            "tpr_ratio": _ratio_doc(m.tpr_ratio),
            "fpr_ratio": _ratio_doc(m.fpr_ratio),
            "precision_ratio": _ratio_doc(m.precision_ratio),
        }
    return {
        "label": group.label,
        "rows": group.rows,
        "flagged": group.flagged,
        "selection_rate": group.selection_rate,
        "sufficient": group.sufficient,
        "status": group.status,
        "di": _ratio_doc(group.di),
        "test": _test_doc(group.test),
        "metrics": metrics,
    }


def document(result: FairnessResult, context: RunContext, headline: str) -> dict[str, Any]:
    """The ``--format json`` document, valid against ``schemas/fairness-result.json``."""
    config = result.config
    return {
        "gate": "fairness",
        "schema_version": 1,
        "run_id": context.run_id,
        "created_at": context.created_at.isoformat(),
        "passed": result.passed,
        "status": result.status,
        "escalated": result.escalated,
        "headline": headline,
        "engine": result.engine,
        "model": {"name": config.model_name, "version": config.model_version},
        "data": {"rows": result.rows, "flagged": result.flagged, "flag_rate": result.flag_rate},
        "threshold": {
            "mode": result.threshold.mode,
            "column": config.score_column or config.prediction_column,
            "value": result.threshold.value,
            "percentile": result.threshold.percentile,
            "exact": result.threshold.exact,
            "rank_error": result.threshold.rank_error,
        },
        "settings": {
            "di_min": config.di_min,
            "di_max": config.di_max,
            "alpha": config.alpha,
            "min_group_size": config.min_group_size,
            "reference": config.reference,
            "reference_groups": dict(config.reference_groups),
            "gate_metrics": list(config.gate_metrics),
            "fail_on_bias": config.fail_on_bias,
            "label_column": config.label_column,
        },
        "critical_attributes": list(result.critical_attributes),
        "undetermined_attributes": list(result.undetermined_attributes),
        "worst_di": result.worst_di,
        "attributes": [
            {
                "name": a.name,
                "columns": list(a.columns),
                "status": a.status,
                "reference": a.reference,
                "reference_rows": a.reference_rows,
                "reference_rate": a.reference_rate,
                "di_low": a.di_low,
                "di_high": a.di_high,
                "chi2": _test_doc(a.chi2),
                "chi2_reason": a.chi2_reason,
                "violations": list(a.violations),
                "warnings": list(a.warnings),
                "undetermined": list(a.undetermined),
                "groups": [_group_doc(g) for g in a.groups],
            }
            for a in result.attributes
        ],
    }


def headline(result: FairnessResult) -> str:
    """One sentence: the verdict and why (commit status description, first line of reports)."""
    band = f"{result.config.di_min:g} - {result.config.di_max:g}"
    count = len(result.attributes)
    if result.escalated:
        names = ", ".join(result.critical_attributes)
        return f"Bias detected in {len(result.critical_attributes)} attributes ({names}): escalated, gate failed"
    if result.critical_attributes:
        name = result.critical_attributes[0]
        attribute = next(a for a in result.attributes if a.name == name)
        verdict = "gate failed" if not result.passed else "not failing without --fail-on-bias"
        return f"Bias detected in {name} (DI {_range(attribute)}; required {band}): {verdict}"
    if result.status == "undetermined":
        verdict = "gate failed" if not result.passed else "not failing without --fail-on-bias"
        return f"Fairness undetermined: {undetermined_text(result)}: {verdict}"
    if result.status == "warning":
        return f"Fairness gate passed with warnings: no DI outside {band} in {count} attributes"
    return f"Fairness validation passed: all {count} attributes are fair (DI within {band})"


def undetermined_text(result: FairnessResult) -> str:
    """Exactly what could not be measured, attribute by attribute.

    An attribute skipped by design (too few rows) is named with its reason when nothing else
    was gated.
    """
    parts = []
    for attribute in result.attributes:
        if attribute.name not in result.undetermined_attributes:
            continue
        reasons = attribute.undetermined or attribute.warnings[-1:]
        parts.append(f"{attribute.name}: " + "; ".join(reasons))
    return "could not measure " + " | ".join(parts)


def _range(attribute: AttributeResult) -> str:
    if attribute.di_low is None or attribute.di_high is None:
        return "undefined"
    return f"{attribute.di_low:.2f} - {attribute.di_high:.2f}"


def _threshold_text(result: FairnessResult) -> str:
    threshold = result.threshold
    config = result.config
    if threshold.mode == "prediction":
        return f"flagged = {config.prediction_column} = 1"
    rule = f"flagged = {config.score_column} ≥ {threshold.value:.6g}"
    if threshold.mode == "percentile":
        rule += f" (the {threshold.percentile:g}th percentile, nearest rank"
        rule += ")" if threshold.exact else f", approximate: rank within ±{threshold.rank_error} rows)"
    return rule


def _facts(result: FairnessResult) -> list[str]:
    config = result.config
    model = f"{config.model_name or 'unnamed model'}" + (f" v{config.model_version}" if config.model_version else "")
    reference = config.reference + (
        " (" + ", ".join(f"{k}={v}" for k, v in config.reference_groups.items()) + ")"
        if config.reference_groups
        else ""
    )
    return [
        f"Model: {model} · engine: {result.engine} · rows: {result.rows:,}",
        f"{_threshold_text(result)} · flagged {result.flagged:,} ({100 * result.flag_rate:.2f} %)",
        f"Band: {config.di_min:g} ≤ ratio ≤ {config.di_max:g} on {', '.join(config.gate_metrics)} · "
        f"alpha {config.alpha:g} (Holm-adjusted) · min group size {config.min_group_size} · reference: {reference}",
    ]


def _di_text(group: GroupResult) -> str:
    """DI for people: ``∞`` when the reference is never selected but the group is."""
    if group.di.value is None and group.selection_rate > 0:
        return "∞"
    return fmt(group.di.value)


def _ci(ratio: Ratio) -> str:
    if ratio.ci_low is None or ratio.ci_high is None:
        return "undefined"
    return f"{ratio.ci_low:.3f} – {ratio.ci_high:.3f}"


def _group_row(group: GroupResult, labelled: bool) -> list[str]:
    test = group.test
    row = [
        group.label,
        f"{group.rows:,}",
        f"{group.flagged:,}",
        fmt(group.selection_rate, 4),
        _di_text(group),
        "—" if group.status == "reference" else _ci(group.di),
        test.test if test else "—",
        fmt(test.p_value, 4) if test else "—",
        fmt(test.p_adjusted, 4) if test else "—",
    ]
    if labelled:
        m = group.metrics
        row += [fmt(m.tpr), fmt(m.fpr), fmt(m.precision), fmt(m.tpr_ratio.value), fmt(m.fpr_ratio.value)] if m else []
    return row


def _headers(labelled: bool) -> list[str]:
    headers = ["group", "rows", "flagged", "rate", "DI", "95 % CI", "test", "p", "p (Holm)"]
    headers += ["TPR", "FPR", "precision", "TPR ratio", "FPR ratio"] if labelled else []
    return [*headers, "status"]


def _notes(attribute: AttributeResult) -> list[str]:
    notes = [f"Reference: {attribute.reference} (rate {fmt(attribute.reference_rate, 4)})"]
    if attribute.chi2 is not None:
        chi2 = attribute.chi2
        notes.append(
            f"k×2 chi-square: χ² = {fmt(chi2.statistic)}, p = {fmt(chi2.p_value, 4)}, "
            f"Holm p = {fmt(chi2.p_adjusted, 4)}"
        )
    else:
        notes.append(f"k×2 chi-square: undefined ({attribute.chi2_reason})")
    notes += [f"Outside the band: {v}" for v in attribute.violations]
    notes += [f"Not measured: {u}" for u in attribute.undetermined]
    notes += [f"Warning: {w}" for w in attribute.warnings]
    notes += [f"{g.label}: DI undefined ({g.di.reason})" for g in attribute.groups if g.di.value is None]
    return notes


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name)


def _label(group: GroupResult) -> str:
    return f"{group.label} (ref)" if group.status == "reference" else group.label


def chart(attribute: AttributeResult, result: FairnessResult) -> BarChart:
    """DI per group (the first `MAX_CHART_BARS`) with CI whiskers and the band; a DI that is
    not a number is written on the chart (``∞`` or ``undefined``), never drawn as a bar."""
    from brickgate.report.charts import BarChart

    groups = attribute.groups[:MAX_CHART_BARS]
    return BarChart(
        name=f"di-{_slug(attribute.name)}",
        title=f"DI by {attribute.name} (reference {attribute.reference})",
        labels=tuple(_label(g) for g in groups),
        values=tuple(g.di.value for g in groups),
        lower=tuple(g.di.ci_low for g in groups),
        upper=tuple(g.di.ci_high for g in groups),
        band=(result.config.di_min, result.config.di_max),
        y_label="disparate impact",
        missing=tuple(_di_text(g) for g in groups),
    )


def rate_chart(attribute: AttributeResult) -> BarChart:
    """Selection rate per group with the reference's rate as a line: it speaks even when every
    DI is undefined (a reference that is never selected)."""
    from brickgate.report.charts import BarChart

    groups = attribute.groups[:MAX_CHART_BARS]
    return BarChart(
        name=f"rate-{_slug(attribute.name)}",
        title=f"Selection rate by {attribute.name}",
        labels=tuple(_label(g) for g in groups),
        values=tuple(g.selection_rate for g in groups),
        y_label="selection rate",
        lines=((f"reference {attribute.reference}", attribute.reference_rate),),
    )


def summary_markdown(result: FairnessResult, line: str) -> str:
    from brickgate.report import markdown

    labelled = result.config.label_column is not None
    mark = markdown.status_mark(result.status)
    parts = [f"## Fairness gate: {mark}", "", f"**{line}**", ""]
    parts += [f"- {fact}" for fact in _facts(result)]
    for attribute in result.attributes:
        parts += ["", f"### {attribute.name} — {markdown.status_mark(attribute.status)}", ""]
        rows = [[*_group_row(g, labelled), markdown.status_mark(g.status)] for g in attribute.groups]
        parts.append(markdown.table(_headers(labelled), rows))
        parts.append("")
        parts += [f"- {markdown.escape_cell(note)}" for note in _notes(attribute)]
        parts += ["", markdown.mermaid_bar_chart(rate_chart(attribute))]
        parts += ["", markdown.mermaid_bar_chart(chart(attribute, result))]
    return "\n".join(parts) + "\n"


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join("  " + line.rstrip() for line in lines)


def text_report(result: FairnessResult, line: str) -> str:
    labelled = result.config.label_column is not None
    parts = [f"fairness gate: {result.status.upper()} — {line}", *(f"  {fact}" for fact in _facts(result))]
    for attribute in result.attributes:
        parts += ["", f"{attribute.name}: {attribute.status.upper()}"]
        rows = [[*_group_row(g, labelled), g.status] for g in attribute.groups]
        parts.append(_text_table(_headers(labelled), rows))
        parts += [f"  {note}" for note in _notes(attribute)]
    return "\n".join(parts) + "\n"


def findings(result: FairnessResult) -> tuple[Finding, ...]:
    found: list[Finding] = []
    band = f"{result.config.di_min:g} - {result.config.di_max:g}"
    for attribute in result.attributes:
        if attribute.status == "critical":
            found.append(
                Finding(
                    severity="critical",
                    subject=attribute.name,
                    message=f"Bias detected in {attribute.name}: DI ratios {_range(attribute)}, required {band}; "
                    + "; ".join(attribute.violations),
                )
            )
        elif attribute.status == "warning":
            found.append(
                Finding(
                    severity="warning",
                    subject=attribute.name,
                    message=f"{attribute.name}: selection rates differ significantly (Holm-adjusted p < "
                    f"{result.config.alpha:g}) although DI is within {band}",
                )
            )
        elif attribute.status == "undetermined":
            found.append(
                Finding(
                    severity="critical" if result.config.fail_on_bias else "warning",
                    subject=attribute.name,
                    message=f"{attribute.name}: not measured; " + "; ".join(attribute.undetermined),
                )
            )
        found += [Finding(severity="warning", subject=attribute.name, message=w) for w in attribute.warnings]
        if attribute.status == "ok" and not attribute.warnings:
            found.append(Finding(severity="info", subject=attribute.name, message=f"{attribute.name}: fair"))
    return tuple(found)


def result_rows(result: FairnessResult, context: RunContext) -> ResultRows:
    """One row per attribute and group of this run, for the monitoring table."""
    config = result.config
    rows = []
    for attribute in result.attributes:
        for group in attribute.groups:
            m = group.metrics
            rows.append(
                {
                    "run_id": context.run_id,
                    "run_time": context.created_at,
                    "gate": "fairness",
                    "model_name": config.model_name,
                    "model_version": config.model_version,
                    "engine": result.engine,
                    "threshold_mode": result.threshold.mode,
                    "threshold": result.threshold.value,
                    "threshold_percentile": result.threshold.percentile,
                    "flag_rate": result.flag_rate,
                    "attribute": attribute.name,
                    "attribute_status": attribute.status,
                    "reference": attribute.reference,
                    "group": group.label,
                    "group_status": group.status,
                    "rows": group.rows,
                    "flagged": group.flagged,
                    "selection_rate": group.selection_rate,
                    "di": group.di.value,
                    "di_ci_low": group.di.ci_low,
                    "di_ci_high": group.di.ci_high,
                    "di_reason": group.di.reason,
                    "test": group.test.test if group.test else None,
                    "p_value": group.test.p_value if group.test else None,
                    "p_adjusted": group.test.p_adjusted if group.test else None,
                    "tpr": m.tpr if m else None,
                    "fpr": m.fpr if m else None,
                    "precision": m.precision if m else None,
                    "tpr_ratio": m.tpr_ratio.value if m else None,
                    "fpr_ratio": m.fpr_ratio.value if m else None,
                    "run_status": result.status,
                    "passed": result.passed,
                }
            )
    return ResultRows(columns=RESULT_COLUMNS, rows=tuple(rows))


def alerts(result: FairnessResult, context: RunContext) -> tuple[Alert, ...]:
    """A trigger per CRITICAL attribute (critical when escalated, else warning) and per
    UNDETERMINED one (critical under --fail-on-bias: an incident stays open while nothing is
    measured), a resolve for every other attribute (so PagerDuty closes an incident once fair
    again), and the "passed" notice when the run passed without CRITICAL or UNDETERMINED."""
    config = result.config
    model = config.model_name or "unnamed"
    band = f"{config.di_min:g} - {config.di_max:g}"
    report_url = context.report_url
    details = {
        "model": config.model_name,
        "version": config.model_version,
        "run_id": context.run_id,
        "status": result.status,
    }
    sent: list[Alert] = []
    for attribute in result.attributes:
        key = f"brickgate/fairness/{model}/{attribute.name}"
        if attribute.status == "critical":
            sent.append(
                Alert(
                    gate="fairness",
                    severity="critical" if result.escalated else "warning",
                    title=f"Bias detected in {attribute.name}",
                    lines=(
                        f"DI ratios: {_range(attribute)}",
                        f"Required range: {band}",
                        "Action: Review model before deployment",
                    ),
                    dedup_key=key,
                    details={
                        **details,
                        "attribute": attribute.name,
                        "worst_di": worst_di(g.di.value for g in attribute.groups if g.status == "outside_band"),
                    },
                    report_url=report_url,
                )
            )
        elif attribute.status == "undetermined":
            sent.append(
                Alert(
                    gate="fairness",
                    severity="critical" if config.fail_on_bias else "warning",
                    title=f"Fairness of {attribute.name} could not be measured",
                    lines=(*attribute.undetermined, "Action: check the threshold and the data before deployment"),
                    dedup_key=key,
                    details={**details, "attribute": attribute.name},
                    report_url=report_url,
                )
            )
        else:
            sent.append(
                Alert(
                    gate="fairness",
                    severity="info",
                    title=f"{attribute.name} is within the fairness band",
                    lines=(f"DI ratios: {_range(attribute)}", f"Required range: {band}"),
                    dedup_key=key,
                    resolve=True,
                    details={**details, "attribute": attribute.name},
                    report_url=report_url,
                )
            )
    if result.status in ("pass", "warning"):
        count = len(result.attributes)
        sent.append(
            Alert(
                gate="fairness",
                severity="info",
                title="Fairness validation passed",
                lines=(f"All {count} attributes are fair", "Ready for deployment"),
                dedup_key=f"brickgate/fairness/{model}",
                details=details,
                report_url=report_url,
            )
        )
    return tuple(sent)


def sections(result: FairnessResult) -> tuple[html.Section, ...]:
    from brickgate.report import html

    labelled = result.config.label_column is not None
    found = [html.Section(heading="Run", paragraphs=tuple(_facts(result)))]
    for attribute in result.attributes:
        rows = tuple(tuple([*_group_row(g, labelled), g.status]) for g in attribute.groups)
        headers = tuple(_headers(labelled))
        numeric = tuple(h not in ("group", "test", "status", "95 % CI") for h in headers)
        found.append(
            html.Section(
                heading=attribute.name,
                status=attribute.status,
                paragraphs=tuple(_notes(attribute)),
                tables=(html.Table(headers=headers, rows=rows, numeric=numeric),),
            )
        )
    return tuple(found)


def outcome(result: FairnessResult, context: RunContext) -> GateOutcome:
    """Everything publishing needs, from one result."""
    line = headline(result)
    return GateOutcome(
        gate="fairness",
        passed=result.passed,
        status=result.status,
        headline=line,
        findings=findings(result),
        outputs={
            "passed": result.passed,
            "status": result.status,
            "worst-di": "" if result.worst_di is None else f"{result.worst_di:.4f}",
            "critical-attributes": list(result.critical_attributes),
        },
        text=text_report(result, line),
        document=document(result, context, line),
        schema=SCHEMA,
        results=result_rows(result, context),
        alerts=alerts(result, context),
        render_report=lambda: Report(
            summary_markdown=summary_markdown(result, line),
            charts=tuple(c for a in result.attributes for c in (rate_chart(a), chart(a, result))),
            sections=sections(result),
        ),
        result=result,
    )
