"""Job task `data_ingestion`: claims (synthetic or an uploaded file) into a Delta table.

Also creates the MLflow experiment, so the parallel training tasks never race to create it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date

from claims_fraud import data_ingestion, jobs, tracking
from claims_fraud.features import LABEL
from claims_fraud.synthetic import BiasSpec, DriftSpec


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="ingest_data", description=__doc__)
    jobs.table_arguments(parser)
    parser.add_argument("--table", required=True, help="table to (over)write, e.g. claims_raw")
    parser.add_argument("--source", default=data_ingestion.SYNTHETIC, help="'synthetic' or a .parquet/.csv file")
    parser.add_argument("--size", type=int, default=300_000, help="synthetic claims to generate")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start-date", type=date.fromisoformat, default=date(2025, 1, 1))
    parser.add_argument("--bias-attribute", default="", help="protected attribute to plant a bias in (demo)")
    parser.add_argument("--bias-group", default="", help="group of that attribute the bias works against")
    parser.add_argument("--bias-strength", type=float, default=1.0)
    parser.add_argument("--drift-features", type=jobs.word_list, default=(), help="features to shift (demo)")
    parser.add_argument("--drift-strength", type=float, default=1.0)
    parser.add_argument("--experiment", default="", help="MLflow experiment to create for the run")
    parser.add_argument("--unlabelled", action="store_true", help="new claims to score: no is_fraud column")
    args = parser.parse_args(argv)

    bias = BiasSpec(attribute=args.bias_attribute, group=args.bias_group, strength=args.bias_strength)
    drift = DriftSpec(features=args.drift_features, strength=args.drift_strength)
    claims = data_ingestion.load_claims(
        args.source,
        size=args.size,
        seed=args.seed,
        start=args.start_date,
        bias=bias if args.bias_attribute else None,
        drift=drift if args.drift_features else None,
        labelled=not args.unlabelled,
    )
    written = data_ingestion.write_claims(claims, jobs.table_name(args.catalog, args.schema, args.table))
    if args.experiment:
        tracking.configure(args.experiment)
    rate = f" (fraud rate {claims[LABEL].mean():.2%})" if LABEL in claims.columns else ""
    print(f"ingested {written.rows} claims into {written.name}{rate}")
    jobs.set_task_values(rows=written.rows)
    return 0


def run() -> None:
    """Entry point `ingest_data` of the claims-fraud wheel (a python_wheel_task)."""
    jobs.run(main, program="ingest_data")


if __name__ == "__main__":
    run()
