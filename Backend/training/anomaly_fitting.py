"""Fitting a version's anomaly detector on its genuine training documents.

A kind turns standardised genuine rows into one artifact (bytes saved with the version);
`models.anomaly.SCORERS` turns that artifact back into a scorer for serving. Adding a
kind is one fitter class here and one scorer there.
"""

from __future__ import annotations

import io
import logging
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from models.anomaly import AnomalyModel, scale_rows
from training.onnx_export import export_onnx, isolation_forest_to_onnx

log = logging.getLogger(__name__)
TYPICAL_RANGE_PERCENTILES = (2.5, 97.5)


class AnomalyKind(ABC):
    """How one kind of detector is fitted. Its `name` keys its scorer in models.anomaly.SCORERS."""

    name: ClassVar[str]
    extension: ClassVar[str] = "onnx"

    @abstractmethod
    def fit(self, Z: np.ndarray, random_state: int) -> bytes:
        """Fit on standardised genuine rows; the artifact the kind's scorer loads."""


class IsolationForestKind(AnomalyKind):
    """scikit-learn's IsolationForest; the score is its anomaly score 2^(-mean path / c), in (0, 1)."""

    name = "isolation_forest"
    n_estimators = 100  # scikit-learn's default; see docs/anomaly.md

    def fit(self, Z: np.ndarray, random_state: int) -> bytes:
        from sklearn.ensemble import IsolationForest

        model = IsolationForest(n_estimators=self.n_estimators, random_state=random_state, n_jobs=1).fit(Z)
        return isolation_forest_to_onnx(model, Z.shape[1])


class OneClassSvmKind(AnomalyKind):
    """An RBF one-class SVM; the score is minus its decision function (positive outside the learnt region)."""

    name = "one_class_svm"
    nu = 0.05
    max_rows = 4000  # fitting is quadratic in rows; more adds little to the boundary

    def fit(self, Z: np.ndarray, random_state: int) -> bytes:
        from sklearn.svm import OneClassSVM

        model = OneClassSVM(nu=self.nu, gamma="scale").fit(_subsample(Z, self.max_rows, random_state))
        return export_onnx(model, Z.shape[1])


class AutoencoderKind(AnomalyKind):
    """A 64-32-8-32-64 autoencoder (MLPRegressor fitted to reproduce its input, early stopping on 10%).

    The score is the mean squared reconstruction error.
    """

    name = "autoencoder"
    hidden_layer_sizes = (64, 32, 8, 32, 64)

    max_iter = 300

    def fit(self, Z: np.ndarray, random_state: int) -> bytes:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPRegressor

        model = MLPRegressor(
            hidden_layer_sizes=self.hidden_layer_sizes,
            early_stopping=True,
            validation_fraction=0.1,
            max_iter=self.max_iter,
            random_state=random_state,
        )
        # Stopping at max_iter is expected on small sets; the threshold is set on what it learnt either way.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(Z, Z)
        if model.n_iter_ >= self.max_iter:
            log.info("autoencoder stopped at max_iter (%d) before early stopping", self.max_iter)
        return export_onnx(model, Z.shape[1])


class KnnLofKind(AnomalyKind):
    """Local outlier factor over the k nearest genuine neighbours; ~1 inside the data, larger outside.

    The artifact is the fitted neighbourhood (points, k-distances, local reachability
    densities), which serving scores with NumPy.
    """

    name = "knn_lof"
    extension = "npz"
    n_neighbors = 20
    max_rows = 2000  # every score measures the distance to each stored point

    def fit(self, Z: np.ndarray, random_state: int) -> bytes:
        from sklearn.neighbors import LocalOutlierFactor

        model = LocalOutlierFactor(n_neighbors=self.n_neighbors, novelty=True)
        model.fit(_subsample(Z, self.max_rows, random_state))
        buffer = io.BytesIO()
        np.savez(
            buffer,
            points=model._fit_X.astype(np.float32),
            k_distance=model._distances_fit_X_[:, -1],
            lrd=model._lrd,
            n_neighbors=np.array([model.n_neighbors_]),
        )
        return buffer.getvalue()


def _subsample(Z: np.ndarray, max_rows: int, random_state: int) -> np.ndarray:
    if len(Z) <= max_rows:
        return Z
    return Z[np.random.default_rng(random_state).choice(len(Z), size=max_rows, replace=False)]


ANOMALY_KINDS: dict[str, AnomalyKind] = {
    kind.name: kind for kind in (IsolationForestKind(), KnnLofKind(), OneClassSvmKind(), AutoencoderKind())
}
DEFAULT_ANOMALY_KIND = "isolation_forest"


@dataclass(frozen=True)
class AnomalySettings:
    """Which kind to fit and where its threshold goes (a percentile of the genuine training scores)."""

    kind: str = DEFAULT_ANOMALY_KIND
    threshold_percentile: float = 95.0

    def __post_init__(self) -> None:
        if self.kind not in ANOMALY_KINDS:
            raise ValueError(f"unknown anomaly detector {self.kind!r}; known: {', '.join(ANOMALY_KINDS)}")
        if not 50 <= self.threshold_percentile < 100:
            raise ValueError("threshold_percentile must be in [50, 100)")


@dataclass
class FittedAnomaly:
    """A fitted detector: its artifact, its manifest block (without the file name) and the serving model."""

    artifact: bytes
    extension: str
    block: dict[str, Any]
    model: AnomalyModel


MIN_HELD_OUT = 50


def fit_anomaly(
    genuine: np.ndarray, settings: AnomalySettings, random_state: int, held_out: np.ndarray | None = None
) -> FittedAnomaly:
    """Fit `settings.kind` on raw feature rows of genuine documents (n, d).

    The threshold is the configured percentile of the scores of `held_out` genuine rows (at
    least MIN_HELD_OUT of them), documents the detector was not fitted on: a detector scores
    its own training rows lower than new ones, so a threshold set on them flags more new
    genuine documents than the percentile promises. Without enough held-out rows it falls
    back to the training rows, and the block says which. Scores come from the serving scorer
    itself, so the percentile holds for what requests will see, ONNX float32 rounding included.
    """
    genuine = np.asarray(genuine, dtype=np.float64)
    if len(genuine) < 20:
        raise ValueError(f"{len(genuine)} genuine rows; an anomaly detector needs at least 20")
    kind = ANOMALY_KINDS[settings.kind]
    center = genuine.mean(axis=0)
    scale = genuine.std(axis=0)
    scale[scale < 1e-9] = 1.0
    artifact = kind.fit(scale_rows(genuine, center, scale), random_state)
    low, high = np.percentile(genuine, TYPICAL_RANGE_PERCENTILES, axis=0)
    block = {
        "kind": settings.kind,
        "percentile": settings.threshold_percentile,
        "threshold": 0.0,
        "center": center.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "range_low": low.round(6).tolist(),
        "range_high": high.round(6).tolist(),
        "training_rows": len(genuine),
    }
    model = AnomalyModel.from_manifest(block, artifact)
    train_scores = model.score(genuine).scores
    use_held_out = held_out is not None and len(held_out) >= MIN_HELD_OUT
    reference = model.score(np.asarray(held_out, dtype=np.float64)).scores if use_held_out else train_scores
    threshold = float(np.percentile(reference, settings.threshold_percentile))
    block["threshold"] = threshold
    block["threshold_set_on"] = "held-out genuine documents" if use_held_out else "training genuine documents"
    block["threshold_rows"] = int(len(reference))
    block["training_anomalous_share"] = round(float(np.mean(train_scores > threshold)), 4)
    block["held_out_anomalous_share"] = round(float(np.mean(reference > threshold)), 4) if use_held_out else None
    return FittedAnomaly(artifact, kind.extension, block, AnomalyModel.from_manifest(block, artifact))
