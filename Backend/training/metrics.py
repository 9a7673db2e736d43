"""How good a version's risk scores are, on the metrics the admin pages show."""

from __future__ import annotations

import numpy as np

METRIC_NAMES = ("r2", "mae", "roc_auc", "precision_reject", "recall_reject")
HIGHER_IS_BETTER = {"r2": True, "mae": False, "roc_auc": True, "precision_reject": True, "recall_reject": True}


def is_worse(candidate: float, active: float, metric: str, tolerance: float) -> bool:
    """Whether `candidate` is worse than `active` on `metric` by more than `tolerance`."""
    drop = active - candidate if HIGHER_IS_BETTER[metric] else candidate - active
    return drop > tolerance


def evaluate(targets: np.ndarray, labels: np.ndarray, scores: np.ndarray, high_threshold: float) -> dict[str, float]:
    """R², MAE against the risk targets; ROC-AUC, precision, recall of REJECT (score >= high) against fraud labels."""
    # Imported here so that reading metric names (the retraining config does) needs no scikit-learn.
    from sklearn.metrics import mean_absolute_error, precision_score, r2_score, recall_score, roc_auc_score

    flagged = scores >= high_threshold
    both_classes = len(np.unique(labels)) == 2
    return {
        "r2": round(float(r2_score(targets, scores)), 4),
        "mae": round(float(mean_absolute_error(targets, scores)), 4),
        "roc_auc": round(float(roc_auc_score(labels, scores)), 4) if both_classes else float("nan"),
        "precision_reject": round(float(precision_score(labels, flagged, zero_division=0)), 4),
        "recall_reject": round(float(recall_score(labels, flagged, zero_division=0)), 4),
        "n_samples": int(len(labels)),
    }
