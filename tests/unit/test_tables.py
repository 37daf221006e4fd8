"""Local Delta tables by three-level name: append, overwrite, schema refusal, time travel, names.

Behaviour tests run twice: through deltalake (delta-rs) and through Spark's Delta writer
(`engine` fixture, marker `spark`), which must behave the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from brickgate.errors import InputError
from brickgate.tables import _save, local_path, read_table, spark_name, table_exists, warehouse_dir, write_table


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "warehouse"
    monkeypatch.setenv("BRICKGATE_WAREHOUSE", str(folder))
    return folder


@pytest.fixture(params=["deltalake", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Keyword arguments that pick the writer: none for deltalake, ``spark=`` for Spark."""
    return {"spark": request.getfixturevalue("spark")} if request.param == "spark" else {}


def frame(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_names_map_to_folders(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert local_path("main.fraud.claims") == warehouse / "main" / "fraud" / "claims"
    assert local_path("./data/t") == Path("./data/t")
    assert local_path(str(tmp_path / "t")) == tmp_path / "t"
    monkeypatch.delenv("BRICKGATE_WAREHOUSE")
    assert warehouse_dir() == Path(".brickgate") / "warehouse"


@pytest.mark.parametrize("name", ["claims", "main.claims", "a.b.c.d", "main.fraud.1claims", "main.fr-aud.claims"])
def test_bad_names_are_refused(name: str, warehouse: Path) -> None:
    with pytest.raises(InputError) as error:
        local_path(name)
    assert str(error.value) == (
        f"table name '{name}' is not catalog.schema.table (letters, digits and _ in each part) or a folder path"
    )


def test_append_creates_then_adds_versions(warehouse: Path, engine: dict[str, Any]) -> None:
    assert not table_exists("main.s.t", **engine)
    first = write_table("main.s.t", frame(a=[1, 2], b=["x", "y"]), **engine)
    second = write_table("main.s.t", frame(a=[3], b=["z"]), **engine)
    assert (first.version, second.version, second.rows) == (0, 1, 1)
    assert second.location == str(warehouse / "main" / "s" / "t")
    assert table_exists("main.s.t", **engine)
    back = read_table("main.s.t", **engine).sort_values("a").reset_index(drop=True)
    pd.testing.assert_frame_equal(back, frame(a=[1, 2, 3], b=["x", "y", "z"]), check_dtype=False)
    assert len(read_table("main.s.t", version=0, **engine)) == 2  # history is kept


def test_overwrite_replaces_rows_and_keeps_history(warehouse: Path, engine: dict[str, Any]) -> None:
    write_table("main.s.t", frame(a=[1, 2]), **engine)
    written = write_table("main.s.t", frame(a=[9]), mode="overwrite", **engine)
    assert written.version == 1 and read_table("main.s.t", **engine)["a"].tolist() == [9]
    assert sorted(read_table("main.s.t", version=0, **engine)["a"].tolist()) == [1, 2]


def test_pandas_index_is_not_written(warehouse: Path) -> None:
    write_table("main.s.t", pd.DataFrame({"a": [1, 2]}, index=[10, 20]))
    write_table("main.s.t", pd.DataFrame({"a": [3]}, index=pd.Index(["k"], name="key")))
    assert list(read_table("main.s.t").columns) == ["a"]


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (frame(a=[3], b=["new"]), "new columns b"),
        (frame(c=[1]), "new columns c; missing columns a"),
        (frame(a=[3.5]), "a long -> double"),  # delta-rs alone would silently truncate 3.5 to 3
        (frame(a=["3"]), "a long -> string"),
    ],
)
def test_schema_change_is_refused(warehouse: Path, data: pd.DataFrame, detail: str, engine: dict[str, Any]) -> None:
    write_table("main.s.t", frame(a=[1]), **engine)
    for mode in ("append", "overwrite"):
        with pytest.raises(InputError) as error:
            write_table("main.s.t", data, mode=mode, **engine)
        assert str(error.value) == (
            f"table main.s.t: the data's schema differs from the table's ({detail}); "
            "write to another table, or evolve this one from Python: write_table(..., allow_schema_change=True)"
        )
    assert read_table("main.s.t", **engine)["a"].tolist() == [1]  # nothing was written


def test_widening_an_integer_is_not_a_change(warehouse: Path, engine: dict[str, Any]) -> None:
    write_table("main.s.t", frame(a=[1]), **engine)
    write_table("main.s.t", pd.DataFrame({"a": pd.Series([2], dtype="int32")}), **engine)
    assert sorted(read_table("main.s.t", **engine)["a"].tolist()) == [1, 2]


def test_schema_change_when_asked(warehouse: Path, engine: dict[str, Any]) -> None:
    write_table("main.s.t", frame(a=[1]), **engine)
    write_table("main.s.t", frame(a=[2], b=["x"]), allow_schema_change=True, **engine)
    back = read_table("main.s.t", **engine).sort_values("a")
    assert list(back.columns) == ["a", "b"] and back["b"].isna().tolist() == [True, False]
    write_table("main.s.t", frame(z=[0.5]), mode="overwrite", allow_schema_change=True, **engine)
    assert read_table("main.s.t", **engine).to_dict("list") == {"z": [0.5]}


def test_timestamps_round_trip_without_a_false_schema_change(warehouse: Path, engine: dict[str, Any]) -> None:
    stamps = pd.to_datetime(["2024-01-01 10:00", "2024-01-02 11:00"])
    write_table("main.s.t", frame(t=list(stamps), u=list(stamps.tz_localize("UTC"))), **engine)
    write_table("main.s.t", frame(t=list(stamps), u=list(stamps.tz_localize("UTC"))), **engine)
    assert len(read_table("main.s.t", **engine)) == 4


def test_folder_path_names(tmp_path: Path) -> None:
    target = tmp_path / "delta" / "results"
    write_table(str(target), frame(a=[1]))
    assert read_table(str(target))["a"].tolist() == [1] and (target / "_delta_log").is_dir()


def test_missing_table(warehouse: Path, engine: dict[str, Any]) -> None:
    with pytest.raises(InputError) as error:
        read_table("main.s.nope", **engine)
    assert str(error.value) == f"table main.s.nope does not exist (looked in {warehouse / 'main' / 's' / 'nope'})"


def test_bad_mode(warehouse: Path) -> None:
    with pytest.raises(InputError, match="write mode 'upsert' is not append or overwrite"):
        write_table("main.s.t", frame(a=[1]), mode="upsert")  # type: ignore[arg-type]


def test_spark_names_the_same_folder_locally_and_the_table_on_databricks(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert spark_name("main.s.t") == f"delta.`{(warehouse / 'main' / 's' / 't').resolve().as_posix()}`"
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
    assert spark_name("main.s.t") == "main.s.t"


class FailingWriter:
    """Spark's DataFrameWriter as Unity Catalog answers a write into a missing namespace."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def saveAsTable(self, name: str) -> None:
        raise self.error


@pytest.mark.parametrize(
    "message",
    [
        "[SCHEMA_NOT_FOUND] The schema `dev`.`claims_fraud` cannot be found. Verify the spelling.",
        "[NO_SUCH_CATALOG_EXCEPTION] Catalog 'dev' was not found. Please verify the catalog name.",
    ],
)
def test_on_databricks_a_missing_catalog_or_schema_is_its_own_error(message: str) -> None:
    with pytest.raises(InputError) as info:
        _save(FailingWriter(RuntimeError(message)), "dev.claims_fraud.t", "dev.claims_fraud.t")
    assert str(info.value).startswith("table dev.claims_fraud.t: its catalog or schema does not exist (")
    assert "differs" not in str(info.value)
