"""CatBoost and XGBoost fraud classifiers behind one small interface.

Both use the categorical columns natively (CatBoost `cat_features`, XGBoost
`enable_categorical=True` on pandas category dtype), weight the rare fraud class, and stop early
on a validation split. Thread counts default to 1 so the two training tasks of the job really
run side by side on a 2-core machine instead of fighting over the same cores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

from claims_fraud.features import CATEGORICAL_FEATURES, FEATURES

if TYPE_CHECKING:
    import pandas as pd

ModelKind = Literal["catboost", "xgboost"]
MODEL_KINDS: tuple[str, ...] = get_args(ModelKind)
MODEL_FILES: Mapping[ModelKind, str] = {"catboost": "model.cbm", "xgboost": "model.ubj"}


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """Hyper-parameters shared by both libraries (each maps them to its own names)."""

    iterations: int = 400
    learning_rate: float = 0.08
    depth: int = 6
    early_stopping_rounds: int = 40
    threads: int = 1
    seed: int = 42


@dataclass(frozen=True, kw_only=True)
class TrainedModel:
    """A fitted classifier, the iteration early stopping kept, and the parameters to log."""

    kind: ModelKind
    estimator: Any
    best_iteration: int
    params: Mapping[str, Any] = field(default_factory=dict)


def positive_class_weight(labels: np.ndarray) -> float:
    """Weight of a fraud example: w = n_negative / n_positive, so both classes weigh the same in total.

    >>> positive_class_weight(np.array([0, 0, 0, 1]))
    3.0
    """
    positives = int(np.sum(labels == 1))
    if positives == 0 or positives == labels.size:
        raise ValueError("training labels need both classes (no fraud, or only fraud, in the training split)")
    return float((labels.size - positives) / positives)


def train(
    kind: ModelKind,
    train_x: pd.DataFrame,
    train_y: np.ndarray,
    valid_x: pd.DataFrame,
    valid_y: np.ndarray,
    *,
    config: TrainConfig = TrainConfig(),
) -> TrainedModel:
    """Fit `kind` on the training split, early-stopping on the validation split's PR-AUC.

    Raises
    ------
    ValueError
        For an unknown kind or a split with a single class.
    """
    weight = positive_class_weight(np.asarray(train_y))
    if kind == "catboost":
        return _train_catboost(train_x, train_y, valid_x, valid_y, config, weight)
    if kind == "xgboost":
        return _train_xgboost(train_x, train_y, valid_x, valid_y, config, weight)
    raise ValueError(f"unknown model kind '{kind}'; valid: {', '.join(MODEL_KINDS)}")


def predict_proba(model: TrainedModel, features: pd.DataFrame) -> np.ndarray:
    """P(fraud) per row, as float64."""
    proba: np.ndarray = model.estimator.predict_proba(features[list(FEATURES)])[:, 1]
    return proba.astype(np.float64)


def save(model: TrainedModel, directory: Path) -> Path:
    """Write the model in its library's native format; return the file."""
    path = directory / MODEL_FILES[model.kind]
    model.estimator.save_model(str(path))
    return path


def load(path: Path) -> TrainedModel:
    """Read a model written by `save` (the file name tells the library)."""
    kinds = {name: kind for kind, name in MODEL_FILES.items()}
    if path.name not in kinds:
        raise ValueError(f"{path}: not a saved model (expected one of {', '.join(sorted(kinds))})")
    kind = kinds[path.name]
    if kind == "catboost":
        from catboost import CatBoostClassifier

        estimator: Any = CatBoostClassifier()
    else:
        from xgboost import XGBClassifier

        estimator = XGBClassifier()
    estimator.load_model(str(path))
    return TrainedModel(kind=kind, estimator=estimator, best_iteration=-1)


def _train_catboost(
    train_x: pd.DataFrame,
    train_y: np.ndarray,
    valid_x: pd.DataFrame,
    valid_y: np.ndarray,
    config: TrainConfig,
    weight: float,
) -> TrainedModel:
    from catboost import CatBoostClassifier

    params: dict[str, Any] = {
        "iterations": config.iterations,
        "learning_rate": config.learning_rate,
        "depth": config.depth,
        "loss_function": "Logloss",
        "eval_metric": "PRAUC",
        "class_weights": [1.0, weight],
        "od_type": "Iter",
        "od_wait": config.early_stopping_rounds,
        "use_best_model": True,
        "thread_count": config.threads,
        "random_seed": config.seed,
    }
    estimator = CatBoostClassifier(**params, verbose=False, allow_writing_files=False)
    estimator.fit(
        train_x[list(FEATURES)],
        train_y,
        cat_features=list(CATEGORICAL_FEATURES),
        eval_set=(valid_x[list(FEATURES)], valid_y),
    )
    return TrainedModel(
        kind="catboost", estimator=estimator, best_iteration=int(estimator.get_best_iteration()), params=params
    )


def _train_xgboost(
    train_x: pd.DataFrame,
    train_y: np.ndarray,
    valid_x: pd.DataFrame,
    valid_y: np.ndarray,
    config: TrainConfig,
    weight: float,
) -> TrainedModel:
    from xgboost import XGBClassifier

    params: dict[str, Any] = {
        "n_estimators": config.iterations,
        "learning_rate": config.learning_rate,
        "max_depth": config.depth,
        "objective": "binary:logistic",
        "eval_metric": "aucpr",
        "tree_method": "hist",
        "enable_categorical": True,
        "max_cat_to_onehot": 1,
        "scale_pos_weight": weight,
        "early_stopping_rounds": config.early_stopping_rounds,
        "n_jobs": config.threads,
        "random_state": config.seed,
    }
    estimator = XGBClassifier(**params)
    estimator.fit(train_x[list(FEATURES)], train_y, eval_set=[(valid_x[list(FEATURES)], valid_y)], verbose=False)
    return TrainedModel(
        kind="xgboost", estimator=estimator, best_iteration=int(estimator.best_iteration), params=params
    )
