"""Job tasks `train_catboost` and `train_xgboost`: fit one model and log everything to MLflow.

The run gets the parameters, validation metrics, the model (pyfunc with signature and input
example) and the PSI baseline profile of the validation split with this model's scores, which
monitoring later compares new claims against.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from brickgate.tables import read_table
from claims_fraud import evaluate, gates, jobs, tracking, tree_models
from claims_fraud.features import LABEL, MONITORED_FEATURES, model_frame
from claims_fraud.model import log_model
from claims_fraud.score import SCORE_COLUMN


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="train_model", description=__doc__)
    jobs.table_arguments(parser)
    parser.add_argument("--features-table", required=True)
    parser.add_argument("--model", required=True, choices=tree_models.MODEL_KINDS)
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--job-run-id", default="", help="the job run, tagged on the MLflow run")
    defaults = tree_models.TrainConfig()
    parser.add_argument("--iterations", type=int, default=defaults.iterations)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--depth", type=int, default=defaults.depth)
    parser.add_argument("--early-stopping-rounds", type=int, default=defaults.early_stopping_rounds)
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args(argv)

    import mlflow

    config = tree_models.TrainConfig(
        iterations=args.iterations,
        learning_rate=args.learning_rate,
        depth=args.depth,
        early_stopping_rounds=args.early_stopping_rounds,
        threads=args.threads,
        seed=args.seed,
    )
    table = read_table(jobs.table_name(args.catalog, args.schema, args.features_table))
    train = table[table["split"] == "train"]
    valid = table[table["split"] == "valid"]
    tracking.configure(args.experiment)
    tags = {tracking.JOB_RUN_TAG: args.job_run_id, tracking.MODEL_KIND_TAG: args.model, tracking.ROLE_TAG: "training"}
    with mlflow.start_run(run_name=f"train-{args.model}", tags=tags) as run:
        trained = tree_models.train(
            args.model,
            model_frame(train),
            train[LABEL].to_numpy(),
            model_frame(valid),
            valid[LABEL].to_numpy(),
            config=config,
        )
        valid_scores = tree_models.predict_proba(trained, model_frame(valid))
        metrics = evaluate.evaluate(valid[LABEL].to_numpy(), valid_scores)
        mlflow.log_params({**trained.params, "train_rows": len(train), "valid_rows": len(valid)})
        mlflow.log_metrics({**metrics.as_dict("valid_"), "best_iteration": trained.best_iteration})
        info = log_model(trained, train)
        reference = valid.assign(**{SCORE_COLUMN: valid_scores})
        with tempfile.TemporaryDirectory() as scratch:
            profile = Path(scratch) / Path(gates.PROFILE_ARTIFACT).name
            gates.baseline_profile(reference, MONITORED_FEATURES, score_column=SCORE_COLUMN, out=profile)
            mlflow.log_artifact(str(profile), str(Path(gates.PROFILE_ARTIFACT).parent))
    print(
        f"{args.model}: valid PR-AUC {metrics.pr_auc:.3f}, ROC-AUC {metrics.roc_auc:.3f}, "
        f"recall@5% {metrics.recall_at_top:.3f} (best iteration {trained.best_iteration}); run {run.info.run_id}"
    )
    jobs.set_task_values(run_id=run.info.run_id, model_uri=info.model_uri)
    return 0


def run() -> None:
    """Entry point `train_model` of the claims-fraud wheel (a python_wheel_task)."""
    jobs.run(main, program="train_model")


if __name__ == "__main__":
    run()
