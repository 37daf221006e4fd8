"""brickgate: fairness and drift gates for Databricks ML models, from a laptop to GitHub Actions.

The Python API (docs/python-api.md): `fairness_gate`, `psi_gate`, `psi_profile`, `publish` and
`promote`. Importing brickgate imports none of pandas, pyspark, scipy or mlflow.
"""

from __future__ import annotations

__version__ = "0.1.0"

from brickgate.api import fairness_gate, promote, psi_gate, psi_profile, publish

__all__ = ["__version__", "fairness_gate", "promote", "psi_gate", "psi_profile", "publish"]
