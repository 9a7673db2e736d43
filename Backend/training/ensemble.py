"""The per-type ensemble: a RandomForestRegressor and an XGBRegressor predicting 0-100 risk."""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass

import joblib
import numpy as np
from sklearn.ensemble import RandomForestRegressor
from xgboost import XGBRegressor

from training.onnx_export import export_onnx


@dataclass(frozen=True)
class EnsembleParams:
    """Sizes chosen so a version of all four types stays small in memory and fast to export."""

    rf_n_estimators: int = 100
    rf_max_depth: int = 12
    rf_min_samples_leaf: int = 3
    xgb_n_estimators: int = 200
    xgb_max_depth: int = 5
    xgb_learning_rate: float = 0.08
    rf_weight: float = 0.5
    xgb_weight: float = 0.5
    n_jobs: int = 2

    def as_dict(self) -> dict:
        return asdict(self)


class FraudEnsemble:
    """fit(X, y) on risk targets; predict(X) -> weighted mean risk; to_onnx() for serving."""

    def __init__(self, params: EnsembleParams = EnsembleParams(), random_state: int = 42):
        self.params = params
        self.random_state = random_state
        self.models = {
            "random_forest": RandomForestRegressor(
                n_estimators=params.rf_n_estimators,
                max_depth=params.rf_max_depth,
                min_samples_leaf=params.rf_min_samples_leaf,
                n_jobs=params.n_jobs,
                random_state=random_state,
            ),
            "xgboost": XGBRegressor(
                n_estimators=params.xgb_n_estimators,
                max_depth=params.xgb_max_depth,
                learning_rate=params.xgb_learning_rate,
                subsample=0.9,
                colsample_bytree=0.9,
                n_jobs=params.n_jobs,
                random_state=random_state,
                tree_method="hist",
            ),
        }
        self.weights = {"random_forest": params.rf_weight, "xgboost": params.xgb_weight}

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> FraudEnsemble:
        for model in self.models.values():
            model.fit(X, y, sample_weight=sample_weight)
        return self

    def predict_by_model(self, X: np.ndarray) -> dict[str, np.ndarray]:
        return {name: np.clip(model.predict(X), 0, 100) for name, model in self.models.items()}

    def predict(self, X: np.ndarray) -> np.ndarray:
        total = sum(self.weights.values())
        return sum(self.weights[name] * s for name, s in self.predict_by_model(X).items()) / total

    def feature_importance(self) -> np.ndarray:
        """Mean of the models' normalised importances; sums to 1."""
        parts = []
        for model in self.models.values():
            imp = np.asarray(model.feature_importances_, dtype=np.float64)
            parts.append(imp / imp.sum() if imp.sum() > 0 else imp)
        mean = np.mean(parts, axis=0)
        return mean / mean.sum() if mean.sum() > 0 else mean

    @classmethod
    def from_version(cls, store, version: str) -> FraudEnsemble:
        """The fitted estimators of a saved version (checksums verified), for evaluation."""
        manifest = store.verify(version)
        ensemble = cls(EnsembleParams(**manifest["params"]), manifest.get("random_state", 42))
        for name in ensemble.models:
            data = store.read_verified(manifest, store.file_name(name, version, "pkl"))
            ensemble.models[name] = joblib.load(io.BytesIO(data))
        ensemble.weights = dict(manifest["model_weights"])
        return ensemble

    def to_onnx(self, n_features: int) -> dict[str, bytes]:
        return {name: export_onnx(model, n_features) for name, model in self.models.items()}
