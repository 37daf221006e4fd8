"""Read and write tables by three-level name, the same way locally and on Databricks.

On Databricks (`DATABRICKS_RUNTIME_VERSION` is set) a name `catalog.schema.table` is a Unity
Catalog table written through Spark. Elsewhere it is a Delta table in the local warehouse
folder `<warehouse>/<catalog>/<schema>/<table>` (the warehouse is `$BRICKGATE_WAREHOUSE` or
`.brickgate/warehouse`), written through `deltalake` (delta-rs) by default, or through Spark
(``spark=`` a session, as ``delta.`<folder>```) by Spark jobs and the gates' Spark engine:
both name the same folder, so either reads what the other wrote. A name containing a path
separator is a Delta folder used as is. Appends never rewrite history, and a changed schema
is refused unless asked for.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from brickgate.errors import InputError, first_line

if TYPE_CHECKING:
    import pandas as pd

WriteMode = Literal["append", "overwrite"]
# A gate run's identity in a results table: a re-run (same id, gate, data and baseline) replaces
# it. Rows without every one of these columns (fairness rows name no data source) are only ever
# appended: two gates on other data in one workflow run share a run id, and must not replace
# each other's rows.
RESULTS_RUN_KEY = ("run_id", "gate", "current_source", "baseline")
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
MISSING_TABLE = "table {name} does not exist (looked in {location})"
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


def table_exists(name: str, *, warehouse: Path | None = None, spark: Any = None) -> bool:
    if spark is not None or on_databricks():
        return _spark_schema(spark or _spark(), spark_name(name, warehouse)) is not None
    from deltalake import DeltaTable

    return bool(DeltaTable.is_deltatable(str(local_path(name, warehouse))))


def read_table(
    name: str, *, warehouse: Path | None = None, version: int | None = None, spark: Any = None
) -> pd.DataFrame:
    """The whole table as pandas (optionally at a Delta `version`), through Spark when given
    `spark` or on Databricks."""
    if spark is not None or on_databricks():
        session = spark or _spark()
        target = spark_name(name, warehouse)
        if _spark_schema(session, target) is None:
            raise InputError(MISSING_TABLE.format(name=name, location=_location(name, target, warehouse)))
        reader = session.read
        if version is not None:
            reader = reader.option("versionAsOf", version)
        return _utc_timestamps(session, reader.table(target))
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    path = local_path(name, warehouse)
    try:
        table = DeltaTable(str(path), version=version)
    except TableNotFoundError as exc:
        raise InputError(MISSING_TABLE.format(name=name, location=path)) from exc
    frame: pd.DataFrame = table.to_pandas()
    return frame


def write_table(
    name: str,
    data: pd.DataFrame,
    *,
    mode: WriteMode = "append",
    allow_schema_change: bool = False,
    warehouse: Path | None = None,
    spark: Any = None,
    run_key: Sequence[str] = (),
) -> TableWrite:
    """Append (default) or overwrite `data` into the table `name`, creating it if needed.

    The pandas index is not written (as with Spark's ``createDataFrame``). Before writing to
    an existing table the data's columns are compared with the table's (see
    `schema_difference`); any difference is refused unless `allow_schema_change`, which
    merges new columns on append and replaces the schema on overwrite.

    With a Spark session `spark` (always on Databricks) the rows go through Spark's
    ``saveAsTable`` of a Delta table, into the same folder deltalake would use locally.

    `run_key` (e.g. `RESULTS_RUN_KEY`) makes an append idempotent per run: when the table
    already holds rows with the data's values of those columns (the same run written again,
    e.g. a retried job), they are replaced in the same commit instead of added twice. Every
    append is one Delta commit, so a writer killed before it commits leaves no row of its run
    (see `_append_files`).

    Raises
    ------
    InputError
        When the name is invalid, or the schema differs and `allow_schema_change` is false.
    """
    if mode not in ("append", "overwrite"):
        raise InputError(f"table {name}: write mode '{mode}' is not append or overwrite")
    if spark is not None or on_databricks():
        session = spark or _spark()
        return _write_spark(session, name, data, mode, allow_schema_change, warehouse, run_key)
    import pyarrow as pa
    from deltalake import DeltaTable, Schema, write_deltalake

    path = local_path(name, warehouse)
    frame = pa.Table.from_pandas(data, preserve_index=False)
    schema_mode = _schema_mode(mode, allow_schema_change)
    if not DeltaTable.is_deltatable(str(path)):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_deltalake(str(path), frame, mode=mode, schema_mode=schema_mode)
        return TableWrite(name=name, location=str(path), rows=len(data), version=DeltaTable(str(path)).version())
    table = DeltaTable(str(path))
    difference = schema_difference(_column_types(table.schema()), _column_types(Schema.from_arrow(frame.schema)))
    if difference and not allow_schema_change:
        raise InputError(SCHEMA_CHANGE.format(name=name, detail=difference))
    key = _key(data, run_key) if mode == "append" else []
    if key and _stored(table, data, key):  # a re-run: its old rows go in the same commit
        write_deltalake(table, frame, mode="overwrite", predicate=_rerun_predicate(data, key), schema_mode=schema_mode)
    elif key and not difference:
        _append_files(table, path, frame)
    else:
        write_deltalake(table, frame, mode=mode, schema_mode=schema_mode)
    return TableWrite(name=name, location=str(path), rows=len(data), version=DeltaTable(str(path)).version())


def _schema_mode(mode: WriteMode, allow_schema_change: bool) -> Any:
    if not allow_schema_change:
        return None
    return "merge" if mode == "append" else "overwrite"


def _key(data: pd.DataFrame, run_key: Sequence[str]) -> list[str]:
    """`run_key` when the data has all its columns, else none: a partial key could match a
    different run's rows (e.g. the same model gated on other data) and replace them.

    >>> import pandas as pd
    >>> _key(pd.DataFrame({"run_id": ["7-1"], "gate": ["fairness"]}), ("run_id", "gate", "current_source"))
    []
    """
    return list(run_key) if all(column in data.columns for column in run_key) else []


def _rerun_predicate(data: pd.DataFrame, run_key: Sequence[str]) -> str:
    """SQL (Spark and delta-rs) matching stored rows of the data's runs ("" without a key).

    >>> import pandas as pd
    >>> _rerun_predicate(pd.DataFrame({"run_id": ["7-1"], "model": [None], "x": [1]}), ("run_id", "model"))
    "(run_id = '7-1' AND model IS NULL)"
    """
    columns = _key(data, run_key)
    if not columns:
        return ""
    runs = data[columns].astype(object).drop_duplicates().itertuples(index=False)
    return " OR ".join(
        "(" + " AND ".join(_equals(column, value) for column, value in zip(columns, run, strict=True)) + ")"
        for run in runs
    )


def _equals(column: str, value: Any) -> str:
    from pandas import isna

    if isna(value):
        return f"{column} IS NULL"
    text = str(value).replace("'", "''")
    return f"{column} = '{text}'"


def _stored(table: Any, data: pd.DataFrame, key: Sequence[str]) -> bool:
    """Whether the deltalake `table` holds rows of any run (values of `key`) in `data`."""
    first = data[key[0]].dropna().astype(str).unique().tolist()
    stored = table.to_pandas(columns=list(key), filters=[(key[0], "in", first)] if first else None)
    null = "\x00null"
    known = set(stored[list(key)].astype(object).fillna(null).astype(str).itertuples(index=False))
    return any(run in known for run in data[list(key)].astype(object).fillna(null).astype(str).itertuples(index=False))


def _append_files(table: Any, path: Path, frame: Any) -> None:
    """Append `frame` to an existing table in Delta's two steps: write the data file, then
    commit one log entry that adds it. Readers only see files the log adds, so a writer
    killed between the steps leaves an unreferenced file (VACUUM removes it) and no row."""
    import json
    import time
    import uuid

    import pyarrow as pa
    import pyarrow.parquet as pq
    from deltalake.transaction import AddAction

    schema = pa.schema(table.schema().to_arrow())
    data = frame.select(schema.names).cast(schema)
    file = f"part-00000-{uuid.uuid4()}-c000.snappy.parquet"
    pq.write_table(data, path / file, compression="snappy")
    add = AddAction(
        path=file,
        size=(path / file).stat().st_size,
        partition_values={},
        modification_time=int(time.time() * 1000),
        data_change=True,
        stats=json.dumps({"numRecords": data.num_rows}),
    )
    _commit_append(table, add)


def _commit_append(table: Any, add: Any) -> None:
    """The commit step of `_append_files` (its own function: the crash test stops here)."""
    table.create_write_transaction([add], mode="append", schema=table.schema())


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


def spark_name(name: str, warehouse: Path | None = None) -> str:
    """How Spark names the table `name`: itself on Databricks, else its local Delta folder.

    >>> spark_name("main.fraud.claims", Path("/w"))
    'delta.`/w/main/fraud/claims`'
    """
    if on_databricks() and not is_path_name(name):
        return name
    return f"delta.`{local_path(name, warehouse).resolve().as_posix()}`"


def _spark_schema(spark: Any, target: str) -> dict[str, str] | None:
    """Column name → Delta type name of the table `target`, or None when it does not exist."""
    from pyspark.errors import AnalysisException

    try:
        schema = spark.table(target).schema
    except AnalysisException:
        return None
    return {field.name: field.dataType.typeName() for field in schema.fields}


def _write_spark(
    spark: Any,
    name: str,
    data: pd.DataFrame,
    mode: WriteMode,
    allow_schema_change: bool,
    warehouse: Path | None,
    run_key: Sequence[str],
) -> TableWrite:
    """Write through Spark's ``saveAsTable`` of a Delta table, checking the schema as deltalake does.

    `run_key` as in `write_table` (Delta's ``replaceWhere``). A new table is created with mode
    ``errorifexists`` (appending to a folder that is not yet a table fails in Delta); if
    another writer created it meanwhile, the rows are appended.
    Columns the table stores wider (``integer`` data into a ``long`` column) are cast to it.
    """
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    target = spark_name(name, warehouse)
    frame = spark.createDataFrame(data)
    existing = _spark_schema(spark, target)
    if existing is None:
        try:
            _save(frame.write.format("delta").mode("errorifexists"), target, name)
            return _spark_written(spark, target, name, data, warehouse)
        except AnalysisException as exc:
            if "EXISTS" not in (exc.getCondition() or ""):
                raise
        existing = _spark_schema(spark, target) or {}
    written = {field.name: field.dataType.typeName() for field in frame.schema.fields}
    difference = schema_difference(existing, written)
    if difference and not allow_schema_change:
        raise InputError(SCHEMA_CHANGE.format(name=name, detail=difference))
    frame = frame.select(
        *[
            F.col(f"`{column}`").cast(existing[column]) if (existing.get(column), kind) in WIDENING else f"`{column}`"
            for column, kind in written.items()
        ]
    )
    key = _key(data, run_key) if mode == "append" else []
    rerun = _rerun_predicate(data, key) if key else ""
    if rerun and spark.table(target).where(rerun).limit(1).count():  # a re-run replaces its rows in one commit
        writer = frame.write.format("delta").mode("overwrite").option("replaceWhere", rerun)
    else:
        writer = frame.write.format("delta").mode(mode)
    if allow_schema_change:
        writer = writer.option("mergeSchema" if mode == "append" else "overwriteSchema", "true")
    _save(writer, target, name)
    return _spark_written(spark, target, name, data, warehouse)


def _save(writer: Any, target: str, name: str) -> None:
    """``saveAsTable``; a catalog or schema that does not exist (Unity Catalog) is its own error."""
    try:
        writer.saveAsTable(target)
    except Exception as exc:  # AnalysisException: its module differs across runtimes
        if any(error in str(exc) for error in MISSING_NAMESPACE_ERRORS):
            raise InputError(MISSING_NAMESPACE.format(name=name, detail=first_line(str(exc)))) from exc
        raise


def _spark_written(spark: Any, target: str, name: str, data: pd.DataFrame, warehouse: Path | None) -> TableWrite:
    history = spark.sql(f"DESCRIBE HISTORY {target} LIMIT 1").collect()
    location = _location(name, target, warehouse)
    return TableWrite(name=name, location=location, rows=len(data), version=int(history[0]["version"]))


def _utc_timestamps(spark: Any, frame: Any) -> pd.DataFrame:
    """Spark's ``toPandas`` as deltalake reads it: ``timestamp`` columns (instants) in UTC.

    Spark hands them over as naive times in the session time zone; without this a table read
    through Spark and through deltalake would not compare equal.
    """
    zone = spark.conf.get("spark.sql.session.timeZone")
    result: pd.DataFrame = frame.toPandas()
    for field in frame.schema.fields:
        if field.dataType.typeName() == "timestamp":
            result[field.name] = result[field.name].dt.tz_localize(zone).dt.tz_convert("UTC")
    return result


def _location(name: str, target: str, warehouse: Path | None) -> str:
    """The table's name in the catalog (Databricks), else its local folder."""
    return name if target == name else str(local_path(name, warehouse))


def _spark() -> Any:
    from brickgate.runtime import get_spark

    return get_spark()
