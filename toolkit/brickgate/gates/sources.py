"""Read a gate's SOURCE (file, folder, Delta table or table name) for the pandas or Spark engine.

Every gate accepts the same kinds of SOURCE, so reading them, checking columns and turning
failures into one-line `InputError` messages lives here once:

* a Parquet file (``.parquet``/``.pq``) or a folder of Parquet files (hive partitions allowed);
* a CSV file (``.csv``, header row) or a folder of CSV files;
* a local Delta table folder (it has ``_delta_log/``);
* a three-level table name ``catalog.schema.table``: through `brickgate.tables` (the local
  warehouse, or Unity Catalog on Databricks) for pandas, through ``spark.table`` for Spark.

Only the requested columns are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from brickgate import tables
from brickgate.errors import InputError
from brickgate.suggest import did_you_mean

if TYPE_CHECKING:
    import pandas as pd

SourceKind = Literal["parquet", "csv", "delta", "table"]

COLUMN_NOT_FOUND = "{source}: column '{column}' not found{hint} (columns: {columns})"
SOURCE_NOT_FOUND = (
    "{source}: no such file, folder or table (expected a Parquet or CSV file or folder, "
    "a Delta table folder, or catalog.schema.table)"
)
UNKNOWN_FILE_TYPE = "{source}: cannot tell the file type; use a .parquet, .pq or .csv file"
EMPTY_FOLDER = "{source}: folder holds no Parquet or CSV files and no _delta_log"
NOT_UTF8 = "{source}: not valid UTF-8 at byte {offset}; save the CSV as UTF-8"
MIXED_FOLDER = "{source}: folder mixes Parquet and CSV files; keep one format per folder"
UNREADABLE = "{source}: cannot read {kind} data: {reason}"
NO_ROWS = "{source}: no rows"

KIND_NAMES: dict[SourceKind, str] = {"parquet": "Parquet", "csv": "CSV", "delta": "Delta", "table": "table"}
PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv",)


def require_columns(available: Iterable[str], wanted: Iterable[str], source: str) -> None:
    """Raise `InputError` for the first wanted column that is missing, suggesting the closest name.

    Raises
    ------
    InputError
        ``"<source>: column 'scroe' not found; did you mean 'score'? (columns: id, score)"``.

    Examples
    --------
    >>> require_columns(["id", "score"], ["score"], "claims.csv")
    >>> require_columns(["id", "score"], ["scroe"], "claims.csv")
    Traceback (most recent call last):
    ...
    brickgate.errors.InputError: claims.csv: column 'scroe' not found; did you mean 'score'? (columns: id, score)
    """
    names = list(available)
    for column in wanted:
        if column in names:
            continue
        hint = did_you_mean(column, names)
        raise InputError(COLUMN_NOT_FOUND.format(source=source, column=column, hint=hint, columns=", ".join(names)))


def _folder_kind(path: Path, source: str) -> SourceKind:
    if (path / "_delta_log").is_dir():
        return "delta"
    files = [p for p in path.rglob("*") if p.is_file() and not p.name.startswith(("_", "."))]
    has_parquet = any(p.suffix.lower() in PARQUET_SUFFIXES for p in files)
    has_csv = any(p.suffix.lower() in CSV_SUFFIXES for p in files)
    if has_parquet and has_csv:
        raise InputError(MIXED_FOLDER.format(source=source))
    if has_parquet:
        return "parquet"
    if has_csv:
        return "csv"
    raise InputError(EMPTY_FOLDER.format(source=source))


def source_kind(source: str) -> SourceKind:
    """Which kind of SOURCE `source` names; raises `InputError` when it names nothing readable.

    >>> source_kind("main.fraud.claims")
    'table'
    """
    path = Path(source)
    if path.is_dir():
        return _folder_kind(path, source)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in PARQUET_SUFFIXES:
            return "parquet"
        if suffix in CSV_SUFFIXES:
            return "csv"
        raise InputError(UNKNOWN_FILE_TYPE.format(source=source))
    if not tables.is_path_name(source) and len(source.split(".")) == 3:
        return "table"
    raise InputError(SOURCE_NOT_FOUND.format(source=source))


def _arrow_dataset(source: str, kind: SourceKind) -> Any:
    """A pyarrow dataset; in CSV an empty field is null (as in pandas), not an empty string."""
    import pyarrow.csv as pacsv
    import pyarrow.dataset as ds

    file_format: Any = (
        ds.CsvFileFormat(convert_options=pacsv.ConvertOptions(strings_can_be_null=True)) if kind == "csv" else kind
    )
    path = Path(source)
    if path.is_dir():
        files = sorted(
            str(p)
            for p in path.rglob("*")
            if p.is_file()
            and not p.name.startswith(("_", "."))
            and p.suffix.lower() in (PARQUET_SUFFIXES if kind == "parquet" else CSV_SUFFIXES)
        )
        partitioning = "hive" if kind == "parquet" else None
        return ds.dataset(files, format=file_format, partitioning=partitioning, partition_base_dir=str(path))
    return ds.dataset(str(path), format=file_format)


def _delta_table(path: str, source: str) -> Any:
    from deltalake import DeltaTable
    from deltalake.exceptions import DeltaError, TableNotFoundError

    try:
        return DeltaTable(path)
    except TableNotFoundError as exc:
        raise InputError(SOURCE_NOT_FOUND.format(source=source)) from exc
    except (DeltaError, OSError) as exc:
        raise _unreadable(source, "delta", exc) from exc


def _unreadable(source: str, kind: SourceKind, exc: BaseException) -> InputError:
    text = str(exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    return InputError(UNREADABLE.format(source=source, kind=KIND_NAMES[kind], reason=reason))


def read_pandas(source: str, columns: Sequence[str] | None = None, *, allow_empty: bool = False) -> pd.DataFrame:
    """Read `columns` (default: all) of `source` into pandas.

    A gate that can give a verdict on no rows (PSI: every feature SKIPPED) sets
    `allow_empty`; for the others no rows is bad input.

    Dictionary-encoded Parquet columns (e.g. written from pandas categoricals) arrive as
    pandas ``category`` columns, which the gates count fastest.

    Raises
    ------
    InputError
        When the source does not exist or cannot be read, a column is missing (with the
        closest name suggested), or the data has no rows (unless `allow_empty`).
    """
    kind = source_kind(source)
    wanted = list(dict.fromkeys(columns)) if columns is not None else None
    if kind == "table" and tables.on_databricks():
        from brickgate.runtime import get_spark

        frame: pd.DataFrame = read_spark(get_spark(), source, wanted).toPandas()
    elif kind in ("delta", "table"):
        location = str(tables.local_path(source)) if kind == "table" else source
        table = _delta_table(location, source)
        names = [field.name for field in table.schema().fields]
        if wanted is not None:
            require_columns(names, wanted, source)
        try:
            frame = table.to_pandas(columns=wanted)
        except Exception as exc:  # delta-rs raises several unrelated types for corrupt data
            raise _unreadable(source, "delta", exc) from exc
    else:
        frame = _read_arrow(source, kind, wanted)
    if len(frame) == 0 and not allow_empty:
        raise InputError(NO_ROWS.format(source=source))
    return frame


def _read_arrow(source: str, kind: SourceKind, wanted: list[str] | None) -> pd.DataFrame:
    """One Parquet file through `pyarrow.parquet.ParquetFile` (no dataset machinery, whose import
    alone costs about a second); folders and CSV through a pyarrow dataset."""
    import pyarrow as pa

    files: list[str] = []
    try:
        if kind == "parquet" and Path(source).is_file():
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(source)
            if wanted is not None:
                require_columns(parquet.schema_arrow.names, wanted, source)
            table = parquet.read(columns=wanted, use_pandas_metadata=True)
        else:
            dataset = _arrow_dataset(source, kind)
            files = dataset.files
            if wanted is not None:
                require_columns(list(dataset.schema.names), wanted, source)
            table = dataset.to_table(columns=wanted)
            if kind == "csv" and any(pa.types.is_binary(f.type) for f in table.schema):
                raise _not_utf8(dataset.files, source)  # pyarrow reads undecodable text as bytes
    except (pa.ArrowException, OSError, ValueError) as exc:
        if kind == "csv" and "invalid UTF8" in str(exc):  # a later file of a folder, typed string by the first
            raise _not_utf8(files, source) from exc
        raise _unreadable(source, kind, exc) from exc
    frame: pd.DataFrame = table.to_pandas()
    return frame


def _not_utf8(files: Iterable[str], source: str) -> InputError:
    """The first file that is not UTF-8 and the byte offset where decoding fails (read in 1 MiB chunks)."""
    import codecs

    for name in files:
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0  # bytes read so far; the decoder may hold the start of a sequence cut by a chunk
        with open(name, "rb") as stream:
            while True:
                chunk = stream.read(1 << 20)
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as exc:
                    return InputError(NOT_UTF8.format(source=name, offset=offset - pending + exc.start))
                if not chunk:
                    break
                offset += len(chunk)
    return InputError(f"{source}: not valid UTF-8; save the CSV as UTF-8")


def read_spark(spark: Any, source: str, columns: Sequence[str] | None = None) -> Any:
    """A Spark DataFrame of `columns` (default: all) of `source`, lazily (no job runs here
    except CSV schema inference).

    A relative path is made absolute against Python's working directory first: the JVM
    resolves paths against its own, which ``os.chdir`` does not move. An empty source is not
    detected here (that would cost a Spark job); engines check the row count in their own
    aggregation.

    Raises
    ------
    InputError
        When the source does not exist or cannot be read, or a column is missing.
    """
    from pyspark.errors import AnalysisException

    kind = source_kind(source)
    location = source if kind == "table" else str(Path(source).resolve())
    try:
        if kind == "table":  # on Databricks the catalog's table, locally the warehouse folder
            frame = spark.table(tables.spark_name(source))
        elif kind == "delta":
            frame = spark.read.format("delta").load(location)
        elif kind == "parquet":
            frame = spark.read.parquet(location)
        else:
            frame = spark.read.csv(location, header=True, inferSchema=True)
    except AnalysisException as exc:
        if kind == "table":
            raise InputError(SOURCE_NOT_FOUND.format(source=source)) from exc
        raise _unreadable(source, kind, exc) from exc
    if columns is None:
        return frame
    require_columns(frame.columns, columns, source)
    return frame.select(*[f"`{c}`" for c in dict.fromkeys(columns)])
