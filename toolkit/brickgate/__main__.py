"""`python -m brickgate` runs the CLI."""

from __future__ import annotations

from brickgate.cli import main

main()
