"""Job task `model_evaluation`: score the test split with every candidate and pick the winner.

Each candidate's run gets its test metrics; an evaluation run records the comparison; the
winner's test-split scores go to the evaluation predictions table, which the fairness and PSI
tasks gate.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from brickgate.tables import read_table, write_table
from claims_fraud import evaluate, jobs, tracking
from claims_fraud.features import LABEL, RAW_INPUTS
from claims_fraud.score import SCORE_COLUMN
from claims_fraud.synthetic import PROTECTED_ATTRIBUTES

BAD_CANDIDATE = "candidate '{item}' is not model_kind=run_id"


def parse_candidates(text: str) -> dict[str, str]:
    """`catboost=<run id>,xgboost=<run id>` → {kind: run id}."""
    candidates: dict[str, str] = {}
    for item in jobs.word_list(text):
        kind, _, run_id = item.partition("=")
        if not kind or not run_id:
            raise argparse.ArgumentTypeError(BAD_CANDIDATE.format(item=item))
        candidates[kind.strip()] = run_id.strip()
    if not candidates:
        raise argparse.ArgumentTypeError("no candidates given (--candidates catboost=<run id>,xgboost=<run id>)")
    return candidates


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="evaluate_models", description=__doc__)
    jobs.table_arguments(parser)
    parser.add_argument("--features-table", required=True)
    parser.add_argument("--predictions-table", required=True, help="where the winner's test-split scores go")
    parser.add_argument("--candidates", required=True, type=parse_candidates)
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--job-run-id", default="")
    args = parser.parse_args(argv)

    import mlflow
    import pandas as pd

    table = read_table(jobs.table_name(args.catalog, args.schema, args.features_table))
    test = table[table["split"] == "test"].reset_index(drop=True)
    model_input = test[list(RAW_INPUTS)].assign(service_date=pd.to_datetime(test["service_date"]))
    labels = test[LABEL].to_numpy()
    tracking.configure(args.experiment)
    client = mlflow.MlflowClient()
    results: dict[str, evaluate.Metrics] = {}
    scores = {}
    for kind, run_id in args.candidates.items():
        model = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
        scores[kind] = model.predict(model_input)
        results[kind] = evaluate.evaluate(labels, scores[kind])
        for name, value in results[kind].as_dict("test_").items():
            client.log_metric(run_id, name, value)
    winner = evaluate.choose_winner(results)
    comparison = {kind: metrics.as_dict() for kind, metrics in results.items()}
    tags = {tracking.JOB_RUN_TAG: args.job_run_id, tracking.ROLE_TAG: "evaluation"}
    with mlflow.start_run(run_name="model-evaluation", tags=tags):
        for kind, metrics in results.items():
            mlflow.log_metrics(metrics.as_dict(f"{kind}_test_"))
        mlflow.log_dict({"winner": winner, "candidates": comparison, "runs": args.candidates}, "comparison.json")
        mlflow.set_tag("claims_fraud.winner", winner)
    client.set_tag(args.candidates[winner], "claims_fraud.candidate", "true")

    rows = test[["claim_id", LABEL, *PROTECTED_ATTRIBUTES, *RAW_INPUTS]].assign(
        **{SCORE_COLUMN: scores[winner], "model_kind": winner}
    )
    write_table(jobs.table_name(args.catalog, args.schema, args.predictions_table), rows, mode="overwrite")
    print(json.dumps({"winner": winner, "test": comparison}, indent=2))
    jobs.set_task_values(candidate_run_id=args.candidates[winner], candidate_kind=winner)
    return 0


def run() -> None:
    """Entry point `evaluate_models` of the claims-fraud wheel (a python_wheel_task)."""
    jobs.run(main, program="evaluate_models")


if __name__ == "__main__":
    run()
