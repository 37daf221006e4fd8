"""Chart descriptions shared by every renderer, and the PNG renderer (matplotlib, lazily imported).

A gate describes a chart as data (`BarChart`); the markdown renderer turns it into a mermaid
`xychart-beta` block and `render_png` into a PNG. matplotlib belongs to the ``plots`` extra:
without it `render_png` returns ``None`` and the caller records a warning.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

#: Label fonts in order of preference; matplotlib falls back glyph by glyph along the list
#: (CJK, emoji), and matplotlib's own "Last Resort" font draws a box for anything else.
FONT_FALLBACK = (
    "DejaVu Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK KR",
    "Noto Color Emoji",
    "Noto Emoji",
    "Last Resort High-Efficiency",
)


@dataclass(frozen=True, kw_only=True)
class BarChart:
    """One bar per label, optional whiskers, an acceptable band and named threshold lines.

    ``values[i] is None`` means the value is undefined (e.g. a DI whose reference rate is 0):
    the bar is left out, never drawn as 0. ``lower``/``upper`` are whisker ends (e.g. a 95 %
    confidence interval), ``None`` where undefined. ``band`` is the acceptable (low, high)
    range, shaded in the PNG and drawn as two lines in mermaid. ``second`` is an optional
    second series drawn beside ``values`` in each group (e.g. current next to reference);
    ``series`` names the two in the legend. ``missing[i]`` is written where value ``i`` is
    undefined (e.g. "∞" for an unbounded ratio); "undefined" when not given.
    """

    name: str
    title: str
    labels: tuple[str, ...]
    values: tuple[float | None, ...]
    y_label: str
    lower: tuple[float | None, ...] | None = None
    upper: tuple[float | None, ...] | None = None
    band: tuple[float, float] | None = None
    lines: tuple[tuple[str, float], ...] = ()
    second: tuple[float | None, ...] | None = None
    series: tuple[str, str] = ("", "")
    missing: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        sizes = {len(self.labels), len(self.values)}
        sizes |= {len(self.second)} if self.second is not None else set()
        sizes |= {len(self.lower)} if self.lower is not None else set()
        sizes |= {len(self.upper)} if self.upper is not None else set()
        sizes |= {len(self.missing)} if self.missing is not None else set()
        if len(sizes) != 1:
            raise ValueError(f"chart {self.name}: labels, values and whiskers differ in length")

    def missing_text(self, index: int) -> str:
        """What is written for an undefined value.

        >>> BarChart(name="c", title="t", labels=("a",), values=(None,), y_label="y", missing=("∞",)).missing_text(0)
        '∞'
        """
        return self.missing[index] if self.missing is not None else "undefined"

    def y_range(self) -> tuple[float, float]:
        """Axis range covering bars, whiskers, band and lines, starting at 0, with 10 % headroom.

        >>> BarChart(name="c", title="t", labels=("a",), values=(1.5,), y_label="y", band=(0.8, 1.25)).y_range()
        (0.0, 1.65)
        """
        points = [v for v in self.values if v is not None]
        points += [v for v in self.upper or () if v is not None]
        points += [v for v in self.second or () if v is not None]
        points += list(self.band or ()) + [value for _, value in self.lines]
        top = max(points, default=1.0) or 1.0
        return 0.0, round(top * 1.1, 4)


def render_png(chart: BarChart) -> bytes | None:
    """The chart as PNG bytes, or ``None`` when matplotlib (the ``plots`` extra) is missing."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        return None
    # a Figure of its own (no pyplot, no global backend) and fonts for this chart only: the
    # caller's matplotlib state is left as it was
    with matplotlib.rc_context({"font.family": _fonts()}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        return _draw(chart, Figure(figsize=(max(4.0, 0.9 * len(chart.labels) + 2.0), 3.6), dpi=100))


def _fonts() -> list[str]:
    """The installed families of `FONT_FALLBACK`, in order: any label finds a glyph, or a box."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in FONT_FALLBACK if name in installed] or ["sans-serif"]


def _draw(chart: BarChart, figure: Any) -> bytes:
    positions = list(range(len(chart.labels)))
    axes = figure.subplots()
    if chart.band is not None:
        axes.axhspan(chart.band[0], chart.band[1], color="#2da44e", alpha=0.12, label="acceptable band")
    heights = {i: v for i, v in enumerate(chart.values) if v is not None}
    shift, width = (0.2, 0.4) if chart.second is not None else (0.0, 0.6)
    first = [positions[i] - shift for i in heights]
    axes.bar(first, list(heights.values()), color="#0969da", width=width, label=chart.series[0] or None)
    if chart.second is not None:
        seconds = {i: v for i, v in enumerate(chart.second) if v is not None}
        axes.bar(
            [positions[i] + shift for i in seconds],
            list(seconds.values()),
            color="#fb8500",
            width=width,
            label=chart.series[1] or None,
        )
    for i, height in heights.items():
        low = chart.lower[i] if chart.lower is not None else None
        high = chart.upper[i] if chart.upper is not None else None
        if low is not None and high is not None:
            yerr = [[height - low], [high - height]]
            axes.errorbar(positions[i] - shift, height, yerr=yerr, color="#24292f", capsize=4, linewidth=1)
    for name, level in chart.lines:
        axes.axhline(level, color="#cf222e", linestyle="--", linewidth=1, label=name)
    for i in range(len(chart.labels)):
        if i not in heights:
            text = chart.missing_text(i)
            turn = 90 if len(text) > 2 else 0  # "∞" stands upright
            axes.annotate(text, (positions[i], 0), ha="center", va="bottom", fontsize=8, rotation=turn)
    crowded = len(chart.labels) > 4  # slanted labels are right-aligned to their tick
    axes.set_xticks(positions, chart.labels, rotation=30 if crowded else 0, ha="right" if crowded else "center")
    axes.set_ylim(*chart.y_range())
    axes.set_ylabel(chart.y_label)
    axes.set_title(chart.title)
    if chart.band is not None or chart.lines or any(chart.series):
        axes.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
