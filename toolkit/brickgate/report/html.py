"""A self-contained HTML report page: inline CSS, PNG charts embedded as base64, all text escaped.

The page opens from a CI artifact with no network access, and no data value (group names can
be anything) is ever interpreted as markup.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass

from brickgate.report.markdown import status_mark

STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 64rem;
       color: #24292f; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: 0.75rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: 600; padding: 0.2rem 0.6rem; border-radius: 1rem; display: inline-block; }
.status-pass, .status-info { background: #dafbe1; } .status-warning { background: #fff8c5; }
.status-critical, .status-fail, .status-escalated { background: #ffebe9; }
img { max-width: 100%; } footer { margin-top: 2rem; color: #57606a; font-size: 0.8rem; }
"""


@dataclass(frozen=True, kw_only=True)
class Table:
    """A table for the HTML page; cells are plain text (escaped on rendering).

    ``numeric`` flags columns to right-align.
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    numeric: tuple[bool, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Section:
    """A heading with an optional status, paragraphs, tables and PNG images, in that order."""

    heading: str
    status: str | None = None
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    images: tuple[bytes, ...] = ()


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _cell(value: object, numeric: bool) -> str:
    return f'<td class="num">{_esc(value)}</td>' if numeric else f"<td>{_esc(value)}</td>"


def _table(table: Table) -> str:
    numeric = table.numeric or (False,) * len(table.headers)
    head = "".join(f"<th>{_esc(h)}</th>" for h in table.headers)
    rows = []
    for row in table.rows:
        cells = zip(row, numeric, strict=True)
        rows.append(
            "<tr>" + "".join(f'<td class="num">{_esc(c)}</td>' if n else f"<td>{_esc(c)}</td>" for c, n in cells)
        )
    body = "</tr>".join(rows) + ("</tr>" if rows else "")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _status(status: str) -> str:
    return f'<span class="status status-{_esc(status)}">{_esc(status_mark(status))}</span>'


def page(title: str, *, status: str, headline: str, sections: Sequence[Section], footer: str = "") -> str:
    """The whole report as one HTML document (UTF-8, no external resources).

    >>> text = page("<b>", status="pass", headline="ok", sections=[Section(heading="a&b")])
    >>> "<b>" in text, "&lt;b&gt;" in text, "a&amp;b" in text
    (False, True, True)
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        f"<p>{_status(status)} {_esc(headline)}</p>",
    ]
    for section in sections:
        heading = _esc(section.heading) + (f" {_status(section.status)}" if section.status else "")
        parts.append(f"<h2>{heading}</h2>")
        parts += [f"<p>{_esc(p)}</p>" for p in section.paragraphs]
        parts += [_table(t) for t in section.tables]
        parts += [
            f'<img alt="{_esc(section.heading)} chart" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            for png in section.images
        ]
    if footer:
        parts.append(f"<footer>{_esc(footer)}</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
