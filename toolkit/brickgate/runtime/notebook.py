"""Run a source-format Databricks notebook (`.py`) as a local job task.

``python -m brickgate.runtime.notebook NOTEBOOK.py`` executes the notebook cell by cell (cells
are separated by ``# COMMAND ----------``) in one namespace that holds what a Databricks
notebook finds predefined: ``dbutils`` (the local stand-in of `brickgate.runtime.dbutils`),
``spark`` (created on first use, so notebooks that never touch Spark start no JVM) and
``display``. Magic cells (``# MAGIC %pip``, ``%sql``, ``%run``) are comments in this format
and are not executed. A failing cell is named on stderr and the process exits with 1.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from brickgate.runtime.dbutils import DBUtils

HEADER = "# Databricks notebook source"
CELL_SEPARATOR = "# COMMAND ----------"


def is_source_notebook(path: Path) -> bool:
    """Whether `path` starts with the header Databricks writes on exported `.py` notebooks."""
    with path.open(encoding="utf-8") as handle:
        return handle.readline().strip() == HEADER


def split_cells(source: str) -> list[tuple[int, str]]:
    """Cells of a source notebook as (first line number, code), line numbers 1-based.

    >>> split_cells("# Databricks notebook source\\nx = 1\\n\\n# COMMAND ----------\\n\\ny = x\\n")
    [(1, '# Databricks notebook source\\nx = 1\\n'), (5, '\\ny = x')]
    """
    cells: list[tuple[int, str]] = []
    start, lines = 1, list[str]()
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == CELL_SEPARATOR:
            cells.append((start, "\n".join(lines)))
            start, lines = number + 1, []
        else:
            lines.append(line)
    cells.append((start, "\n".join(lines)))
    return [(first, code) for first, code in cells if code.strip()]


class _LazySpark:
    """Stands in for `spark` and creates the local session on first attribute access."""

    def __getattr__(self, name: str) -> Any:
        from brickgate.runtime import get_spark

        return getattr(get_spark(), name)


def _display(*values: Any) -> None:
    for value in values:
        show = getattr(value, "show", None)
        if callable(show):
            show()
        else:
            sys.stdout.write(f"{value}\n")


def run_notebook(path: Path) -> int:
    """Execute the notebook at `path`; 0 when every cell ran, 1 when one raised."""
    source = path.read_text(encoding="utf-8")
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__file__": str(path),
        "dbutils": DBUtils(),
        "spark": _LazySpark(),
        "display": _display,
    }
    cells = split_cells(source)
    for index, (first_line, code) in enumerate(cells, start=1):
        compiled = compile("\n" * (first_line - 1) + code, str(path), "exec")
        try:
            exec(compiled, namespace)
        except SystemExit as exc:
            if exc.code not in (None, 0):
                raise
            return 0
        except Exception:  # noqa: BLE001 - any error in a cell fails the task, as on Databricks
            traceback.print_exc()
            sys.stderr.write(
                f"notebook {path.name}: cell {index} of {len(cells)} (starts at line {first_line}) failed\n"
            )
            return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: python -m brickgate.runtime.notebook NOTEBOOK.py\n")
        return 2
    path = Path(args[0])
    sys.argv = [str(path)]
    sys.path.insert(0, str(path.parent))
    return run_notebook(path)


if __name__ == "__main__":
    sys.exit(main())
