"""Job task `score_claims` (scoring job): the champion scores the incoming claims.

Predictions are appended to the predictions table, one batch per job run, never overwritten.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime, timezone

from brickgate.tables import read_table, write_table
from claims_fraud import jobs, score, tracking


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="score_claims", description=__doc__)
    jobs.table_arguments(parser)
    parser.add_argument("--claims-table", required=True)
    parser.add_argument("--predictions-table", required=True)
    parser.add_argument("--model-name", required=True)
    parser.add_argument("--alias", default="champion")
    parser.add_argument("--batch-id", required=True, help="identifies this batch, e.g. {{job.run_id}}")
    parser.add_argument("--experiment", required=True)
    args = parser.parse_args(argv)

    tracking.configure(args.experiment)
    claims = read_table(jobs.table_name(args.catalog, args.schema, args.claims_table))
    model = score.load_model(args.model_name, args.alias)
    predictions = score.score_claims(claims, model, batch_id=args.batch_id, scored_at=datetime.now(timezone.utc))
    written = write_table(jobs.table_name(args.catalog, args.schema, args.predictions_table), predictions)
    print(
        f"scored {written.rows} claims with {model.name} version {model.version} (@{model.alias}) "
        f"into {written.name}; mean score {predictions[score.SCORE_COLUMN].mean():.4f}"
    )
    jobs.set_task_values(rows=written.rows, model_version=model.version)
    return 0


def run() -> None:
    """Entry point `score_claims` of the claims-fraud wheel (a python_wheel_task)."""
    jobs.run(main, program="score_claims")


if __name__ == "__main__":
    run()
