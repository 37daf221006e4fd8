"""Paths to the bundle fixtures."""

from __future__ import annotations

from pathlib import Path

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"
VALID = BUNDLES / "valid"
BROKEN = BUNDLES / "broken"
