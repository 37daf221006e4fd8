"""Job task `feature_engineering`: raw claims → the features table with a time-ordered split."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from brickgate.tables import read_table, write_table
from claims_fraud import jobs
from claims_fraud.features import features_table


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="build_features", description=__doc__)
    jobs.table_arguments(parser)
    parser.add_argument("--claims-table", required=True)
    parser.add_argument("--features-table", required=True)
    args = parser.parse_args(argv)

    claims = read_table(jobs.table_name(args.catalog, args.schema, args.claims_table))
    table = features_table(claims)
    written = write_table(jobs.table_name(args.catalog, args.schema, args.features_table), table, mode="overwrite")
    counts = table["split"].value_counts().to_dict()
    print(f"wrote {written.rows} rows to {written.name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


def run() -> None:
    """Entry point `build_features` of the claims-fraud wheel (a python_wheel_task)."""
    jobs.run(main, program="build_features")


if __name__ == "__main__":
    run()
