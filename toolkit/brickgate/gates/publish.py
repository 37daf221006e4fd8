"""Publish a gate's outcome: report files, results table, console output, GitHub, alerts.

Order matters and is fixed: first what must never be lost (``--report-dir`` files, then the
results-table rows, appended), then what people read (stdout, annotations, ``$GITHUB_OUTPUT``,
the job summary), then what talks to services (commit status, alerts). A PNG that cannot be
drawn, a status that cannot be posted or an alert channel that is down becomes a warning on
stderr; none of them changes the verdict or loses a saved result.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from brickgate import __version__
from brickgate.errors import InfraError
from brickgate.gates.result import GateOutcome, ResultRows
from brickgate.output import OutputFormat, to_json, warn
from brickgate.redaction import RedactingStream, Redactor, redact

if TYPE_CHECKING:
    import pandas as pd

    from brickgate.alerts import Delivery
    from brickgate.github import StatusResult
    from brickgate.tables import TableWrite

NO_MATPLOTLIB = "PNG chart not written: matplotlib is not installed (pip install 'brickgate[plots]')"
PNG_FAILED = "PNG chart {name} not written: {reason}"
ALERT_FAILED = "alert via {channel} not delivered after {attempts} attempt(s): {detail}"


@dataclass(frozen=True, kw_only=True)
class PublishOptions:
    """Where a gate's outcome goes; every field maps to a CLI flag shared by the gates.

    ``env`` defaults to the process environment (GitHub files, tokens, alert endpoints);
    ``output_format=None`` prints nothing (the Python API's default).
    """

    output_format: OutputFormat | None = "text"
    report_dir: Path | None = None
    results_table: str | None = None
    alert_channels: tuple[str, ...] = ()
    github_status: bool = False
    env: Mapping[str, str] | None = None
    alert_retries: int = 3
    alert_backoff_seconds: float = 0.5


@dataclass(frozen=True, kw_only=True)
class PublishReport:
    """What publishing did; ``warnings`` were already printed to stderr."""

    files: tuple[Path, ...] = ()
    table: TableWrite | None = None
    status: StatusResult | None = None
    deliveries: tuple[Delivery, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def options_from(values: Mapping[str, Any], output_format: OutputFormat) -> PublishOptions:
    """`PublishOptions` from a gate command's resolved options.

    Every gate command declares the same publishing flags — ``--report-dir``,
    ``--results-table``, ``--alert`` (repeatable, each may be a comma list) and ``--github-status``
    (`brickgate.cli.gate_options.publishing_options`) — so they map here once.

    >>> values = {"report_dir": "out", "results_table": "", "alert": ("slack,email",), "github_status": None}
    >>> options_from(values, "json")
    PublishOptions(output_format='json', report_dir=PosixPath('out'), results_table=None, \
alert_channels=('slack', 'email'), github_status=False, env=None, alert_retries=3, alert_backoff_seconds=0.5)
    """
    return PublishOptions(
        output_format=output_format,
        report_dir=Path(values["report_dir"]) if values.get("report_dir") else None,
        results_table=values.get("results_table") or None,
        alert_channels=tuple(
            part.strip() for item in values.get("alert") or () for part in item.split(",") if part.strip()
        ),
        github_status=bool(values.get("github_status")),
    )


def check_options(options: PublishOptions) -> None:
    """Fail early (before any computation) on unknown alert channels or missing alert settings.

    Raises
    ------
    ConfigError
        From `brickgate.alerts.check_channels`, naming the channel or the variables missing.
    """
    if options.alert_channels:
        from brickgate.alerts import check_channels

        check_channels(options.alert_channels, _env(options))


def _env(options: PublishOptions) -> Mapping[str, str]:
    return os.environ if options.env is None else options.env


def results_frame(results: ResultRows) -> pd.DataFrame:
    """The rows as a DataFrame with the declared column types (nullable, so nulls keep their type)."""
    import pandas as pd

    dtypes: dict[str, Any] = {"string": "string", "int64": "Int64", "float64": "Float64", "bool": "boolean"}
    frame = pd.DataFrame(list(results.rows), columns=list(results.columns))
    timestamps = [name for name, kind in results.columns.items() if kind == "timestamp"]
    for name in timestamps:
        frame[name] = pd.to_datetime(frame[name], utc=True)
    frame = frame.astype({name: dtypes[kind] for name, kind in results.columns.items() if kind != "timestamp"})
    return frame.astype({name: "datetime64[us, UTC]" for name in timestamps})


def _write_report_dir(outcome: GateOutcome, folder: Path, warnings: list[str], clean: Redactor) -> list[Path]:
    from brickgate.report import html
    from brickgate.report.charts import render_png

    report = outcome.report
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    result_path = folder / f"{outcome.gate}-result.json"
    result_path.write_text(clean(to_json(outcome.document, outcome.schema)) + "\n", encoding="utf-8")
    summary_path = folder / f"{outcome.gate}-summary.md"
    summary_path.write_text(clean(report.summary_markdown), encoding="utf-8")
    written += [result_path, summary_path]
    images: list[bytes] = []
    for chart in report.charts:
        try:
            png = render_png(chart)
        except (ValueError, RuntimeError, OSError) as exc:
            warnings.append(PNG_FAILED.format(name=chart.name, reason=str(exc).splitlines()[0] if str(exc) else exc))
            continue
        if png is None:
            warnings.append(NO_MATPLOTLIB)
            break
        png_path = folder / f"{outcome.gate}-{chart.name}.png"
        png_path.write_bytes(png)
        written.append(png_path)
        images.append(png)
    sections = list(report.sections)
    if images:
        sections.append(html.Section(heading="Charts", images=tuple(images)))
    footer = f"brickgate {__version__} · {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')}"
    page = html.page(
        f"brickgate {outcome.gate} gate",
        status=outcome.status,
        headline=outcome.headline,
        sections=sections,
        footer=footer,
    )
    html_path = folder / f"{outcome.gate}-report.html"
    html_path.write_text(clean(page), encoding="utf-8")
    written.append(html_path)
    return written


def _print_console(outcome: GateOutcome, output_format: OutputFormat | None, stream: IO[str]) -> None:
    if output_format is None:
        return
    if output_format == "json":
        print(to_json(outcome.document, outcome.schema), file=stream)
        return
    print(outcome.text.rstrip("\n"), file=stream)
    if output_format == "github":
        from brickgate.github import annotation

        levels: dict[str, Any] = {"critical": "error", "warning": "warning"}
        for finding in outcome.findings:
            if finding.severity in levels:
                title = f"brickgate {outcome.gate}: {finding.subject}"
                print(annotation(levels[finding.severity], finding.message, title=title), file=stream)


def publish(
    outcome: GateOutcome,
    options: PublishOptions,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> PublishReport:
    """Write everything `outcome` holds to where `options` says, in a safe order.

    1. ``--report-dir``: ``<gate>-result.json`` (schema-validated), ``<gate>-summary.md``,
       ``<gate>-<chart>.png`` (``plots`` extra) and the self-contained ``<gate>-report.html``.
    2. ``--results-table``: the rows, appended (never overwritten) through
       `brickgate.tables.write_table`: through Spark when the gate ran on Spark (a session is
       active), else through deltalake; one commit per run, and a re-run of the same run id
       replaces its rows instead of adding them twice.
    3. stdout in the chosen format; in github format also annotations (CRITICAL → error,
       WARNING → warning), ``$GITHUB_OUTPUT`` (plus ``report-path``) and the job summary.
    4. ``--github-status``: commit status ``brickgate/<gate>`` on the head commit. Not posted
       (no token, repository or SHA, or the API refusing) is a warning outside GitHub Actions
       and an `InfraError` inside it, raised after the alerts went out: a required check that
       never appears would leave the pull request waiting forever.
    5. Alerts through one `brickgate.alerts.send_alerts` call: one pass and one retry cycle per
       channel; each channel takes what it is for (resolves go to PagerDuty and the generic
       webhook only, so chat and email are not told on every run that an attribute is still fine).

    Raises
    ------
    InputError
        When the results table cannot be appended to (e.g. its schema differs); the report
        files are already written by then.
    InfraError
        When ``--github-status`` could not post inside GitHub Actions.
    """
    env = _env(options)
    clean = Redactor(env)  # every sink below: console, files, table, GitHub files, alerts
    out = cast(IO[str], RedactingStream(stdout or sys.stdout, clean))
    warnings: list[str] = []
    files: list[Path] = []
    if options.report_dir is not None:
        files = _write_report_dir(outcome, options.report_dir, warnings, clean)

    table: TableWrite | None = None
    if options.results_table and outcome.results is not None and outcome.results.rows:
        from brickgate.runtime import active_spark
        from brickgate.tables import RESULTS_RUN_KEY, warehouse_dir, write_table

        frame = results_frame(outcome.results)
        for column, kind in outcome.results.columns.items():
            if kind == "string":
                frame[column] = frame[column].map(clean, na_action="ignore").astype("string")
        table = write_table(
            options.results_table,
            frame,
            mode="append",
            warehouse=warehouse_dir(env),
            spark=active_spark(),
            run_key=RESULTS_RUN_KEY,
        )

    _print_console(outcome, options.output_format, out)
    if options.output_format == "github":
        from brickgate import github

        report_path = str(options.report_dir / f"{outcome.gate}-report.html") if options.report_dir else ""
        github.write_outputs({**outcome.outputs, "report-path": report_path}, env)
        github.append_summary(outcome.report.summary_markdown, env)

    status: StatusResult | None = None
    unposted = ""  # inside GitHub Actions a status that was not posted fails the command after the alerts
    if options.github_status:
        from brickgate import github

        status = github.post_commit_status(
            context=f"brickgate/{outcome.gate}",
            state="success" if outcome.passed else "failure",
            description=outcome.headline,
            target_url=github.workflow_run_url(env),
            env=env,
        )
        if not status.posted and github.in_github_actions(env):
            unposted = f"{status.detail} (GITHUB_ACTIONS=true: a required check must not go missing)"
        elif not status.posted:
            warnings.append(status.detail)

    deliveries: list[Delivery] = []
    if options.alert_channels and outcome.alerts:
        from brickgate.alerts import send_alerts

        deliveries = send_alerts(  # one pass per channel: triggers and resolves share one retry cycle
            outcome.alerts,
            options.alert_channels,
            env=env,
            retries=options.alert_retries,
            backoff_seconds=options.alert_backoff_seconds,
        )
        warnings += [  # alerts skipped after a channel failed are covered by that failure's warning
            ALERT_FAILED.format(channel=d.channel, attempts=d.attempts, detail=d.detail)
            for d in deliveries
            if not d.ok and d.attempts
        ]

    for message in warnings:
        warn(redact(message, env), stderr)
    if unposted:
        raise InfraError(redact(unposted, env))
    return PublishReport(
        files=tuple(files), table=table, status=status, deliveries=tuple(deliveries), warnings=tuple(warnings)
    )
