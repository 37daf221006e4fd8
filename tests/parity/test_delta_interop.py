"""A Delta table written by deltalake (delta-rs) and by Spark is one table: both read the same
rows, schema and history, also after appends from both (issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from deltalake import DeltaTable

from brickgate.tables import read_table, spark_name, write_table

pytestmark = pytest.mark.spark


def batch(start: int, count: int) -> pd.DataFrame:
    ids = range(start, start + count)
    return pd.DataFrame(
        {
            "run_id": pd.array([f"run-{i}" for i in ids], dtype="string"),
            "rows": pd.array(list(ids), dtype="Int64"),
            "di": pd.array([i / 10 if i % 3 else None for i in ids], dtype="Float64"),
            "passed": pd.array([i % 2 == 0 for i in ids], dtype="boolean"),
            "run_time": pd.to_datetime([f"2026-12-0{1 + i % 9} 10:00" for i in ids], utc=True).astype(
                "datetime64[us, UTC]"
            ),
        }
    )


def rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Order-free comparable rows (nulls as None)."""
    values = frame[sorted(frame.columns)].astype(object).itertuples(index=False)
    return sorted((tuple(None if pd.isna(v) else v for v in row) for row in values), key=repr)


@pytest.mark.parametrize("first", ["deltalake", "spark"])
def test_one_table_for_both_writers(first: str, spark: Any, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    writers: dict[str, dict[str, Any]] = {"deltalake": {}, "spark": {"spark": spark}}
    second = "spark" if first == "deltalake" else "deltalake"
    for index, writer in enumerate([first, second, first, second]):
        write_table("main.results.runs", batch(index * 3, 3), warehouse=warehouse, **writers[writer])
    expected = rows(pd.concat([batch(index * 3, 3) for index in range(4)]))
    by_deltalake = read_table("main.results.runs", warehouse=warehouse)
    by_spark = read_table("main.results.runs", warehouse=warehouse, spark=spark)
    assert rows(by_deltalake) == rows(by_spark) == expected

    folder = str(warehouse / "main" / "results" / "runs")
    delta_rs_schema = {field.name: str(field.type.type) for field in DeltaTable(folder).schema().fields}
    spark_schema = {
        f.name: f.dataType.typeName() for f in spark.table(spark_name("main.results.runs", warehouse)).schema
    }
    assert (
        delta_rs_schema
        == spark_schema
        == {
            "run_id": "string",
            "rows": "long",
            "di": "double",
            "passed": "boolean",
            "run_time": "timestamp",
        }
    )

    delta_rs_history = sorted(entry["version"] for entry in DeltaTable(folder).history())
    spark_history = spark.sql(f"DESCRIBE HISTORY {spark_name('main.results.runs', warehouse)}").toPandas()
    assert delta_rs_history == sorted(spark_history["version"].tolist()) == [0, 1, 2, 3]
    assert sorted(spark_history["operation"])[0] in ("CREATE TABLE AS SELECT", "WRITE")
    for version in range(4):  # time travel from either side sees the same snapshot
        at_version = rows(read_table("main.results.runs", warehouse=warehouse, version=version))
        assert at_version == rows(read_table("main.results.runs", warehouse=warehouse, version=version, spark=spark))
        assert len(at_version) == 3 * (version + 1)
