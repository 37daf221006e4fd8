"""Plumbing shared by the job entry points in `claims_fraud.tasks`.

Entry points parse `sys.argv` with argparse (a Databricks `python_wheel_task` passes its
`parameters` the same way `brickgate run` does) and call `run` so that a bad parameter or bad
data ends the task with one line on stderr and exit code 2, like the `brickgate` commands.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn


def run(main: Callable[[Sequence[str]], int], argv: Sequence[str] | None = None, *, program: str) -> NoReturn:
    """Call `main(argv)` and exit with its code; user errors become one line `program: error: …` and exit 2.

    `program` is the entry point's name: a python_wheel_task's `sys.argv[0]` is the package name.
    """
    from brickgate.errors import BrickgateError

    try:
        code = main(list(sys.argv[1:] if argv is None else argv))
    except (ValueError, BrickgateError) as exc:
        print(f"{program}: error: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code)


def table_name(catalog: str, schema: str, table: str) -> str:
    """`catalog.schema.table`.

    >>> table_name("main", "claims_fraud", "claims_raw")
    'main.claims_fraud.claims_raw'
    """
    return f"{catalog}.{schema}.{table}"


def word_list(text: str) -> tuple[str, ...]:
    """A comma-separated parameter as a tuple (empty items dropped).

    >>> word_list("patient_gender, geographic_region,,")
    ('patient_gender', 'geographic_region')
    """
    return tuple(part.strip() for part in text.split(",") if part.strip())


def table_arguments(parser: argparse.ArgumentParser) -> None:
    """`--catalog` and `--schema`, which every task needs to name its tables."""
    parser.add_argument("--catalog", required=True, help="Unity Catalog catalog (a folder of the local warehouse)")
    parser.add_argument("--schema", required=True, help="schema holding the project's tables")


def set_task_values(**values: str | int | float) -> None:
    """Hand small results to downstream tasks (`{{tasks.<key>.values.<name>}}`)."""
    from brickgate.runtime import task_values

    for key, value in values.items():
        task_values.set(key, value)
