"""The file MLflow executes to load the model ("models from code"): no pickled Python objects.

MLflow runs this file when it loads a logged claims-fraud model (with the `claims_fraud`
package on the path from the model's `code_paths`); `FraudModel.load_context` then reads the
native CatBoost or XGBoost file from the model's artifacts.
"""

from __future__ import annotations

from mlflow.models import set_model

from claims_fraud.model import FraudModel

set_model(FraudModel())
