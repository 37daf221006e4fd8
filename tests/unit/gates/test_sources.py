from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from brickgate.errors import InputError
from brickgate.gates import sources

FRAME = pd.DataFrame({"score": [0.1, 0.9, 0.5], "gender": ["F", "M", None], "extra": [1, 2, 3]})


def _same(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["score", "gender"]
    assert frame["score"].tolist() == [0.1, 0.9, 0.5]
    assert frame["gender"].tolist()[:2] == ["F", "M"]
    assert pd.isna(frame["gender"].iloc[2])


def test_reads_parquet_file_and_folder(tmp_path: Path) -> None:
    FRAME.to_parquet(tmp_path / "one.parquet")
    _same(sources.read_pandas(str(tmp_path / "one.parquet"), ["score", "gender"]))
    folder = tmp_path / "parts"
    folder.mkdir()
    FRAME.iloc[:2].to_parquet(folder / "a.parquet")
    FRAME.iloc[2:].to_parquet(folder / "b.parquet")
    (folder / "_SUCCESS").write_text("")
    _same(sources.read_pandas(str(folder), ["score", "gender"]))


def test_reads_csv_file_and_folder(tmp_path: Path) -> None:
    FRAME.to_csv(tmp_path / "one.csv", index=False)
    _same(sources.read_pandas(str(tmp_path / "one.csv"), ["score", "gender"]))
    folder = tmp_path / "csvs"
    folder.mkdir()
    FRAME.iloc[:2].to_csv(folder / "a.csv", index=False)
    FRAME.iloc[2:].to_csv(folder / "b.csv", index=False)
    _same(sources.read_pandas(str(folder), ["score", "gender"]))


def test_reads_delta_folder_and_table_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from brickgate.tables import write_table

    monkeypatch.setenv("BRICKGATE_WAREHOUSE", str(tmp_path / "wh"))
    write_table("main.fraud.claims", FRAME)
    _same(sources.read_pandas("main.fraud.claims", ["score", "gender"]))
    _same(sources.read_pandas(str(tmp_path / "wh" / "main" / "fraud" / "claims"), ["score", "gender"]))


def test_categorical_parquet_columns_stay_categorical(tmp_path: Path) -> None:
    FRAME.astype({"gender": "category"}).to_parquet(tmp_path / "cat.parquet")
    frame = sources.read_pandas(str(tmp_path / "cat.parquet"), ["gender"])
    assert isinstance(frame["gender"].dtype, pd.CategoricalDtype)


def test_missing_column_suggests_closest(tmp_path: Path) -> None:
    FRAME.to_parquet(tmp_path / "d.parquet")
    with pytest.raises(InputError) as info:
        sources.read_pandas(str(tmp_path / "d.parquet"), ["scroe"])
    assert str(info.value) == (
        f"{tmp_path / 'd.parquet'}: column 'scroe' not found; did you mean 'score'? (columns: score, gender, extra)"
    )
    with pytest.raises(InputError, match=r"column 'zzz' not found \(columns"):
        sources.require_columns(["a"], ["zzz"], "src")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "no such file, folder or table"),
        (lambda p: (p.write_text("x"), p)[1], "cannot tell the file type"),
        (lambda p: (p.mkdir(), p)[1], "folder holds no Parquet or CSV files"),
    ],
)
def test_bad_sources(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path / "thing.txt")  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        sources.read_pandas(str(path))


def test_corrupt_and_empty_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"bad.parquet: cannot read Parquet data: "):
        sources.read_pandas(str(bad))
    empty = tmp_path / "empty.csv"
    empty.write_text("score,gender\n")
    with pytest.raises(InputError, match=r"empty.csv: no rows$"):
        sources.read_pandas(str(empty), ["score"])


def test_unknown_table_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRICKGATE_WAREHOUSE", str(tmp_path))
    with pytest.raises(InputError, match=r"^main.x.y: no such file, folder or table"):
        sources.read_pandas("main.x.y")


@pytest.mark.spark
def test_read_spark_resolves_relative_paths_against_python_cwd(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JVM keeps the working directory it started in; `monkeypatch.chdir` moves only Python's.
    A relative SOURCE must mean the same file for both engines, and messages keep the name given."""
    monkeypatch.chdir(tmp_path)
    FRAME.to_parquet("d.parquet")
    Path("csv").mkdir()
    FRAME.iloc[:2].to_csv("csv/part-0.csv", index=False)
    parquet = sources.read_spark(spark, "d.parquet", ["score", "gender"])
    assert sorted(parquet.toPandas()["score"]) == [0.1, 0.5, 0.9]
    assert sources.read_spark(spark, "./csv", ["score"]).count() == 2
    with pytest.raises(InputError, match=r"^d.parquet: column 'scroe' not found; did you mean 'score'\?"):
        sources.read_spark(spark, "d.parquet", ["scroe"])
