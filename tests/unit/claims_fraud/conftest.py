"""Make the reference project's `claims_fraud` package importable, as `brickgate run` does."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "claims-fraud"
if str(EXAMPLE / "src") not in sys.path:
    sys.path.insert(0, str(EXAMPLE / "src"))

# mlflow 3.17 warns (UserWarning "Any type hint is inferred as AnyType") while importing its own
# response types, once per process; pytest turns warnings into errors, so import it here, quietly.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    import mlflow.pyfunc  # noqa: F401


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh local Delta warehouse for `brickgate.tables`."""
    folder = tmp_path / "warehouse"
    monkeypatch.setenv("BRICKGATE_WAREHOUSE", str(folder))
    return folder
