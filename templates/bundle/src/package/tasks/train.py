"""Train the model and register it with the alias challenger (replace with your training)."""

from __future__ import annotations

import argparse


def main() -> None:
    """Entry point `train` of the project's wheel (a python_wheel_task)."""
    parser = argparse.ArgumentParser(prog="train", description=__doc__)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--schema", required=True)
    args = parser.parse_args()
    print(f"train: {args.catalog}.{args.schema}")


if __name__ == "__main__":
    main()
