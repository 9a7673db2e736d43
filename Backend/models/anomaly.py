"""Unsupervised anomaly scoring: how unlike the genuine documents seen in training a document is.

Each model version carries one anomaly detector beside its supervised ensemble, fitted on
the genuine training documents (`training.anomaly_fitting` fits them). This module is the
serving side: it loads a fitted detector from its manifest block and artifact, scores feature rows and explains a score
by the features that are furthest from what genuine documents looked like. It needs
neither scikit-learn nor pandas.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from models.serving import onnx_session

TOP_ANOMALOUS_FEATURES = 3
SCALED_CLIP = 20.0  # standard deviations; keeps one absurd value from saturating distance-based kinds


# The scorers of each kind: artifact bytes -> scoring function. The fitting side of each kind
# lives in training/anomaly_fitting.py; a kind is one fitter there and one entry here.
Scorer = Callable[[np.ndarray], tuple[np.ndarray, "np.ndarray | None"]]


def onnx_output_scorer(output: str, sign: float) -> Callable[[bytes], Scorer]:
    """Scorer factory running one ONNX graph and reading one output, times `sign`."""

    def load(artifact: bytes) -> Scorer:
        session = onnx_session(artifact)
        input_name = session.get_inputs()[0].name

        def score(Z: np.ndarray) -> tuple[np.ndarray, None]:
            values = session.run([output], {input_name: np.ascontiguousarray(Z, dtype=np.float32)})[0]
            return sign * values.reshape(len(Z)).astype(np.float64), None

        return score

    return load


def autoencoder_scorer(artifact: bytes) -> Scorer:
    """Mean squared reconstruction error; each feature's squared error is its part of the anomaly."""
    session = onnx_session(artifact)
    input_name = session.get_inputs()[0].name

    def score(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        Z = np.ascontiguousarray(Z, dtype=np.float32)
        errors = session.run(None, {input_name: Z})[0].reshape(Z.shape).astype(np.float64)
        errors -= Z  # in place: on one document each temporary array costs as much as the arithmetic
        errors *= errors
        return errors.sum(axis=1) / errors.shape[1], errors

    return score


KNN_CHUNK_ROWS = 1000


def knn_lof_scorer(artifact: bytes) -> Scorer:
    """Local outlier factor from the stored neighbourhood, as scikit-learn's `score_samples` computes it."""
    with np.load(io.BytesIO(artifact), allow_pickle=False) as data:
        points = data["points"].astype(np.float64)
        k_distance, lrd, k = data["k_distance"], data["lrd"], int(data["n_neighbors"][0])
    squared_norms = (points**2).sum(axis=1)

    def chunk(Z: np.ndarray) -> np.ndarray:
        Z = Z.astype(np.float64)
        d2 = (Z**2).sum(axis=1)[:, None] - 2 * Z @ points.T + squared_norms[None, :]
        nearest = np.argpartition(d2, k - 1, axis=1)[:, :k]
        distance = np.sqrt(np.maximum(np.take_along_axis(d2, nearest, axis=1), 0))
        reach = np.maximum(distance, k_distance[nearest])
        own_lrd = 1.0 / (reach.mean(axis=1) + 1e-10)
        return lrd[nearest].mean(axis=1) / own_lrd

    def score(Z: np.ndarray) -> tuple[np.ndarray, None]:
        parts = [chunk(Z[i : i + KNN_CHUNK_ROWS]) for i in range(0, len(Z), KNN_CHUNK_ROWS)]
        return (np.concatenate(parts) if parts else np.zeros(0)), None

    return score


SCORERS: dict[str, Callable[[bytes], Scorer]] = {
    "isolation_forest": onnx_output_scorer("anomaly_score", 1.0),  # 2^(-mean path / c), in (0, 1)
    "knn_lof": knn_lof_scorer,
    "one_class_svm": onnx_output_scorer("scores", -1.0),  # minus the decision function
    "autoencoder": autoencoder_scorer,
}


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
    def from_manifest(cls, block: dict[str, Any], artifact: bytes) -> AnomalyModel:
        """Build from a manifest's `anomaly` block and the artifact it names; KeyError/ValueError if malformed."""
        kind = block["kind"]
        if kind not in SCORERS:
            raise ValueError(f"unknown anomaly detector kind {kind!r}")
        return cls(
            kind=kind,
            threshold=float(block["threshold"]),
            percentile=float(block["percentile"]),
            center=np.asarray(block["center"], dtype=np.float64),
            scale=np.asarray(block["scale"], dtype=np.float64),
            range_low=np.asarray(block["range_low"], dtype=np.float64),
            range_high=np.asarray(block["range_high"], dtype=np.float64),
            scorer=SCORERS[kind](artifact),
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
        """How far each value lies outside the typical range, in standard deviations (0 inside it)."""
        return (np.maximum(self.range_low - X, 0) + np.maximum(X - self.range_high, 0)) / self.scale

    def explain(self, X: np.ndarray, feature_names: tuple[str, ...]) -> list[dict[str, Any]]:
        """The `anomaly` block of each raw feature row of X (n, n_features).

        Its `top_features` name only values outside their typical range: a value inside it
        explains nothing to a reviewer, even where the detector weighs it. A document
        anomalous only in the combination of typical values has none.
        """
        X = np.asarray(X, dtype=np.float64)
        scored = self.score(X)
        outside = (X < self.range_low) | (X > self.range_high)
        # One conversion to Python lists, then plain Python per row (see FraudDetector._top_features).
        weights, values, scores = scored.weights.tolist(), X.tolist(), scored.scores.tolist()
        named = np.where(outside, scored.weights, 0.0).tolist()
        flags = scored.is_anomalous.tolist()
        low, high = self.rounded_ranges
        has_errors = scored.reconstruction_errors is not None
        threshold = round(self.threshold, 6)
        blocks = []
        for row_weights, row_named, row_values, score, flag in zip(weights, named, values, scores, flags):
            features = [
                {
                    "feature_name": feature_names[j],
                    "actual_value": round(row_values[j], 4),
                    "typical_range": [low[j], high[j]],
                    "share": share,
                    "reconstruction_error": round(row_weights[j], 6) if has_errors else None,
                }
                for j, share in top_shares(row_named, TOP_ANOMALOUS_FEATURES, total=sum(row_weights))
            ]
            blocks.append(
                {
                    "score": round(score, 6),
                    "is_anomalous": flag,
                    "threshold": threshold,
                    "detector": self.kind,
                    "top_features": features,
                }
            )
        return blocks

    @cached_property  # a frozen dataclass still has an instance __dict__ for this cache
    def rounded_ranges(self) -> tuple[list[float], list[float]]:
        """The typical range per feature as reported, rounded once per model rather than per document."""
        return [round(v, 4) for v in self.range_low.tolist()], [round(v, 4) for v in self.range_high.tolist()]


def top_shares(weights: list[float], k: int, total: float | None = None) -> list[tuple[int, float]]:
    """(index, share of `total`) of the k largest weights, largest first, ties in feature order.

    `total` defaults to the sum of `weights`. Zero shares are left out.
    """
    total = sum(weights) if total is None else total
    order = sorted(range(len(weights)), key=weights.__getitem__, reverse=True)[:k]  # a stable argsort of -weights
    shares = [(j, round(weights[j] / total, 4) if total > 0 else 0.0) for j in order]
    return [(j, share) for j, share in shares if share > 0]
