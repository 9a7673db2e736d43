"""The models of one version as they serve requests: ONNX Runtime sessions, nothing else.

Training saves each model twice: the scikit-learn/XGBoost estimator (joblib, used for
retraining and evaluation) and its ONNX export (used here). ONNX Runtime scores a row
hundreds of times faster than scikit-learn's `predict` (docs/benchmarks.md), and a serving
process then needs neither scikit-learn nor XGBoost in memory.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

MODEL_NAMES = ("random_forest", "xgboost")


def onnx_session(model_bytes: bytes) -> ort.InferenceSession:
    """A single-threaded CPU session: one document is tiny, and workers are processes."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


class OnnxEnsemble:
    """Weighted average of regressors exported to ONNX, each predicting a 0-100 risk score."""

    def __init__(self, models: dict[str, bytes], weights: dict[str, float]):
        self.names = tuple(models)
        self.weights = np.array([weights[name] for name in self.names], dtype=np.float64)
        self.weights /= self.weights.sum()
        self._sessions = [(onnx_session(data), None) for data in models.values()]
        self._sessions = [(s, s.get_inputs()[0].name) for s, _ in self._sessions]

    def predict_by_model(self, X: np.ndarray) -> np.ndarray:
        """Scores of shape (n_models, n_rows), each clipped to 0..100."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        out = np.empty((len(self._sessions), len(X)))
        for k, (session, input_name) in enumerate(self._sessions):
            out[k] = session.run(None, {input_name: X})[0].reshape(-1)
        np.maximum(out, 0.0, out=out)  # np.clip, without its Python-level overhead on one document
        return np.minimum(out, 100.0, out=out)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.weights @ self.predict_by_model(X)
