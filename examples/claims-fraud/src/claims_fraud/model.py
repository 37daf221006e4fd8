"""The MLflow model that is registered and served: raw claims in, P(fraud) out.

Both libraries are wrapped in one pyfunc that runs `build_features` itself, so a scoring job (or
a serving endpoint) passes raw claim columns and can never feed features built another way. The
native model file is an artifact of the pyfunc, the `claims_fraud` package travels with it
(`code_paths`), and MLflow loads it from code (`pyfunc_entry.py`) rather than from a pickle, so
loading it needs only the pinned libraries.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mlflow.pyfunc
import numpy as np
import pandas as pd
from mlflow.pyfunc.model import PythonModel

from claims_fraud import tree_models
from claims_fraud.features import RAW_INPUTS, build_features

if TYPE_CHECKING:
    from mlflow.models.model import ModelInfo

MODEL_ARTIFACT = "model"
PACKAGE_DIR = Path(__file__).resolve().parent


class FraudModel(PythonModel):
    """pyfunc wrapper: `predict(raw claims) -> P(fraud)` for a CatBoost or XGBoost model.

    `model_input` is annotated `pd.DataFrame` (resolvable at runtime, hence the module-level
    pandas import): MLflow then leaves validation to the logged signature instead of converting
    the input by type hint.
    """

    def __init__(self) -> None:
        self._model: tree_models.TrainedModel | None = None

    def load_context(self, context: Any) -> None:
        self._model = tree_models.load(Path(context.artifacts[MODEL_ARTIFACT]))

    def predict(self, context: Any, model_input: pd.DataFrame, params: Mapping[str, Any] | None = None) -> np.ndarray:
        if self._model is None:
            self.load_context(context)
        assert self._model is not None
        return tree_models.predict_proba(self._model, build_features(model_input))


def log_model(trained: tree_models.TrainedModel, example_claims: pd.DataFrame) -> ModelInfo:
    """Log `trained` as a pyfunc with signature and input example in the active MLflow run."""
    from mlflow.models import infer_signature

    example = example_claims[list(RAW_INPUTS)].head(5).copy()
    example["service_date"] = pd.to_datetime(example["service_date"])
    predictions = tree_models.predict_proba(trained, build_features(example))
    with warnings.catch_warnings():  # its hint: integer columns cannot hold nulls; claim counts never are null
        warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer", category=UserWarning)
        signature = infer_signature(example, predictions)
    requirements = [f"{name}=={version(name)}" for name in ("mlflow", trained.kind, "pandas", "numpy")]
    with tempfile.TemporaryDirectory() as scratch:
        native = tree_models.save(trained, Path(scratch))
        info: ModelInfo = mlflow.pyfunc.log_model(
            name=MODEL_ARTIFACT,
            python_model=str(PACKAGE_DIR / "pyfunc_entry.py"),
            artifacts={MODEL_ARTIFACT: str(native)},
            code_paths=[str(PACKAGE_DIR)],
            signature=signature,
            input_example=example,
            pip_requirements=requirements,
        )
    return info
