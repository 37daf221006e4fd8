from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from claims_fraud import tree_models
from claims_fraud.evaluate import evaluate
from claims_fraud.features import CATEGORICAL_FEATURES, features_table, model_frame
from claims_fraud.synthetic import generate_claims

CONFIG = tree_models.TrainConfig(iterations=60, early_stopping_rounds=15)


@pytest.fixture(scope="module")
def splits() -> dict[str, pd.DataFrame]:
    table = features_table(generate_claims(8000, seed=21))
    return {name: table[table["split"] == name] for name in ("train", "valid", "test")}


def fit(kind: tree_models.ModelKind, splits: dict[str, pd.DataFrame]) -> tree_models.TrainedModel:
    train, valid = splits["train"], splits["valid"]
    return tree_models.train(
        kind,
        model_frame(train),
        train["is_fraud"].to_numpy(),
        model_frame(valid),
        valid["is_fraud"].to_numpy(),
        config=CONFIG,
    )


@pytest.mark.parametrize("kind", tree_models.MODEL_KINDS)
def test_both_libraries_learn_the_planted_patterns(
    kind: tree_models.ModelKind, splits: dict[str, pd.DataFrame]
) -> None:
    model = fit(kind, splits)
    test = splits["test"]
    metrics = evaluate(test["is_fraud"].to_numpy(), tree_models.predict_proba(model, model_frame(test)))
    assert metrics.roc_auc > 0.65
    assert metrics.pr_auc > 2 * test["is_fraud"].mean()  # well above the no-skill baseline (the fraud rate)
    assert 0 <= model.best_iteration < CONFIG.iterations


def test_native_categoricals_class_weight_and_one_thread(splits: dict[str, pd.DataFrame]) -> None:
    catboost = fit("catboost", splits)
    names = catboost.estimator.feature_names_
    assert [names[i] for i in catboost.estimator.get_cat_feature_indices()] == list(CATEGORICAL_FEATURES)
    assert catboost.params["thread_count"] == 1
    xgboost = fit("xgboost", splits)
    assert xgboost.params["enable_categorical"] is True and xgboost.params["n_jobs"] == 1
    labels = splits["train"]["is_fraud"].to_numpy()
    expected = (labels == 0).sum() / (labels == 1).sum()
    assert xgboost.params["scale_pos_weight"] == pytest.approx(expected)
    assert catboost.params["class_weights"] == [1.0, pytest.approx(expected)]


@pytest.mark.parametrize("kind", tree_models.MODEL_KINDS)
def test_save_and_load_give_the_same_scores(
    kind: tree_models.ModelKind, splits: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    model = fit(kind, splits)
    loaded = tree_models.load(tree_models.save(model, tmp_path))
    frame = model_frame(splits["test"])
    np.testing.assert_allclose(tree_models.predict_proba(loaded, frame), tree_models.predict_proba(model, frame))


def test_a_split_with_one_class_is_refused(splits: dict[str, pd.DataFrame]) -> None:
    train = splits["train"]
    with pytest.raises(ValueError, match="need both classes"):
        tree_models.train("xgboost", model_frame(train), np.zeros(len(train)), model_frame(train), np.zeros(len(train)))


def test_load_refuses_an_unknown_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a saved model"):
        tree_models.load(tmp_path / "model.pkl")
