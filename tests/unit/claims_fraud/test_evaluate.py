from __future__ import annotations

import math

import numpy as np
import pytest

from claims_fraud.evaluate import Metrics, choose_winner, evaluate, recall_at_top


def test_metrics_by_hand() -> None:
    labels = np.array([1, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.1])
    metrics = evaluate(labels, scores)
    # Average precision: precision at each positive, in score order: 1/1 at 0.9, 2/3 at 0.7 → mean 5/6.
    assert metrics.pr_auc == pytest.approx(5 / 6)
    # ROC-AUC: positive/negative pairs ranked right: (0.9>0.8), (0.9>0.1), (0.7>0.1); (0.7<0.8) wrong → 3/4.
    assert metrics.roc_auc == pytest.approx(0.75)
    # Top 5 % of 4 rows = ⌈0.2⌉ = 1 row (0.9, a positive) → recall 1/2.
    assert metrics.recall_at_top == 0.5
    assert (metrics.rows, metrics.positives) == (4, 2)


def test_recall_at_top_breaks_ties_by_row_order() -> None:
    labels = np.array([0, 1, 1, 0])
    scores = np.array([0.5, 0.5, 0.5, 0.1])
    assert recall_at_top(labels, scores, 0.25) == 0.0  # top 1 row = row 0 (first of the tie)
    assert recall_at_top(labels, scores, 0.5) == 0.5  # rows 0 and 1


def test_recall_at_top_without_positives_is_nan() -> None:
    assert math.isnan(recall_at_top(np.zeros(10, dtype=int), np.linspace(0, 1, 10)))


def test_single_class_and_length_mismatch_are_refused() -> None:
    with pytest.raises(ValueError, match="single class"):
        evaluate(np.zeros(5, dtype=int), np.ones(5))
    with pytest.raises(ValueError, match="3 labels but 2 scores"):
        evaluate(np.array([0, 1, 0]), np.array([0.1, 0.2]))


def metrics(pr: float, roc: float, recall: float) -> Metrics:
    return Metrics(pr_auc=pr, roc_auc=roc, recall_at_top=recall, rows=10, positives=2)


def test_winner_by_pr_auc_then_roc_auc_then_recall_then_name() -> None:
    assert choose_winner({"catboost": metrics(0.5, 0.8, 0.3), "xgboost": metrics(0.4, 0.9, 0.9)}) == "catboost"
    assert choose_winner({"catboost": metrics(0.5, 0.8, 0.3), "xgboost": metrics(0.5, 0.9, 0.1)}) == "xgboost"
    assert choose_winner({"catboost": metrics(0.5, 0.9, 0.3), "xgboost": metrics(0.5, 0.9, 0.4)}) == "xgboost"
    assert choose_winner({"xgboost": metrics(0.5, 0.9, 0.3), "catboost": metrics(0.5, 0.9, 0.3)}) == "catboost"
    with pytest.raises(ValueError, match="no model results"):
        choose_winner({})
