"""The anomaly detector kinds: how each is fitted (training only) and how it scores (serving).

A kind turns standardised genuine rows into one artifact (bytes saved with the version)
and turns that artifact back into a scorer: standardised float32 rows (n, d) ->
(anomaly scores (n,), higher = more anomalous; per-feature reconstruction errors (n, d)
or None). `fit` imports scikit-learn and the ONNX converters lazily, so a serving process
never loads them. Adding a kind is one class and one entry in ANOMALY_KINDS.
"""
from __future__ import annotations

import io
from abc import ABC, abstractmethod
from typing import Callable, ClassVar

import numpy as np

from .serving import onnx_session

Scorer = Callable[[np.ndarray], tuple[np.ndarray, "np.ndarray | None"]]


class AnomalyKind(ABC):
    name: ClassVar[str]
    extension: ClassVar[str] = "onnx"

    @abstractmethod
    def fit(self, Z: np.ndarray, random_state: int) -> bytes:
        """Fit on standardised genuine rows; the artifact that `scorer` loads. Training only."""

    @abstractmethod
    def scorer(self, artifact: bytes) -> Scorer:
        """A scoring function of the artifact."""


def _onnx_output(artifact: bytes, output: str, sign: float) -> Scorer:
    """Scorer running one ONNX graph and reading one output, times `sign`."""
    session = onnx_session(artifact)
    input_name = session.get_inputs()[0].name

    def score(Z: np.ndarray) -> tuple[np.ndarray, None]:
        values = session.run([output], {input_name: np.ascontiguousarray(Z, dtype=np.float32)})[0]
        return sign * values.reshape(len(Z)).astype(np.float64), None

    return score


class IsolationForestKind(AnomalyKind):
    """scikit-learn's IsolationForest; the score is its anomaly score 2^(-mean path / c), in (0, 1)."""

    name = "isolation_forest"
    n_estimators = 100  # scikit-learn's default; twice the trees scored no better here and cost twice the time

    def fit(self, Z: np.ndarray, random_state: int) -> bytes:
        from sklearn.ensemble import IsolationForest

        from .onnx_export import isolation_forest_to_onnx

        model = IsolationForest(n_estimators=self.n_estimators, random_state=random_state, n_jobs=1).fit(Z)
        return isolation_forest_to_onnx(model, Z.shape[1])

    def scorer(self, artifact: bytes) -> Scorer:
        return _onnx_output(artifact, "anomaly_score", 1.0)


class OneClassSvmKind(AnomalyKind):
    """An RBF one-class SVM; the score is minus its decision function (positive outside the learnt region)."""

    name = "one_class_svm"
    nu = 0.05
    max_rows = 4000  # fitting is quadratic in rows; more adds little to the boundary

    def fit(self, Z: np.ndarray, random_state: int) -> bytes:
        from sklearn.svm import OneClassSVM

        from .onnx_export import export_onnx

        model = OneClassSVM(nu=self.nu, gamma="scale").fit(_subsample(Z, self.max_rows, random_state))
        return export_onnx(model, Z.shape[1])

    def scorer(self, artifact: bytes) -> Scorer:
        return _onnx_output(artifact, "scores", -1.0)


class AutoencoderKind(AnomalyKind):
    """A 64-32-8-32-64 autoencoder (MLPRegressor fitted to reproduce its input, early stopping on 10%).

    The score is the mean squared reconstruction error; each feature's squared error is
    its part of the anomaly.
    """

    name = "autoencoder"
    hidden_layer_sizes = (64, 32, 8, 32, 64)

    def fit(self, Z: np.ndarray, random_state: int) -> bytes:
        from sklearn.neural_network import MLPRegressor

        from .onnx_export import export_onnx

        model = MLPRegressor(hidden_layer_sizes=self.hidden_layer_sizes, early_stopping=True,
                             validation_fraction=0.1, max_iter=300, random_state=random_state).fit(Z, Z)
        return export_onnx(model, Z.shape[1])

    def scorer(self, artifact: bytes) -> Scorer:
        session = onnx_session(artifact)
        input_name = session.get_inputs()[0].name

        def score(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            Z = np.ascontiguousarray(Z, dtype=np.float32)
            errors = session.run(None, {input_name: Z})[0].reshape(Z.shape).astype(np.float64)
            errors -= Z  # in place: on one document each temporary array costs as much as the arithmetic
            errors *= errors
            return errors.sum(axis=1) / errors.shape[1], errors

        return score


class KnnLofKind(AnomalyKind):
    """Local outlier factor over the k nearest genuine neighbours; ~1 inside the data, larger outside.

    Served by NumPy from the fitted neighbourhood (points, k-distances, local reachability
    densities), exactly as scikit-learn's `score_samples` computes it.
    """

    name = "knn_lof"
    extension = "npz"
    n_neighbors = 20
    max_rows = 2000  # every score measures the distance to each stored point
    chunk_rows = 1000

    def fit(self, Z: np.ndarray, random_state: int) -> bytes:
        from sklearn.neighbors import LocalOutlierFactor

        model = LocalOutlierFactor(n_neighbors=self.n_neighbors, novelty=True)
        model.fit(_subsample(Z, self.max_rows, random_state))
        buffer = io.BytesIO()
        np.savez(buffer, points=model._fit_X.astype(np.float32), k_distance=model._distances_fit_X_[:, -1],
                 lrd=model._lrd, n_neighbors=np.array([model.n_neighbors_]))
        return buffer.getvalue()

    def scorer(self, artifact: bytes) -> Scorer:
        with np.load(io.BytesIO(artifact), allow_pickle=False) as data:
            points = data["points"].astype(np.float64)
            k_distance, lrd, k = data["k_distance"], data["lrd"], int(data["n_neighbors"][0])
        squared_norms = (points ** 2).sum(axis=1)

        def chunk(Z: np.ndarray) -> np.ndarray:
            Z = Z.astype(np.float64)
            d2 = (Z ** 2).sum(axis=1)[:, None] - 2 * Z @ points.T + squared_norms[None, :]
            nearest = np.argpartition(d2, k - 1, axis=1)[:, :k]
            distance = np.sqrt(np.maximum(np.take_along_axis(d2, nearest, axis=1), 0))
            reach = np.maximum(distance, k_distance[nearest])
            own_lrd = 1.0 / (reach.mean(axis=1) + 1e-10)
            return lrd[nearest].mean(axis=1) / own_lrd

        def score(Z: np.ndarray) -> tuple[np.ndarray, None]:
            parts = [chunk(Z[i:i + self.chunk_rows]) for i in range(0, len(Z), self.chunk_rows)]
            return (np.concatenate(parts) if parts else np.zeros(0)), None

        return score


def _subsample(Z: np.ndarray, max_rows: int, random_state: int) -> np.ndarray:
    if len(Z) <= max_rows:
        return Z
    return Z[np.random.default_rng(random_state).choice(len(Z), size=max_rows, replace=False)]


ANOMALY_KINDS: dict[str, AnomalyKind] = {
    kind.name: kind for kind in (IsolationForestKind(), KnnLofKind(), OneClassSvmKind(), AutoencoderKind())
}
DEFAULT_ANOMALY_KIND = "isolation_forest"
