"""Ingestion: claims from a file or the synthetic generator, checked, into a Delta table.

Tables are addressed by three-level name through `brickgate.tables`: Unity Catalog through Spark
on Databricks, local Delta folders under the warehouse elsewhere, with the same code.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from claims_fraud.features import LABEL
from claims_fraud.synthetic import COLUMNS, BiasSpec, DriftSpec, generate_claims

if TYPE_CHECKING:
    import pandas as pd

    from brickgate.tables import TableWrite, WriteMode

SYNTHETIC = "synthetic"
INTEGER_COLUMNS = ("num_procedures", "days_since_last_claim", "prior_claims_12m", "patient_age", "is_fraud")


def load_claims(
    source: str,
    *,
    size: int,
    seed: int,
    start: date = date(2025, 1, 1),
    bias: BiasSpec | None = None,
    drift: DriftSpec | None = None,
    labelled: bool = True,
) -> pd.DataFrame:
    """Claims from `source`: "synthetic" (generated from size, seed, start, bias, drift) or a Parquet/CSV file.

    New claims to score (`labelled=False`) have no known outcome yet: `is_fraud` is not required
    and is dropped when present, so a scoring batch never carries a label it could not have.

    Raises
    ------
    ValueError
        When a file is missing, of an unknown kind, or its claims fail `check_claims`.
    """
    import pandas as pd

    if source == SYNTHETIC:
        claims = generate_claims(size, seed=seed, start=start, bias=bias, drift=drift)
    else:
        path = Path(source)
        if not path.exists():
            raise ValueError(f"claims file {source} does not exist (give a .parquet or .csv file, or 'synthetic')")
        if path.suffix == ".parquet":
            claims = pd.read_parquet(path)
        elif path.suffix == ".csv":
            claims = pd.read_csv(path, dtype={"procedure_code": "string", "diagnosis_code": "string"})
        else:
            raise ValueError(f"claims file {source}: unknown kind '{path.suffix}' (valid: .parquet, .csv)")
    if not labelled:
        claims = claims.drop(columns=[LABEL], errors="ignore")
    check_claims(claims, source, labelled=labelled)
    return claims


def check_claims(claims: pd.DataFrame, source: str, *, labelled: bool = True) -> None:
    """Refuse claims a model should never see: missing columns, duplicate ids, bad labels.

    >>> import pandas as pd
    >>> check_claims(pd.DataFrame({"claim_id": ["a"]}), "upload.csv")
    Traceback (most recent call last):
    ...
    ValueError: upload.csv: column 'provider_id' is missing (needed: claim_id, provider_id, ...)
    """
    needed = columns(labelled=labelled)
    for name in needed:
        if name not in claims.columns:
            raise ValueError(f"{source}: column '{name}' is missing (needed: {', '.join(needed)})")
    if claims.empty:
        raise ValueError(f"{source}: no claims")
    if claims["claim_id"].isna().any() or claims["claim_id"].duplicated().any():
        raise ValueError(f"{source}: claim_id must be unique and not null")
    if labelled and (claims[LABEL].isna().any() or not set(claims[LABEL].unique().tolist()) <= {0, 1}):
        raise ValueError(f"{source}: is_fraud must be 0 or 1 on every row")


def columns(*, labelled: bool) -> tuple[str, ...]:
    """The claims columns, with or without the label.

    >>> columns(labelled=False)[-1]
    'service_date'
    """
    return COLUMNS if labelled else tuple(name for name in COLUMNS if name != LABEL)


def write_claims(claims: pd.DataFrame, table: str, *, mode: WriteMode = "overwrite") -> TableWrite:
    """Write claims (columns `COLUMNS`, without the label when absent, stable types) to `table`;
    a training snapshot overwrites, Delta keeps the earlier versions for time travel."""
    import pandas as pd

    from brickgate.tables import write_table

    frame = claims[list(columns(labelled=LABEL in claims.columns))].copy()
    for name in INTEGER_COLUMNS:
        if name in frame.columns:
            frame[name] = frame[name].astype("int64")
    frame["service_date"] = pd.to_datetime(frame["service_date"]).dt.date
    return write_table(table, frame, mode=mode)
