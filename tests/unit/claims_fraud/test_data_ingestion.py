from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from brickgate.tables import read_table
from claims_fraud.data_ingestion import load_claims, write_claims
from claims_fraud.synthetic import COLUMNS, generate_claims


def test_synthetic_source_is_the_generator() -> None:
    claims = load_claims("synthetic", size=300, seed=5, start=date(2026, 1, 1))
    assert claims.equals(generate_claims(300, seed=5, start=date(2026, 1, 1)))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_uploaded_files_load_with_their_types(tmp_path: Path, suffix: str) -> None:
    claims = generate_claims(200, seed=5)
    path = tmp_path / f"claims{suffix}"
    claims.to_csv(path, index=False) if suffix == ".csv" else claims.to_parquet(path)
    loaded = load_claims(str(path), size=0, seed=0)
    assert loaded["procedure_code"].astype(str).tolist() == claims["procedure_code"].tolist()
    assert len(loaded) == 200


def test_written_table_has_the_claims_schema(warehouse: Path) -> None:
    claims = generate_claims(100, seed=5)
    written = write_claims(claims, "local.fraud.claims_raw")
    back = read_table("local.fraud.claims_raw")
    assert (written.rows, tuple(back.columns)) == (100, COLUMNS)
    assert back["service_date"].iloc[0] == claims["service_date"].iloc[0]
    assert write_claims(claims.head(10), "local.fraud.claims_raw").rows == 10  # a snapshot overwrites
    assert len(read_table("local.fraud.claims_raw")) == 10


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.drop(columns=["is_fraud"]), "column 'is_fraud' is missing"),
        (lambda c: c.assign(claim_id="same"), "claim_id must be unique"),
        (lambda c: c.assign(is_fraud=2), "is_fraud must be 0 or 1"),
        (lambda c: c.iloc[:0], "no claims"),
    ],
)
def test_bad_uploads_are_refused_with_the_reason(tmp_path: Path, change: object, message: str) -> None:
    path = tmp_path / "upload.parquet"
    change(generate_claims(50, seed=1)).to_parquet(path)  # type: ignore[operator]
    with pytest.raises(ValueError, match=f"upload.parquet: {message}"):
        load_claims(str(path), size=0, seed=0)


def test_unknown_file_kind_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown kind '\.json'"):
        (tmp_path / "claims.json").write_text("[]")
        load_claims(str(tmp_path / "claims.json"), size=0, seed=0)
    with pytest.raises(ValueError, match="does not exist"):
        load_claims(str(tmp_path / "nope.csv"), size=0, seed=0)


def test_new_claims_to_score_carry_no_label(warehouse: Path) -> None:
    batch = load_claims("synthetic", size=100, seed=5, labelled=False)
    assert "is_fraud" not in batch.columns
    write_claims(batch, "local.fraud.incoming")
    assert tuple(read_table("local.fraud.incoming").columns) == COLUMNS[:-1]  # is_fraud is the last column


def test_an_unlabelled_upload_is_accepted_only_for_scoring(tmp_path: Path) -> None:
    path = tmp_path / "incoming.parquet"
    generate_claims(50, seed=1).drop(columns=["is_fraud"]).to_parquet(path)
    assert len(load_claims(str(path), size=0, seed=0, labelled=False)) == 50
    with pytest.raises(ValueError, match="column 'is_fraud' is missing"):
        load_claims(str(path), size=0, seed=0)
