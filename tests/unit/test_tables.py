"""Local Delta tables by three-level name: append, overwrite, schema refusal, time travel, names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from brickgate.errors import InputError
from brickgate.tables import local_path, read_table, table_exists, warehouse_dir, write_table


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "warehouse"
    monkeypatch.setenv("BRICKGATE_WAREHOUSE", str(folder))
    return folder


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


def test_append_creates_then_adds_versions(warehouse: Path) -> None:
    assert not table_exists("main.s.t")
    first = write_table("main.s.t", frame(a=[1, 2], b=["x", "y"]))
    second = write_table("main.s.t", frame(a=[3], b=["z"]))
    assert (first.version, second.version, second.rows) == (0, 1, 1)
    assert second.location == str(warehouse / "main" / "s" / "t")
    assert table_exists("main.s.t")
    back = read_table("main.s.t").sort_values("a").reset_index(drop=True)
    pd.testing.assert_frame_equal(back, frame(a=[1, 2, 3], b=["x", "y", "z"]), check_dtype=False)
    assert len(read_table("main.s.t", version=0)) == 2  # history is kept


def test_overwrite_replaces_rows_and_keeps_history(warehouse: Path) -> None:
    write_table("main.s.t", frame(a=[1, 2]))
    written = write_table("main.s.t", frame(a=[9]), mode="overwrite")
    assert written.version == 1 and read_table("main.s.t")["a"].tolist() == [9]
    assert sorted(read_table("main.s.t", version=0)["a"].tolist()) == [1, 2]


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
def test_schema_change_is_refused(warehouse: Path, data: pd.DataFrame, detail: str) -> None:
    write_table("main.s.t", frame(a=[1]))
    for mode in ("append", "overwrite"):
        with pytest.raises(InputError) as error:
            write_table("main.s.t", data, mode=mode)
        assert str(error.value) == (
            f"table main.s.t: the data's schema differs from the table's ({detail}); "
            "write to another table, or evolve this one from Python: write_table(..., allow_schema_change=True)"
        )
    assert read_table("main.s.t")["a"].tolist() == [1]  # nothing was written


def test_widening_an_integer_is_not_a_change(warehouse: Path) -> None:
    write_table("main.s.t", frame(a=[1]))
    write_table("main.s.t", pd.DataFrame({"a": pd.Series([2], dtype="int32")}))
    assert sorted(read_table("main.s.t")["a"].tolist()) == [1, 2]


def test_schema_change_when_asked(warehouse: Path) -> None:
    write_table("main.s.t", frame(a=[1]))
    write_table("main.s.t", frame(a=[2], b=["x"]), allow_schema_change=True)
    back = read_table("main.s.t").sort_values("a")
    assert list(back.columns) == ["a", "b"] and back["b"].isna().tolist() == [True, False]
    write_table("main.s.t", frame(z=[0.5]), mode="overwrite", allow_schema_change=True)
    assert read_table("main.s.t").to_dict("list") == {"z": [0.5]}


def test_timestamps_round_trip_without_a_false_schema_change(warehouse: Path) -> None:
    stamps = pd.to_datetime(["2024-01-01 10:00", "2024-01-02 11:00"])
    write_table("main.s.t", frame(t=list(stamps), u=list(stamps.tz_localize("UTC"))))
    write_table("main.s.t", frame(t=list(stamps), u=list(stamps.tz_localize("UTC"))))
    assert len(read_table("main.s.t")) == 4


def test_folder_path_names(tmp_path: Path) -> None:
    target = tmp_path / "delta" / "results"
    write_table(str(target), frame(a=[1]))
    assert read_table(str(target))["a"].tolist() == [1] and (target / "_delta_log").is_dir()


def test_missing_table(warehouse: Path) -> None:
    with pytest.raises(InputError) as error:
        read_table("main.s.nope")
    assert str(error.value) == f"table main.s.nope does not exist (looked in {warehouse / 'main' / 's' / 'nope'})"


def test_bad_mode(warehouse: Path) -> None:
    with pytest.raises(InputError, match="write mode 'upsert' is not append or overwrite"):
        write_table("main.s.t", frame(a=[1]), mode="upsert")  # type: ignore[arg-type]


class FakeWriter:
    """Records the calls `write_table` makes on Spark's DataFrameWriter (no JVM needed)."""

    def __init__(self, calls: list[tuple[str, object]], error: Exception | None = None) -> None:
        self.calls, self.error = calls, error

    def format(self, name: str) -> FakeWriter:
        self.calls.append(("format", name))
        return self

    def mode(self, name: str) -> FakeWriter:
        self.calls.append(("mode", name))
        return self

    def option(self, key: str, value: str) -> FakeWriter:
        self.calls.append(("option", (key, value)))
        return self

    def saveAsTable(self, name: str) -> None:
        self.calls.append(("saveAsTable", name))
        if self.error is not None:
            raise self.error


class FakeSpark:
    def __init__(self, calls: list[tuple[str, object]], error: Exception | None = None) -> None:
        self.calls, self.error = calls, error

    def createDataFrame(self, data: pd.DataFrame) -> FakeSpark:
        self.calls.append(("rows", len(data)))
        return self

    @property
    def write(self) -> FakeWriter:
        return FakeWriter(self.calls, self.error)


@pytest.mark.parametrize(
    ("mode", "allow", "expected_option"),
    [
        ("append", False, None),
        ("append", True, ("mergeSchema", "true")),
        ("overwrite", True, ("overwriteSchema", "true")),
    ],
)
def test_on_databricks_writes_through_spark(
    monkeypatch: pytest.MonkeyPatch, mode: str, allow: bool, expected_option: tuple[str, str] | None
) -> None:
    calls: list[tuple[str, object]] = []
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
    monkeypatch.setattr("brickgate.tables._spark", lambda: FakeSpark(calls))
    written = write_table("main.s.t", frame(a=[1, 2]), mode=mode, allow_schema_change=allow)  # type: ignore[arg-type]
    expected = [("rows", 2), ("format", "delta"), ("mode", mode)]
    expected += [("option", expected_option)] if expected_option else []
    assert calls == [*expected, ("saveAsTable", "main.s.t")]
    assert (written.location, written.rows, written.version) == ("main.s.t", 2, None)


def test_on_databricks_a_schema_mismatch_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    error = RuntimeError("[_LEGACY_ERROR_TEMP_DELTA_0007] A schema mismatch detected when writing to the Delta table")
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
    monkeypatch.setattr("brickgate.tables._spark", lambda: FakeSpark([], error))
    with pytest.raises(InputError, match=r"table main\.s\.t: the data's schema differs from the table's"):
        write_table("main.s.t", frame(a=[1]))


@pytest.mark.parametrize(
    "message",
    [
        "[SCHEMA_NOT_FOUND] The schema `dev`.`claims_fraud` cannot be found. Verify the spelling.",
        "[NO_SUCH_CATALOG_EXCEPTION] Catalog 'dev' was not found. Please verify the catalog name.",
    ],
)
def test_on_databricks_a_missing_catalog_or_schema_is_its_own_error(
    monkeypatch: pytest.MonkeyPatch, message: str
) -> None:
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
    monkeypatch.setattr("brickgate.tables._spark", lambda: FakeSpark([], RuntimeError(message)))
    with pytest.raises(InputError) as info:
        write_table("dev.claims_fraud.t", frame(a=[1]), allow_schema_change=True)
    assert str(info.value).startswith("table dev.claims_fraud.t: its catalog or schema does not exist (")
    assert "differs" not in str(info.value)
