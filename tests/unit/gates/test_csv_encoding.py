"""A CSV that is not UTF-8 is one error naming the file and the byte offset, never b'F\\xe9' group labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from brickgate.errors import InputError
from brickgate.gates import sources
from tests.unit.test_deadline import brickgate

LATIN_1 = "score,gender\n0.9,Fé\n0.1,M\n".encode("latin-1")  # é is byte 18


def test_a_latin_1_csv_names_the_file_and_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(LATIN_1)
    with pytest.raises(InputError) as caught:
        sources.read_pandas(str(path), ["score", "gender"])
    assert str(caught.value) == f"{path}: not valid UTF-8 at byte 18; save the CSV as UTF-8"


def test_in_a_folder_the_undecodable_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("score,gender\n0.5,Zoë\n", encoding="utf-8")
    (tmp_path / "b.csv").write_bytes(LATIN_1)
    with pytest.raises(InputError, match=r"b\.csv: not valid UTF-8 at byte 18"):
        sources.read_pandas(str(tmp_path), ["score", "gender"])


def test_utf_8_labels_are_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("score,gender\n0.9,Fé\n0.1,M\n", encoding="utf-8")
    assert sources.read_pandas(str(path), ["gender"])["gender"].tolist() == ["Fé", "M"]


def test_the_gate_exits_2_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(LATIN_1)
    code, out, err, _ = brickgate(
        ["fairness-gate", "--data", str(path), "--score-column", "score", "--protected-attributes", "gender"],
        tmp_path,
    )
    assert code == 2, out + err
    assert err == f"brickgate: error: {path}: not valid UTF-8 at byte 18; save the CSV as UTF-8\n"


def test_the_offset_counts_a_character_cut_by_a_read_chunk(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a" * ((1 << 20) - 1) + "é".encode() + b"\xff")  # é spans the first 1 MiB chunk's end
    assert (
        str(sources._not_utf8([str(path)], "big.csv"))
        == f"{path}: not valid UTF-8 at byte {(1 << 20) + 1}; save the CSV as UTF-8"
    )
