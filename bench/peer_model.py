"""The peer's model: a type's fitted RandomForest and XGBoost regressors as an MLflow pyfunc model.

Saved by bench/mlflow_peer.py with this file as its code path, so `mlflow models serve`
imports it without the service's code. It computes what `training.ensemble.FraudEnsemble.predict`
computes: each estimator's prediction on the float32 feature row, clipped to 0..100, averaged
with the version manifest's model weights.
"""

from __future__ import annotations

import joblib
import mlflow.pyfunc
import numpy as np


class RiskEnsembleModel(mlflow.pyfunc.PythonModel):
    def __init__(self, weights: dict[str, float]):
        self.weights = dict(weights)

    def load_context(self, context) -> None:
        self.models = {name: joblib.load(context.artifacts[name]) for name in self.weights}

    def predict(self, context, model_input, params=None):
        X = np.asarray(model_input, dtype=np.float32)
        total = sum(self.weights.values())
        return (
            sum(weight * np.clip(self.models[name].predict(X), 0, 100) for name, weight in self.weights.items()) / total
        )
