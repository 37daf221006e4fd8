"""Job task `model_registration`: register the winning candidate with alias `challenger`.

Runs only when both gates passed (the job's `depends_on`), and copies their verdicts from the
candidate's run onto the model version, where `brickgate promote-model --require-gates` and
auditors find them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from claims_fraud import gates, jobs, register, tracking


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="register_model", description=__doc__)
    parser.add_argument("--model-name", required=True)
    parser.add_argument("--run-id", required=True, help="the candidate's MLflow run")
    parser.add_argument("--experiment", required=True)
    args = parser.parse_args(argv)

    from mlflow import MlflowClient

    tracking.configure(args.experiment)
    run = MlflowClient().get_run(args.run_id)
    tags = {
        key: value
        for key, value in run.data.tags.items()
        if key.startswith("brickgate.") or key in (tracking.MODEL_KIND_TAG, tracking.JOB_RUN_TAG)
    }
    registration = register.register_candidate(
        f"runs:/{args.run_id}/model",
        args.model_name,
        run_id=args.run_id,
        tags=tags,
    )
    verdicts = ", ".join(
        f"{gate} {tags.get(gates.VERDICT_TAG.format(gate=gate), 'unknown')}" for gate in ("fairness", "psi")
    )
    print(f"registered {registration.name} version {registration.version} as {registration.alias} ({verdicts})")
    jobs.set_task_values(model_version=registration.version)
    return 0


def run() -> None:
    """Entry point `register_model` of the claims-fraud wheel (a python_wheel_task)."""
    jobs.run(main, program="register_model")


if __name__ == "__main__":
    run()
