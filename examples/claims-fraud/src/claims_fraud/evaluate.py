"""Model metrics for a rare-event ranking problem, and the rule that picks the better model.

Fraud teams review the claims a model ranks highest, so the metrics are about ranking: PR-AUC
(average precision; its baseline is the fraud rate, not 0.5), ROC-AUC, and the share of all fraud
found in the top 5 % of claims (what an investigation team with that capacity would catch).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

TOP_SHARE = 0.05


@dataclass(frozen=True, kw_only=True)
class Metrics:
    """Ranking metrics of one model on one labelled split."""

    pr_auc: float
    roc_auc: float
    recall_at_top: float
    rows: int
    positives: int

    def as_dict(self, prefix: str = "") -> dict[str, float]:
        return {f"{prefix}{name}": float(value) for name, value in asdict(self).items()}


def recall_at_top(labels: np.ndarray, scores: np.ndarray, share: float = TOP_SHARE) -> float:
    """Share of positives among the ⌈share·n⌉ highest scores: TP_top / P.

    Ties at the cut are broken by row order (a stable sort on −score), so the count reviewed is
    always exactly ⌈share·n⌉. NaN when there is no positive.

    Examples
    --------
    Ten claims, top 20 % = the 2 highest scores (0.9 and 0.8); positives are rows 0, 1 and 5,
    of which rows 0 and 1 are in the top 2, so recall = 2 / 3.

    >>> labels = np.array([1, 1, 0, 0, 0, 1, 0, 0, 0, 0])
    >>> scores = np.array([0.9, 0.8, 0.7, 0.1, 0.2, 0.3, 0.1, 0.1, 0.1, 0.1])
    >>> round(recall_at_top(labels, scores, 0.2), 4)
    0.6667
    """
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share must be in (0, 1], got {share}")
    positives = int(np.sum(labels == 1))
    if positives == 0:
        return math.nan
    top = math.ceil(share * labels.size)
    order = np.argsort(-scores, kind="stable")[:top]
    return float(np.sum(labels[order] == 1) / positives)


def evaluate(labels: np.ndarray, scores: np.ndarray) -> Metrics:
    """PR-AUC (sklearn average precision), ROC-AUC and recall at the top 5 %.

    Raises
    ------
    ValueError
        When labels and scores differ in length or the labels hold a single class.
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=np.float64)
    if labels.shape != scores.shape:
        raise ValueError(f"{labels.size} labels but {scores.size} scores")
    if np.unique(labels).size < 2:
        raise ValueError("evaluation labels hold a single class; PR-AUC and ROC-AUC are undefined")
    return Metrics(
        pr_auc=float(average_precision_score(labels, scores)),
        roc_auc=float(roc_auc_score(labels, scores)),
        recall_at_top=recall_at_top(labels, scores),
        rows=int(labels.size),
        positives=int(np.sum(labels == 1)),
    )


def choose_winner(results: Mapping[str, Metrics]) -> str:
    """The better model: highest PR-AUC, then ROC-AUC, then recall at the top, then name.

    PR-AUC leads because it measures ranking quality where it matters for a rare class; the
    name makes the choice deterministic on an exact tie.

    >>> a = Metrics(pr_auc=0.61, roc_auc=0.90, recall_at_top=0.5, rows=100, positives=4)
    >>> b = Metrics(pr_auc=0.61, roc_auc=0.93, recall_at_top=0.4, rows=100, positives=4)
    >>> choose_winner({"catboost": a, "xgboost": b})
    'xgboost'
    """
    if not results:
        raise ValueError("no model results to compare")
    return max(
        sorted(results), key=lambda name: (results[name].pr_auc, results[name].roc_auc, results[name].recall_at_top)
    )
