"""Unsupervised anomaly scoring: how unlike the genuine documents seen in training a document is.

Each model version carries one anomaly detector beside its supervised ensemble, fitted on
the genuine training documents (see `core.anomaly_kinds` for the kinds and
`training.anomaly` for fitting). This module is the serving side: it loads a fitted
detector from its manifest block and artifact, scores feature rows and explains a score
by the features that are furthest from what genuine documents looked like. It needs
neither scikit-learn nor pandas.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .anomaly_kinds import ANOMALY_KINDS, Scorer

TOP_ANOMALOUS_FEATURES = 3
SCALED_CLIP = 20.0  # standard deviations; keeps one absurd value from saturating distance-based kinds


def scale_rows(X: np.ndarray, center: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Standardised float32 rows, clipped to +-SCALED_CLIP."""
    Z = (np.asarray(X, dtype=np.float64) - center) / scale
    np.maximum(Z, -SCALED_CLIP, out=Z)  # np.clip, without its Python-level overhead on one document
    np.minimum(Z, SCALED_CLIP, out=Z)
    return Z.astype(np.float32)


@dataclass(frozen=True)
class AnomalyScores:
    """Scores of n rows: `scores` (n,), `is_anomalous` (n,), and each feature's part of each row's anomaly.

    `weights` (n, n_features) are unnormalised (a feature's share is its weight over the
    row's total); for the autoencoder they are the per-feature reconstruction errors.
    """

    scores: np.ndarray
    is_anomalous: np.ndarray
    weights: np.ndarray
    reconstruction_errors: np.ndarray | None


@dataclass(frozen=True)
class AnomalyModel:
    """A fitted anomaly detector as it serves: immutable, shared by every request of its version."""

    kind: str
    threshold: float
    percentile: float
    center: np.ndarray  # per feature: mean of the genuine training rows
    scale: np.ndarray  # per feature: their standard deviation (1 where constant)
    range_low: np.ndarray  # per feature: typical range of genuine training rows (percentiles)
    range_high: np.ndarray
    scorer: Scorer

    @classmethod
    def from_manifest(cls, block: dict[str, Any], artifact: bytes) -> "AnomalyModel":
        """Build from a manifest's `anomaly` block and the artifact it names; KeyError/ValueError if malformed."""
        kind = block["kind"]
        if kind not in ANOMALY_KINDS:
            raise ValueError(f"unknown anomaly detector kind {kind!r}")
        return cls(
            kind=kind,
            threshold=float(block["threshold"]),
            percentile=float(block["percentile"]),
            center=np.asarray(block["center"], dtype=np.float64),
            scale=np.asarray(block["scale"], dtype=np.float64),
            range_low=np.asarray(block["range_low"], dtype=np.float64),
            range_high=np.asarray(block["range_high"], dtype=np.float64),
            scorer=ANOMALY_KINDS[kind].scorer(artifact),
        )

    def score(self, X: np.ndarray) -> AnomalyScores:
        """Score raw feature rows (n, n_features), as the feature extractor makes them."""
        X = np.asarray(X, dtype=np.float64)
        scores, errors = self.scorer(scale_rows(X, self.center, self.scale))
        scores = np.asarray(scores, dtype=np.float64).reshape(len(X))
        return AnomalyScores(
            scores=scores,
            is_anomalous=scores > self.threshold,
            weights=errors if errors is not None else self._range_deviation(X),
            reconstruction_errors=errors,
        )

    def _range_deviation(self, X: np.ndarray) -> np.ndarray:
        """How far each value lies outside the typical range, in standard deviations.

        Rows with every value inside its range (anomalous only in combination) fall back
        to the distance from the centre, so an explanation is never empty.
        """
        deviation = (np.maximum(self.range_low - X, 0) + np.maximum(X - self.range_high, 0)) / self.scale
        inside = ~deviation.any(axis=1)
        if inside.any():
            deviation[inside] = np.abs(X[inside] - self.center) / self.scale
        return deviation

    def explain(self, X: np.ndarray, feature_names: tuple[str, ...]) -> list[dict[str, Any]]:
        """The `anomaly` block of each raw feature row of X (n, n_features)."""
        X = np.asarray(X, dtype=np.float64)
        scored = self.score(X)
        # One conversion to Python lists, then plain Python per row (see BaseFraudDetector._top_features).
        weights, values, scores = scored.weights.tolist(), X.tolist(), scored.scores.tolist()
        flags = scored.is_anomalous.tolist()
        low, high = self.rounded_ranges
        has_errors = scored.reconstruction_errors is not None
        threshold = round(self.threshold, 6)
        blocks = []
        for row_weights, row_values, score, flag in zip(weights, values, scores, flags):
            total = sum(row_weights)
            features = []
            for j in top_indices(row_weights, TOP_ANOMALOUS_FEATURES):
                share = round(row_weights[j] / total, 4) if total > 0 else 0.0
                if share > 0:
                    features.append({"feature_name": feature_names[j], "actual_value": round(row_values[j], 4),
                                     "typical_range": [low[j], high[j]], "share": share,
                                     "reconstruction_error": round(row_weights[j], 6) if has_errors else None})
            blocks.append({"score": round(score, 6), "is_anomalous": flag, "threshold": threshold,
                           "detector": self.kind, "top_features": features})
        return blocks

    @cached_property  # a frozen dataclass still has an instance __dict__ for this cache
    def rounded_ranges(self) -> tuple[list[float], list[float]]:
        """The typical range per feature as reported, rounded once per model rather than per document."""
        return [round(v, 4) for v in self.range_low.tolist()], [round(v, 4) for v in self.range_high.tolist()]


def top_indices(weights: list[float], k: int) -> list[int]:
    """Indices of the k largest weights, largest first, ties in feature order (as a stable argsort of -weights)."""
    return sorted(range(len(weights)), key=weights.__getitem__, reverse=True)[:k]
