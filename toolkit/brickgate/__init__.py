"""brickgate: fairness and drift gates for Databricks ML models, from a laptop to GitHub Actions."""

from __future__ import annotations

__version__ = "0.1.0"
