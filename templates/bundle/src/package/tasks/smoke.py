"""Smoke test after a deploy: the job runs and can see its catalog and schema."""

from __future__ import annotations

import argparse


def main() -> None:
    """Entry point `smoke` of the project's wheel (a python_wheel_task)."""
    parser = argparse.ArgumentParser(prog="smoke", description=__doc__)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--schema", required=True)
    args = parser.parse_args()
    print(f"smoke: {args.catalog}.{args.schema}")


if __name__ == "__main__":
    main()
