"""Job tasks `psi_monitoring` (training) and `drift_check` (monitoring): the PSI drift gate.

Compares the inputs and scores in `--data-table` with the baseline profile the model's training
run logged (`runs:/<run id>/psi/baseline_profile.json`): in training the candidate's own run,
in monitoring the run behind the model under `--alias` (the champion). Logs like the fairness
task; exits like the gate: 0 no drift, 1 drift with `--fail-on-drift`, 2 no verdict.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from claims_fraud import gates, jobs
from claims_fraud.features import MONITORED_FEATURES


def profile_run(args: argparse.Namespace) -> str:
    """The training run holding the baseline profile: `--run-id`, or the run of `--model-name@--alias`."""
    if args.run_id:
        return str(args.run_id)
    if not args.model_name:
        raise ValueError("give --run-id (the candidate's run) or --model-name and --alias to find the profile")
    from mlflow import MlflowClient

    from claims_fraud import tracking

    tracking.configure(args.experiment)
    return str(MlflowClient().get_model_version_by_alias(args.model_name, args.alias).run_id)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="psi_monitor", description=__doc__)
    gates.add_task_arguments(parser)
    parser.add_argument("--features", type=jobs.word_list, default=MONITORED_FEATURES)
    parser.add_argument("--fail-on-drift", action="store_true")
    parser.add_argument("--model-name", default="")
    parser.add_argument("--alias", default="champion")
    args = parser.parse_args(argv)
    jobs.load_alert_secrets(args.alert, args.secret_scope)

    data = gates.task_data(args)
    version = gates.model_version(data)
    run = gates.drift(data, args, profile=f"runs:/{profile_run(args)}/{gates.PROFILE_ARTIFACT}")
    return gates.record(run, args, model_version=version)


def run() -> None:
    """Entry point `psi_monitor` of the claims-fraud wheel (a python_wheel_task)."""
    jobs.run(main, program="psi_monitor")


if __name__ == "__main__":
    run()
