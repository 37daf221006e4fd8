"""Small gate inputs with a known verdict, for the act end-to-end tests and `self-test.yml`.

The fair table gives every gender × age-band cell the same list of scores, so every group's
selection rate above any percentile is equal and disparate impact is exactly 1. The biased table
adds 0.5 to the scores of one gender only, so the top 5 % are all that gender (DI of the other
group = 0, CRITICAL). The stable current sample is the reference sample shuffled (PSI exactly 0
for every feature); the drifted one shifts `amount` by one standard deviation (PSI ≈ 1, far above
the 0.25 fail threshold). Run as a script to write the files: `python tests/e2e/data.py OUTDIR`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

GENDERS = ("F", "M")
AGE_BANDS = ("18-39", "40-64", "65+")
CELL_ROWS = 200  # 6 cells × 200 = 1 200 rows; every group is far above min-group-size 30
DRIFT_ROWS = 2000

FILES = ("fair.parquet", "biased.parquet", "reference.parquet", "current_stable.parquet", "current_drifted.parquet")


def fairness_table(*, biased: bool) -> pd.DataFrame:
    """Scores per claim with `gender` and `age_band`; biased=True favours gender F."""
    scores = np.linspace(0.0, 1.0, CELL_ROWS)
    cells = [
        pd.DataFrame({"score": scores + (0.5 if biased and gender == "F" else 0.0), "gender": gender, "age_band": age})
        for gender in GENDERS
        for age in AGE_BANDS
    ]
    table = pd.concat(cells, ignore_index=True)
    table["label"] = (np.arange(len(table)) % 7 == 0).astype(int)
    return table


def drift_tables(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Reference, stable current (reference shuffled) and drifted current (amount + 1 sd)."""
    rng = np.random.default_rng(seed)
    reference = pd.DataFrame(
        {
            "amount": rng.normal(1000.0, 250.0, DRIFT_ROWS),
            "age": rng.integers(18, 90, DRIFT_ROWS),
            "region": rng.choice(["north", "south", "east", "west"], DRIFT_ROWS),
        }
    )
    stable = reference.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    drifted = stable.assign(amount=stable["amount"] + 250.0)
    return reference, stable, drifted


def write_all(folder: Path) -> dict[str, Path]:
    """Write the five Parquet files into `folder`; returns name → path."""
    folder.mkdir(parents=True, exist_ok=True)
    reference, stable, drifted = drift_tables()
    tables = (fairness_table(biased=False), fairness_table(biased=True), reference, stable, drifted)
    paths = {}
    for name, table in zip(FILES, tables, strict=True):
        paths[name] = folder / name
        table.to_parquet(paths[name], index=False)
    return paths


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "e2e-data")).values():
        print(written)
