"""Fitting a version's calibration and its threshold table, and choosing thresholds by target rates.

The ensemble regresses a 0-100 risk target, which is not a probability. `fit_calibration`
maps its raw scores to fraud probabilities on held-out documents (scikit-learn's
LogisticRegression for a sigmoid, as in Platt scaling, or IsotonicRegression), and
`threshold_table` says, for every whole risk score, what share of genuine documents and of
fraud would be at or above it on the version's evaluation set.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from models.calibration import ISOTONIC, SCORE_SCALE, SIGMOID, Calibration

MIN_CALIBRATION_ROWS = 20
ISOTONIC_BREAKPOINTS = 64  # enough for a smooth map, small in a manifest


def fit_calibration(raw: np.ndarray, labels: np.ndarray, method: str = SIGMOID) -> Calibration:
    """A Calibration of raw scores (0..100) against fraud labels (1 = fraud) of held-out documents.

    With fewer than MIN_CALIBRATION_ROWS rows or a single class there is nothing to fit on:
    the map is the identity (raw / 100), and the version says so.
    """
    raw, labels = np.asarray(raw, dtype=np.float64), np.asarray(labels, dtype=np.int64)
    if len(raw) < MIN_CALIBRATION_ROWS or len(np.unique(labels)) < 2:
        return Calibration("identity")
    if method == ISOTONIC:
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, labels)
        grid = np.unique(np.concatenate([[0.0, 100.0], np.linspace(raw.min(), raw.max(), ISOTONIC_BREAKPOINTS)]))
        return Calibration(ISOTONIC, x=tuple(grid.round(4)), y=tuple(iso.predict(grid).round(6)))
    from sklearn.linear_model import LogisticRegression

    # Regularised (C=1) so that a holdout the ensemble separates perfectly still gets a finite slope:
    # a document between the classes then reads as uncertain, not as 0 or 1.
    z = ((raw - 50.0) / SCORE_SCALE).reshape(-1, 1)
    model = LogisticRegression(C=1.0).fit(z, labels)
    return Calibration(
        SIGMOID, slope=round(float(model.coef_[0, 0]), 6), intercept=round(float(model.intercept_[0]), 6)
    )


def threshold_table(scores: np.ndarray, labels: np.ndarray, prevalence: float) -> list[dict[str, Any]]:
    """For each whole threshold 1..100 of calibrated risk scores: the share of genuine documents at or
    above it (false-positive rate), the recall of fraud, and the precision at fraud `prevalence`."""
    scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=np.int64)
    genuine, fraud = np.sort(scores[labels == 0]), np.sort(scores[labels == 1])
    rows = []
    for threshold in range(1, 101):
        fpr = _share_at_or_above(genuine, threshold)
        recall = _share_at_or_above(fraud, threshold)
        flagged = recall * prevalence + fpr * (1 - prevalence)
        rows.append(
            {
                "threshold": float(threshold),
                "false_positive_rate": round(fpr, 5),
                "recall": round(recall, 5),
                "precision": round(recall * prevalence / flagged, 5) if flagged > 0 else None,
            }
        )
    return rows


def _share_at_or_above(sorted_scores: np.ndarray, threshold: float) -> float:
    if len(sorted_scores) == 0:
        return 0.0
    return float(len(sorted_scores) - np.searchsorted(sorted_scores, threshold, side="left")) / len(sorted_scores)


def thresholds_for_targets(table: list[dict[str, Any]], max_false_reject_rate: float, max_escalate_rate: float) -> dict:
    """The lowest thresholds whose false-positive rate stays within each target: {"escalate", "reject"}."""

    def lowest(rate: float) -> float:
        return next((row["threshold"] for row in table if row["false_positive_rate"] <= rate), 100.0)

    return {"escalate": lowest(max_escalate_rate), "reject": lowest(max_false_reject_rate)}
