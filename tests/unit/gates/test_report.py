"""Report building blocks: charts with undefined values, mermaid, PNG."""

from __future__ import annotations

import pytest

from brickgate.report.charts import BarChart, render_png
from brickgate.report.markdown import mermaid_bar_chart, table

CHART = BarChart(
    name="di",
    title='DI "by" sex',
    labels=("F", "M", "X"),
    values=(1.0, None, 0.5),
    lower=(None, None, 0.3),
    upper=(None, None, 0.9),
    band=(0.8, 1.25),
    y_label="DI",
)


def test_undefined_values_are_labelled_not_hidden() -> None:
    text = mermaid_bar_chart(CHART)
    assert 'x-axis ["F", "M (undefined)", "X"]' in text
    assert "bar [1, 0, 0.5]" in text and "title \"DI 'by' sex\"" in text


def test_png_has_whiskers_band_and_survives_undefined_values() -> None:
    png = render_png(CHART)
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")


def test_chart_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        BarChart(name="x", title="t", labels=("a",), values=(1.0, 2.0), y_label="y")


def test_table_cells_cannot_break_the_table() -> None:
    assert table(["a"], [["x\n|y"]]).splitlines()[-1] == "| x \\|y |"


def test_second_series_is_grouped_beside_the_first() -> None:
    """Reference vs current share per bin: one group per bin, two bars, both in the legend."""
    chart = BarChart(
        name="bins-age",
        title="age",
        labels=("(-inf, 30]", "(30, +inf)", "(null)"),
        values=(0.5, 0.5, 0.0),
        second=(0.2, 0.7, 0.1),
        series=("reference", "current"),
        y_label="share of rows",
    )
    assert chart.y_range() == (0.0, 0.77)  # 0.7 · 1.1
    assert "bar [0.5, 0.5, 0]\n    bar [0.2, 0.7, 0.1]" in mermaid_bar_chart(chart)
    png = render_png(chart)
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match="differ in length"):
        BarChart(name="x", title="t", labels=("a",), values=(1.0,), second=(1.0, 2.0), y_label="y")
