"""Job tasks `fairness_analysis` (training) and `fairness_check` (monitoring): the fairness gate.

Runs `brickgate.fairness_gate` (the Spark engine on Databricks) on the scores in `--data-table`
(in training, the candidate's test-split scores; in monitoring, the newest batch of the
predictions table) and logs the result and reports to the candidate's MLflow run (or a new
monitoring run), tagged with the verdict.
Exits like the gate: 0 fair, 1 bias found with `--fail-on-bias`, 2 no verdict.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from claims_fraud import gates, jobs
from claims_fraud.synthetic import PROTECTED_ATTRIBUTES


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="fairness_validate", description=__doc__)
    gates.add_task_arguments(parser)
    parser.add_argument("--protected-attributes", type=jobs.word_list, default=PROTECTED_ATTRIBUTES)
    parser.add_argument("--threshold-percentile", type=float, default=95.0)
    parser.add_argument("--fail-on-bias", action="store_true")
    parser.add_argument("--model-name", default="")
    args = parser.parse_args(argv)
    jobs.load_alert_secrets(args.alert, args.secret_scope)

    data = gates.task_data(args)
    version = gates.model_version(data)
    run = gates.fairness(data, args, version=version)
    return gates.record(run, args, model_version=version)


def run() -> None:
    """Entry point `fairness_validate` of the claims-fraud wheel (a python_wheel_task)."""
    jobs.run(main, program="fairness_validate")


if __name__ == "__main__":
    run()
