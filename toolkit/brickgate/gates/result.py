"""What every gate hands to publishing: the verdict and every rendered piece, gate-neutral.

Both gates speak one status vocabulary (`Status` per attribute or feature, `RunStatus` per
run) and describe where a run's numbers came from with one `RunContext`. A gate (fairness,
PSI) computes its own typed result, then turns it into a `GateOutcome`:
the verdict, findings (each becomes a GitHub annotation), `$GITHUB_OUTPUT` values, the
markdown summary, the JSON document and its schema name, results-table rows, alerts, charts
and HTML sections. `brickgate.gates.publish.publish` writes all of it without knowing which
gate produced it, and `brickgate.cli` turns ``passed`` into the exit code (0 or 1).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from brickgate.alerts import Alert
    from brickgate.report.charts import BarChart
    from brickgate.report.html import Section

GateName = Literal["fairness", "psi"]
Status = Literal["ok", "warning", "critical", "skipped", "undetermined"]
"""One attribute (fairness) or feature (PSI).

``ok`` measured and fine; ``warning`` measured, worth a look; ``critical`` measured and outside
the limits; ``skipped`` not gated by design (too few rows, a column without values), with a
reason; ``undetermined`` gated but not measurable (an undefined DI, nobody or everybody flagged),
with a reason: it fails the gate under ``--fail-on-bias`` / ``--fail-on-drift``."""
RunStatus = Literal["pass", "warning", "critical", "escalated", "undetermined"]
"""A whole run: the worst of its items, ``undetermined`` also when no item could be measured."""
STATUSES: tuple[str, ...] = get_args(Status)
RUN_STATUSES: tuple[str, ...] = get_args(RunStatus)
Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
ColumnType = Literal["string", "int64", "float64", "bool", "timestamp"]


def new_run_id(env: Mapping[str, str] | None = None) -> str:
    """``<GITHUB_RUN_ID>-<attempt>`` in GitHub Actions (one id per attempt), else a random hex id.

    >>> new_run_id({"GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "2"})
    '42-2'
    """
    import uuid

    variables = os.environ if env is None else env
    github_run = variables.get("GITHUB_RUN_ID", "")
    return f"{github_run}-{variables.get('GITHUB_RUN_ATTEMPT', '1')}" if github_run else uuid.uuid4().hex


@dataclass(frozen=True, kw_only=True)
class RunContext:
    """Where a run's numbers came from: shown in reports and stored with every result row.

    ``source`` names the data (a SOURCE string, or e.g. ``"pandas DataFrame"``), ``baseline``
    the PSI profile or reference. `RunContext.create` fills the run id and time.
    """

    run_id: str
    created_at: datetime
    source: str
    baseline: str | None = None
    report_url: str | None = None

    @classmethod
    def create(cls, source: str, *, baseline: str | None = None, env: Mapping[str, str] | None = None) -> RunContext:
        """A context for a run starting now: the GitHub run id and the workflow run URL in Actions."""
        from brickgate.github import workflow_run_url

        return cls(
            run_id=new_run_id(env),
            created_at=datetime.now(timezone.utc),
            source=source,
            baseline=baseline,
            report_url=workflow_run_url(env),
        )


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
class Report:
    """The report pieces: the markdown summary, the charts and the HTML body.

    A gate renders them only when publishing asks (``--report-dir``, the GitHub job summary),
    so a run without a report never imports the report modules.
    """

    summary_markdown: str
    charts: tuple[BarChart, ...] = ()
    sections: tuple[Section, ...] = ()


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
    text:
        The plain-text report printed in text format.
    document, schema:
        The ``--format json`` document and the name of its schema in ``brickgate/schemas``.
    results:
        Rows appended to ``--results-table``.
    alerts:
        What to send through ``brickgate.alerts.send_alerts`` when channels are configured.
    render_report:
        Builds the `Report` (``report``, rendered once, on first use): the job summary and
        ``<gate>-summary.md``, the charts (PNG files with the ``plots`` extra, embedded into the
        HTML report) and the HTML body.
    result:
        The gate's typed result (`FairnessResult`, `PsiResult`) for Python callers.
    """

    gate: GateName
    passed: bool
    status: RunStatus
    headline: str
    findings: tuple[Finding, ...] = ()
    outputs: Mapping[str, object] = field(default_factory=dict)
    text: str = ""
    document: Mapping[str, Any] = field(default_factory=dict)
    schema: str = ""
    results: ResultRows | None = None
    alerts: tuple[Alert, ...] = ()
    render_report: Callable[[], Report] = field(default=lambda: Report(summary_markdown=""), repr=False)
    result: Any = None

    @cached_property
    def report(self) -> Report:
        """The rendered `Report`, built on first use."""
        return self.render_report()

    def to_json(self) -> str:
        """The ``--format json`` document, validated against its schema."""
        from brickgate.output import to_json

        return to_json(self.document, self.schema)
