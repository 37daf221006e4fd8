"""Validate the challenger in staging and write the scored and feature tables the gates read."""

from __future__ import annotations

import argparse


def main() -> None:
    """Entry point `validate` of the project's wheel (a python_wheel_task)."""
    parser = argparse.ArgumentParser(prog="validate", description=__doc__)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--schema", required=True)
    args = parser.parse_args()
    print(f"validate: {args.catalog}.{args.schema}")


if __name__ == "__main__":
    main()
