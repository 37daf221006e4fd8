"""What every gate hands to publishing: the verdict and every rendered piece, gate-neutral.

A gate (fairness, PSI) computes its own typed result, then turns it into a `GateOutcome`:
the verdict, findings (each becomes a GitHub annotation), `$GITHUB_OUTPUT` values, the
markdown summary, the JSON document and its schema name, results-table rows, alerts, charts
and HTML sections. `brickgate.gates.publish.publish` writes all of it without knowing which
gate produced it, and `brickgate.cli` turns ``passed`` into the exit code (0 or 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from brickgate.report.charts import BarChart
from brickgate.report.html import Section

if TYPE_CHECKING:
    from brickgate.alerts import Alert

GateName = Literal["fairness", "psi"]
Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
ColumnType = Literal["string", "int64", "float64", "bool", "timestamp"]


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One thing a reader must notice: ``critical`` → GitHub error annotation, ``warning`` →
    warning annotation, ``info`` → printed only.

    ``subject`` names what it is about (an attribute, a feature, a group).
    """

    severity: Severity
    subject: str
    message: str


@dataclass(frozen=True, kw_only=True)
class ResultRows:
    """Rows for the monitoring results table and their column types.

    The types are explicit so that a column that happens to be all null in one run (e.g. an
    undefined DI) keeps the table's schema, and appends from later runs never conflict.
    """

    columns: Mapping[str, ColumnType]
    rows: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, kw_only=True)
class GateOutcome:
    """A gate's verdict with everything the publish step writes.

    Attributes
    ----------
    gate:
        ``"fairness"`` or ``"psi"``: names the report files (``<gate>-result.json`` …) and the
        commit status context ``brickgate/<gate>``.
    passed:
        The verdict; the CLI exits 0 when true and 1 when false.
    status:
        One word for people and ``$GITHUB_OUTPUT`` (e.g. ``pass``, ``warning``, ``critical``).
    headline:
        One sentence: the commit status description and the first line of every report.
    findings:
        Each CRITICAL/WARNING finding becomes an annotation in github format.
    outputs:
        ``$GITHUB_OUTPUT`` values (publish adds ``report-path`` when a report is written).
    summary_markdown:
        The job summary and ``<gate>-summary.md``.
    text:
        The plain-text report printed in text format.
    document, schema:
        The ``--format json`` document and the name of its schema in ``brickgate/schemas``.
    results:
        Rows appended to ``--results-table``.
    alerts:
        What to send through ``brickgate.alerts.send_alerts`` when channels are configured.
    charts:
        Drawn as PNG files (``plots`` extra) and embedded into the HTML report.
    sections:
        The body of the HTML report.
    """

    gate: GateName
    passed: bool
    status: str
    headline: str
    findings: tuple[Finding, ...] = ()
    outputs: Mapping[str, object] = field(default_factory=dict)
    summary_markdown: str = ""
    text: str = ""
    document: Mapping[str, Any] = field(default_factory=dict)
    schema: str = ""
    results: ResultRows | None = None
    alerts: tuple[Alert, ...] = ()
    charts: tuple[BarChart, ...] = ()
    sections: tuple[Section, ...] = ()
