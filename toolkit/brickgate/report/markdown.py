"""Markdown pieces for job summaries and `<gate>-summary.md`: tables, status marks, mermaid charts.

GitHub renders the summary; cells are escaped so that data values (group names, column names)
can never break a table or inject markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from brickgate.report.charts import BarChart

STATUS_MARKS = {
    "pass": "✅",
    "info": "✅",
    "ok": "✅",
    "reference": "🔹",
    "warning": "⚠️",
    "insufficient_data": "⚠️",
    "undetermined": "❓",
    "undefined": "❔",
    "skipped": "⏭️",
    "critical": "❌",
    "outside_band": "❌",
    "fail": "❌",
    "escalated": "🚨",
}


def status_mark(status: str) -> str:
    """An emoji followed by the status word, so colour-blind readers and text logs see both.

    >>> status_mark("critical")
    '❌ critical'
    """
    mark = STATUS_MARKS.get(status, "•")
    return f"{mark} {status}"


def escape_cell(value: object) -> str:
    """Text safe inside a markdown table cell (pipes, newlines, HTML brackets, backticks).

    >>> escape_cell("a|b<c>")
    'a\\\\|b&lt;c&gt;'
    """
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`").replace("\r", " ").replace("\n", " ")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, align: str | None = None) -> str:
    """A GitHub-flavoured markdown table; `align` is one letter per column (``l``, ``r``, ``c``).

    >>> print(table(["group", "DI"], [["a", "0.90"]], align="lr"))
    | group | DI |
    | :--- | ---: |
    | a | 0.90 |
    """
    marks = {"l": ":---", "r": "---:", "c": ":---:"}
    rule = [marks[a] for a in align] if align else ["---"] * len(headers)
    lines = ["| " + " | ".join(escape_cell(h) for h in headers) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(escape_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _quote(label: str) -> str:
    return '"' + label.replace('"', "'").replace("\n", " ") + '"'


def _number(value: float) -> str:
    return f"{value:.4g}"


def mermaid_bar_chart(chart: BarChart) -> str:
    """A fenced mermaid ``xychart-beta`` block: one bar per label plus a line per band edge/threshold.

    Undefined values are drawn as 0 (mermaid has no gaps) and their label says what they are
    (``chart.missing``: e.g. "∞"; "undefined" by default).

    >>> print(mermaid_bar_chart(BarChart(name="di", title="DI", labels=("a", "b"), values=(0.7, 1.0),
    ...                                  y_label="DI", band=(0.8, 1.25))))
    ```mermaid
    xychart-beta
        title "DI"
        x-axis ["a", "b"]
        y-axis "DI" 0 --> 1.375
        bar [0.7, 1]
        line [0.8, 0.8]
        line [1.25, 1.25]
    ```
    """
    labels = [
        label if value is not None else f"{label} ({chart.missing_text(i)})"
        for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True))
    ]
    low, high = chart.y_range()
    lines = [
        "```mermaid",
        "xychart-beta",
        f"    title {_quote(chart.title)}",
        f"    x-axis [{', '.join(_quote(label) for label in labels)}]",
        f"    y-axis {_quote(chart.y_label)} {_number(low)} --> {_number(high)}",
        *(
            f"    bar [{', '.join(_number(v) if v is not None else '0' for v in series)}]"
            for series in (chart.values, chart.second)
            if series is not None
        ),
    ]
    levels = [*(chart.band or ()), *(value for _, value in chart.lines)]
    lines += [f"    line [{', '.join([_number(level)] * len(chart.labels))}]" for level in levels]
    lines.append("```")
    return "\n".join(lines)
