"""Turn a `PsiResult` into the gate-neutral `GateOutcome`: JSON, markdown, text, HTML, charts,
results-table rows, GitHub outputs and alerts.

Every number shown comes from the result; this module only formats. A skipped feature shows
its reason, never a PSI of 0; a run where no feature could be compared is ``undetermined``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from brickgate import __version__
from brickgate.alerts import Alert
from brickgate.gates.psi.core import BinShare, FeatureResult, PsiResult
from brickgate.gates.result import ColumnType, Finding, GateOutcome, Report, ResultRows, RunContext, Severity, Status

if TYPE_CHECKING:
    from brickgate.report import html
    from brickgate.report.charts import BarChart

SCHEMA = "psi-result"
HISTOGRAMS = 3
"""Reference-vs-current histograms drawn for this many worst features."""
MAX_CHART_BARS = 60
SEVERITY: dict[Status, Severity] = {
    "ok": "info",
    "warning": "warning",
    "critical": "critical",
    "skipped": "warning",
    "undetermined": "warning",
}
FEATURE_STATUSES: tuple[Status, ...] = ("ok", "warning", "critical", "skipped")
RESULT_COLUMNS: dict[str, ColumnType] = {
    "run_id": "string",
    "run_time": "timestamp",
    "gate": "string",
    "engine": "string",
    "current_source": "string",
    "baseline": "string",
    "feature": "string",
    "kind": "string",
    "status": "string",
    "psi": "float64",
    "chi2_critical_psi": "float64",
    "reference_null_rate": "float64",
    "current_null_rate": "float64",
    "top_bin": "string",
    "reason": "string",
    "reference_rows": "int64",
    "current_rows": "int64",
    "warn": "float64",
    "fail": "float64",
    "epsilon": "float64",
    "run_status": "string",
    "passed": "bool",
}


def fmt(value: float | None, digits: int = 4) -> str:
    """A PSI or share for people; ``None`` reads "—".

    >>> fmt(0.123456), fmt(None), fmt(2.5e-07)
    ('0.1235', '—', '2.5e-07')
    """
    if value is None:
        return "—"
    if value != 0 and abs(value) < 10**-digits:
        return f"{value:.2g}"
    return f"{value:.{digits}f}"


def _share(share: BinShare) -> dict[str, Any]:
    return {
        "bin": share.label,
        "reference": share.reference,
        "current": share.current,
        "contribution": share.contribution,
    }


def _feature_document(feature: FeatureResult) -> dict[str, Any]:
    return {
        "name": feature.name,
        "kind": feature.kind,
        "status": feature.status,
        "psi": feature.psi,
        "reason": feature.reason,
        "reference_null_rate": feature.reference_null_rate,
        "current_null_rate": feature.current_null_rate,
        "chi2_critical_psi": feature.chi2_critical_psi,
        "top_bins": [_share(s) for s in feature.top_bins],
        "bins": [_share(s) for s in feature.bins],
    }


def document(result: PsiResult, context: RunContext, line: str, identity: str) -> dict[str, Any]:
    """The ``--format json`` document, valid against ``schemas/psi-result.json``."""
    options = result.options
    return {
        "gate": "psi",
        "schema_version": 1,
        "brickgate_version": __version__,
        "run_id": context.run_id,
        "created_at": context.created_at.isoformat(),
        "headline": line,
        "status": result.status,
        "passed": result.passed,
        "engine": result.engine,
        "current_source": context.source,
        "baseline": context.baseline or "",
        "thresholds": {"warn": options.warn, "fail": options.fail},
        "epsilon": options.epsilon,
        "fail_on_drift": options.fail_on_drift,
        "reference_rows": result.reference_rows,
        "current_rows": result.current_rows,
        "score_column": result.score_column,
        "identity": identity,
        "counts": {status: result.count(status) for status in FEATURE_STATUSES},
        "features": [_feature_document(f) for f in result.features],
    }


def _names(result: PsiResult, status: str) -> list[str]:
    return [f.name for f in result.features if f.status == status]


def headline(result: PsiResult) -> str:
    """One sentence: the verdict and why (commit status description, first line of reports)."""
    options, total = result.options, len(result.features)
    critical = _names(result, "critical")
    if critical:
        shown = ", ".join(critical[:5]) + (", …" if len(critical) > 5 else "")
        verdict = "gate failed" if not result.passed else "not failing without --fail-on-drift"
        return f"Drift detected in {len(critical)} of {total} features ({shown}; PSI ≥ {options.fail:g}): {verdict}"
    warned = _names(result, "warning")
    if warned:
        return f"PSI gate passed with warnings: {len(warned)} of {total} features have PSI ≥ {options.warn:g}"
    if result.status == "undetermined":
        verdict = "gate failed" if not result.passed else "not failing without --fail-on-drift"
        reasons = sorted({f.reason or "" for f in result.features})
        return f"Drift undetermined: no PSI measured for any of {total} features ({'; '.join(reasons)}): {verdict}"
    skipped = result.count("skipped")
    tail = f" ({skipped} skipped)" if skipped else ""
    return f"No drift: all {total - skipped} compared features have PSI < {options.warn:g}{tail}"


def _facts(result: PsiResult, context: RunContext) -> list[str]:
    options = result.options
    return [
        f"Current: {context.source} ({result.current_rows:,} rows) · baseline: {context.baseline} "
        f"({result.reference_rows:,} rows) · engine: {result.engine}",
        f"Thresholds: WARNING from PSI {options.warn:g}, CRITICAL from {options.fail:g} · ε = {options.epsilon:g} "
        f"for empty bins · fail on drift: {'yes' if options.fail_on_drift else 'no'}",
        "χ² 95 %: the PSI that sampling noise alone exceeds 5 % of the time at these sample sizes",
    ]


def _top(feature: FeatureResult) -> str:
    if feature.status == "skipped":
        return feature.reason or ""
    return "; ".join(f"{s.label}: {fmt(s.reference, 3)} → {fmt(s.current, 3)}" for s in feature.top_bins)


HEADERS = ("feature", "kind", "PSI", "χ² 95 %", "null ref → cur", "top bins (ref → cur share)", "status")


def _row(feature: FeatureResult) -> list[str]:
    nulls = f"{fmt(feature.reference_null_rate, 3)} → {fmt(feature.current_null_rate, 3)}"
    return [feature.name, feature.kind, fmt(feature.psi), fmt(feature.chi2_critical_psi), nulls, _top(feature)]


def chart(result: PsiResult) -> BarChart:
    """PSI per feature (skipped ones undefined) against the warn and fail thresholds."""
    from brickgate.report.charts import BarChart

    features = result.features[:MAX_CHART_BARS]
    return BarChart(
        name="psi",
        title="PSI per feature",
        labels=tuple(f.name for f in features),
        values=tuple(f.psi for f in features),
        y_label="PSI",
        lines=(("warn", result.options.warn), ("fail", result.options.fail)),
    )


def histograms(result: PsiResult) -> tuple[BarChart, ...]:
    """Reference and current share per bin of the `HISTOGRAMS` worst features, side by side."""
    from brickgate.report.charts import BarChart

    ranked = sorted((f for f in result.features if f.psi is not None), key=lambda f: f.psi or 0.0, reverse=True)
    charts = []
    for feature in ranked[:HISTOGRAMS]:
        bins = feature.bins[:MAX_CHART_BARS]
        slug = "".join(ch if ch.isalnum() else "-" for ch in feature.name)
        charts.append(
            BarChart(
                name=f"bins-{slug}",
                title=f"{feature.name}: share per bin, reference vs current (PSI {fmt(feature.psi)})",
                labels=tuple(share.label for share in bins),
                values=tuple(share.reference for share in bins),
                second=tuple(share.current for share in bins),
                series=("reference", "current"),
                y_label="share of rows",
            )
        )
    return tuple(charts)


def summary_markdown(result: PsiResult, context: RunContext, line: str) -> str:
    from brickgate.report import markdown

    parts = [f"## PSI drift gate: {markdown.status_mark(result.status)}", "", f"**{line}**", ""]
    parts += [f"- {markdown.escape_cell(fact)}" for fact in _facts(result, context)]
    rows = [[*_row(f), markdown.status_mark(f.status)] for f in result.features]
    parts += ["", markdown.table(HEADERS, rows, align="llrrlll"), "", markdown.mermaid_bar_chart(chart(result))]
    return "\n".join(parts) + "\n"


def _text_table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEADERS)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join("  " + line.rstrip() for line in lines)


def text_report(result: PsiResult, context: RunContext, line: str) -> str:
    parts = [f"psi gate: {result.status.upper()} — {line}", *(f"  {fact}" for fact in _facts(result, context)), ""]
    parts.append(_text_table([[*_row(f), f.status.upper()] for f in result.features]))
    return "\n".join(parts) + "\n"


def findings(result: PsiResult) -> tuple[Finding, ...]:
    """critical → error annotation, warning and skipped → warning annotation, ok → info; a run
    that measured nothing is an error annotation under --fail-on-drift."""
    found = []
    if result.status == "undetermined":
        found.append(
            Finding(
                severity="critical" if result.options.fail_on_drift else "warning",
                subject="drift",
                message=headline(result),
            )
        )
    for feature in result.features:
        if feature.status == "skipped":
            found.append(
                Finding(severity="warning", subject=feature.name, message=f"{feature.name}: skipped, {feature.reason}")
            )
            continue
        noise = fmt(feature.chi2_critical_psi)
        detail = f"{feature.name}: PSI {fmt(feature.psi)} (χ² 95 % noise level {noise}); {_top(feature)}"
        found.append(Finding(severity=SEVERITY[feature.status], subject=feature.name, message=detail))
    return tuple(found)


def result_rows(result: PsiResult, context: RunContext) -> ResultRows:
    """One row per feature of this run, for the monitoring table."""
    options = result.options
    rows = [
        {
            "run_id": context.run_id,
            "run_time": context.created_at,
            "gate": "psi",
            "engine": result.engine,
            "current_source": context.source,
            "baseline": context.baseline or "",
            "feature": feature.name,
            "kind": feature.kind,
            "status": feature.status,
            "psi": feature.psi,
            "chi2_critical_psi": feature.chi2_critical_psi,
            "reference_null_rate": feature.reference_null_rate,
            "current_null_rate": feature.current_null_rate,
            "top_bin": feature.top_bins[0].label if feature.top_bins else None,
            "reason": feature.reason,
            "reference_rows": result.reference_rows,
            "current_rows": result.current_rows,
            "warn": options.warn,
            "fail": options.fail,
            "epsilon": options.epsilon,
            "run_status": result.status,
            "passed": result.passed,
        }
        for feature in result.features
    ]
    return ResultRows(columns=RESULT_COLUMNS, rows=tuple(rows))


def alerts(result: PsiResult, context: RunContext, identity: str) -> tuple[Alert, ...]:
    """A trigger per CRITICAL feature (critical when the gate fails, else warning), a resolve for
    every compared feature below fail (so PagerDuty closes an incident once stable again), and
    a "no drift" notice when nothing is CRITICAL."""
    details = {"run_id": context.run_id, "status": result.status, "current": context.source}
    limits = f"warn {result.options.warn:g}, fail {result.options.fail:g}"
    sent: list[Alert] = []
    for feature in result.features:
        key = f"brickgate/psi/{identity}/{feature.name}"
        if feature.status == "skipped":
            continue
        lines = (f"PSI {fmt(feature.psi)} ({limits})", f"Top bins: {_top(feature)}")
        if feature.status == "critical":
            sent.append(
                Alert(
                    gate="psi",
                    severity="warning" if result.passed else "critical",
                    title=f"Drift detected in {feature.name}",
                    lines=(*lines, "Action: check the input data or retrain before deployment"),
                    dedup_key=key,
                    details={**details, "feature": feature.name, "psi": feature.psi},
                    report_url=context.report_url,
                )
            )
        else:
            sent.append(
                Alert(
                    gate="psi",
                    severity="info",
                    title=f"{feature.name} is stable",
                    lines=lines,
                    dedup_key=key,
                    resolve=True,
                    details={**details, "feature": feature.name, "psi": feature.psi},
                    report_url=context.report_url,
                )
            )
    if result.status in ("pass", "warning"):
        sent.append(
            Alert(
                gate="psi",
                severity="info",
                title="PSI drift gate passed",
                lines=(headline(result),),
                dedup_key=f"brickgate/psi/{identity}",
                details=details,
                report_url=context.report_url,
            )
        )
    return tuple(sent)


def sections(result: PsiResult, context: RunContext) -> tuple[html.Section, ...]:
    from brickgate.report import html

    numeric = (False, False, True, True, False, False, False)
    overview = html.Table(
        headers=HEADERS, rows=tuple(tuple([*_row(f), f.status]) for f in result.features), numeric=numeric
    )
    found = [html.Section(heading="Run", paragraphs=tuple(_facts(result, context)), tables=(overview,))]
    for feature in result.features:
        if feature.status == "skipped":
            found.append(html.Section(heading=feature.name, status="skipped", paragraphs=(feature.reason or "",)))
            continue
        rows = tuple((s.label, fmt(s.reference), fmt(s.current), fmt(s.contribution)) for s in feature.bins)
        table = html.Table(
            headers=("bin", "reference share", "current share", "PSI term"),
            rows=rows,
            numeric=(False, True, True, True),
        )
        paragraph = f"PSI {fmt(feature.psi)} · χ² 95 % noise level {fmt(feature.chi2_critical_psi)}"
        found.append(
            html.Section(heading=feature.name, status=feature.status, paragraphs=(paragraph,), tables=(table,))
        )
    return tuple(found)


def outcome(result: PsiResult, context: RunContext, *, identity: str) -> GateOutcome:
    """Everything publishing needs, from one result; `identity` (the model name, else the
    profile's stored identity) keys the alerts ``brickgate/psi/<identity>/<feature>``."""
    line = headline(result)
    compared = [f for f in result.features if f.psi is not None]
    worst = max(compared, key=lambda f: f.psi or 0.0, default=None)
    return GateOutcome(
        gate="psi",
        passed=result.passed,
        status=result.status,
        headline=line,
        findings=findings(result),
        outputs={
            "passed": result.passed,
            "status": result.status,
            "max-psi": "" if worst is None else f"{worst.psi:.4f}",
            "worst-feature": "" if worst is None else worst.name,
            "critical-features": _names(result, "critical"),
            "warning-features": _names(result, "warning"),
            "skipped-features": _names(result, "skipped"),
        },
        text=text_report(result, context, line),
        document=document(result, context, line, identity),
        schema=SCHEMA,
        results=result_rows(result, context),
        alerts=alerts(result, context, identity),
        result=result,
        render_report=lambda: Report(
            summary_markdown=summary_markdown(result, context, line),
            charts=(chart(result), *histograms(result)),
            sections=sections(result, context),
        ),
    )
