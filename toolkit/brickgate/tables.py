"""Read and write tables by three-level name, the same way locally and on Databricks.

On Databricks (`DATABRICKS_RUNTIME_VERSION` is set) a name `catalog.schema.table` is a Unity
Catalog table written through Spark. Elsewhere it is a Delta table written through
`deltalake` (delta-rs) under the local warehouse folder:
`<warehouse>/<catalog>/<schema>/<table>`, where the warehouse is `$BRICKGATE_WAREHOUSE` or
`.brickgate/warehouse`. A name containing a path separator is a Delta folder used as is.
Appends never rewrite history, and a changed schema is refused unless asked for.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from brickgate.errors import InputError, first_line

if TYPE_CHECKING:
    import pandas as pd

WriteMode = Literal["append", "overwrite"]
DEFAULT_WAREHOUSE = Path(".brickgate") / "warehouse"
NAME_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BAD_NAME = "table name '{name}' is not catalog.schema.table (letters, digits and _ in each part) or a folder path"
WIDENING = frozenset(
    {
        ("long", "integer"),
        ("long", "short"),
        ("long", "byte"),
        ("integer", "short"),
        ("integer", "byte"),
        ("short", "byte"),
        ("double", "float"),
    }
)
# Spark / Unity Catalog error classes of a write into a catalog or schema that does not exist
# (their messages mention "schema", so they must be told apart from a schema mismatch).
MISSING_NAMESPACE_ERRORS = (
    "SCHEMA_NOT_FOUND",
    "CATALOG_NOT_FOUND",
    "NO_SUCH_CATALOG_EXCEPTION",
    "NoSuchNamespaceException",
    "NoSuchDatabaseException",
)
MISSING_NAMESPACE = (
    "table {name}: its catalog or schema does not exist ({detail}); create the schema first "
    "(a bundle's schemas: resource does, on deploy) and have an admin create the catalog (docs/setup.md)"
)
SCHEMA_CHANGE = (
    "table {name}: the data's schema differs from the table's ({detail}); "
    "write to another table, or evolve this one from Python: write_table(..., allow_schema_change=True)"
)


@dataclass(frozen=True, kw_only=True)
class TableWrite:
    """Where rows went: the table name, its location and the Delta version written."""

    name: str
    location: str
    rows: int
    version: int | None


def on_databricks(env: Mapping[str, str] | None = None) -> bool:
    return bool((os.environ if env is None else env).get("DATABRICKS_RUNTIME_VERSION"))


def warehouse_dir(env: Mapping[str, str] | None = None) -> Path:
    """The local warehouse folder: `$BRICKGATE_WAREHOUSE`, else `.brickgate/warehouse`."""
    value = (os.environ if env is None else env).get("BRICKGATE_WAREHOUSE", "")
    return Path(value) if value else DEFAULT_WAREHOUSE


def is_path_name(name: str) -> bool:
    return "/" in name or os.sep in name or name.startswith(".")


def local_path(name: str, warehouse: Path | None = None) -> Path:
    """Folder of the local Delta table `name`.

    >>> local_path("main.fraud.claims", Path("/w")).as_posix()
    '/w/main/fraud/claims'
    """
    if is_path_name(name):
        return Path(name)
    parts = name.split(".")
    if len(parts) != 3 or not all(NAME_PART.match(p) for p in parts):
        raise InputError(BAD_NAME.format(name=name))
    return (warehouse or warehouse_dir()).joinpath(*parts)


def table_exists(name: str, *, warehouse: Path | None = None) -> bool:
    if on_databricks():
        return bool(_spark().catalog.tableExists(name))
    from deltalake import DeltaTable

    return bool(DeltaTable.is_deltatable(str(local_path(name, warehouse))))


def read_table(name: str, *, warehouse: Path | None = None, version: int | None = None) -> pd.DataFrame:
    """The whole table as pandas (optionally at a Delta `version`, locally)."""
    if on_databricks():
        reader = _spark().read
        if version is not None:
            reader = reader.option("versionAsOf", version)
        spark_frame: pd.DataFrame = reader.table(name).toPandas()
        return spark_frame
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    path = local_path(name, warehouse)
    try:
        table = DeltaTable(str(path), version=version)
    except TableNotFoundError as exc:
        raise InputError(f"table {name} does not exist (looked in {path})") from exc
    frame: pd.DataFrame = table.to_pandas()
    return frame


def write_table(
    name: str,
    data: pd.DataFrame,
    *,
    mode: WriteMode = "append",
    allow_schema_change: bool = False,
    warehouse: Path | None = None,
) -> TableWrite:
    """Append (default) or overwrite `data` into the table `name`, creating it if needed.

    The pandas index is not written (as with Spark's ``createDataFrame``). Before writing to
    an existing table the data's columns are compared with the table's (see
    `schema_difference`); any difference is refused unless `allow_schema_change`, which
    merges new columns on append and replaces the schema on overwrite.

    Raises
    ------
    InputError
        When the name is invalid, or the schema differs and `allow_schema_change` is false.
    """
    if mode not in ("append", "overwrite"):
        raise InputError(f"table {name}: write mode '{mode}' is not append or overwrite")
    if on_databricks():
        return _write_spark(name, data, mode=mode, allow_schema_change=allow_schema_change)
    import pyarrow as pa
    from deltalake import DeltaTable, Schema, write_deltalake

    path = local_path(name, warehouse)
    frame = pa.Table.from_pandas(data, preserve_index=False)
    if DeltaTable.is_deltatable(str(path)):
        difference = schema_difference(
            _column_types(DeltaTable(str(path)).schema()), _column_types(Schema.from_arrow(frame.schema))
        )
        if difference and not allow_schema_change:
            raise InputError(SCHEMA_CHANGE.format(name=name, detail=difference))
    path.parent.mkdir(parents=True, exist_ok=True)
    schema_mode: Any = None
    if allow_schema_change:
        schema_mode = "merge" if mode == "append" else "overwrite"
    write_deltalake(str(path), frame, mode=mode, schema_mode=schema_mode)
    return TableWrite(name=name, location=str(path), rows=len(data), version=DeltaTable(str(path)).version())


def _column_types(schema: Any) -> dict[str, str]:
    """Column name → Delta type name (nanosecond timestamps are stored as microseconds)."""
    types: dict[str, str] = {}
    for column in schema.fields:
        kind = getattr(column.type, "type", None) or str(column.type)
        types[column.name] = str(kind).replace("timestamp_nanos", "timestamp")
    return types


def schema_difference(table: Mapping[str, str], data: Mapping[str, str]) -> str:
    """What writing columns `data` into a table with columns `table` would change ("" if nothing).

    Widening an integer or float column (``integer`` → ``long``, ``float`` → ``double``) is
    not a change: Delta casts it safely. Anything else is: new columns, columns the table has
    and the data lacks, and other type changes (``double`` into ``long`` would truncate).

    >>> schema_difference({"a": "long", "b": "string"}, {"a": "integer", "b": "string"})
    ''
    >>> schema_difference({"a": "long", "b": "string"}, {"a": "double", "c": "string"})
    'new columns c; missing columns b; a long -> double'
    """
    parts = []
    added = [column for column in data if column not in table]
    missing = [column for column in table if column not in data]
    changed = [
        f"{column} {table[column]} -> {data[column]}"
        for column in data
        if column in table and data[column] != table[column] and (table[column], data[column]) not in WIDENING
    ]
    if added:
        parts.append(f"new columns {', '.join(added)}")
    if missing:
        parts.append(f"missing columns {', '.join(missing)}")
    if changed:
        parts.append("; ".join(changed))
    return "; ".join(parts)


def _write_spark(name: str, data: pd.DataFrame, *, mode: WriteMode, allow_schema_change: bool) -> TableWrite:
    spark = _spark()
    writer = spark.createDataFrame(data).write.format("delta").mode(mode)
    if allow_schema_change:
        writer = writer.option("mergeSchema" if mode == "append" else "overwriteSchema", "true")
    try:
        writer.saveAsTable(name)
    except Exception as exc:  # AnalysisException: its module differs across runtimes
        if any(error in str(exc) for error in MISSING_NAMESPACE_ERRORS):
            raise InputError(MISSING_NAMESPACE.format(name=name, detail=first_line(str(exc)))) from exc
        if "schema" in str(exc).lower() and not allow_schema_change:
            raise InputError(SCHEMA_CHANGE.format(name=name, detail=first_line(str(exc)))) from exc
        raise
    return TableWrite(name=name, location=name, rows=len(data), version=None)


def _spark() -> Any:
    from brickgate.runtime import get_spark

    return get_spark()
