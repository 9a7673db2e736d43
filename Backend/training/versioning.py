"""Train a candidate version, describe it in a manifest and save it through the model store."""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import joblib
import numpy as np

from models.model_store import ModelStore
from training.anomaly_fitting import AnomalySettings, FittedAnomaly, fit_anomaly
from training.dataset import Dataset
from training.ensemble import EnsembleParams, FraudEnsemble
from training.metrics import evaluate

log = logging.getLogger(__name__)

CANARY_PER_CLASS = 8


@dataclass
class Candidate:
    """A fitted ensemble with everything its manifest records."""

    ensemble: FraudEnsemble
    feature_names: list[str]
    metrics: dict[str, float]
    canary: dict[str, list]
    feature_stats: dict[str, list[float]]
    training_seconds: float
    anomaly: FittedAnomaly
    data_summary: dict[str, Any] = field(default_factory=dict)

    def artifacts(self) -> dict[tuple[str, str], bytes]:
        files: dict[tuple[str, str], bytes] = {}
        for name, model in self.ensemble.models.items():
            buffer = io.BytesIO()
            joblib.dump(model, buffer)
            files[(name, "pkl")] = buffer.getvalue()
        for name, data in self.ensemble.to_onnx(len(self.feature_names)).items():
            files[(name, "onnx")] = data
        files[("anomaly", self.anomaly.extension)] = self.anomaly.artifact
        return files

    def manifest(self) -> dict[str, Any]:
        return {
            "created_at": datetime.now(UTC).isoformat(),
            "feature_names": self.feature_names,
            "model_weights": self.ensemble.weights,
            "params": self.ensemble.params.as_dict(),
            "random_state": self.ensemble.random_state,
            "metrics": self.metrics,
            "canary": self.canary,
            "feature_stats": self.feature_stats,
            "anomaly": {**self.anomaly.block, "extension": self.anomaly.extension},
            "training_seconds": round(self.training_seconds, 3),
            "training_data": self.data_summary,
        }


def _canary(
    X: np.ndarray, labels: np.ndarray, ensemble: FraudEnsemble, anomaly: FittedAnomaly, random_state: int
) -> dict[str, list]:
    """Known rows with the scores this version gives them, checked again whenever it is loaded."""
    rng = np.random.default_rng(random_state)
    picks = []
    for label in (0, 1):
        idx = np.flatnonzero(labels == label)
        picks.extend(rng.choice(idx, size=min(CANARY_PER_CLASS, len(idx)), replace=False).tolist())
    rows = X[picks]
    return {
        "features": rows.tolist(),
        "expected_scores": ensemble.predict(rows).round(4).tolist(),
        "expected_anomaly_scores": anomaly.model.score(rows).scores.tolist(),
    }


def fit_candidate(
    train: Dataset,
    evaluation: Dataset,
    feature_names: list[str],
    high_threshold: float,
    *,
    params: EnsembleParams = EnsembleParams(),
    anomaly: AnomalySettings = AnomalySettings(),
    random_state: int = 42,
) -> Candidate:
    """Fit an ensemble on `train` and an anomaly detector on its genuine rows; measure both on `evaluation`."""
    started = time.perf_counter()
    ensemble = FraudEnsemble(params, random_state).fit(train.X, train.targets, sample_weight=train.weights)
    scores = ensemble.predict(evaluation.X)
    genuine = train.X[train.labels == 0] if np.any(train.labels == 0) else train.X
    detector = fit_anomaly(genuine, anomaly, random_state)
    metrics = evaluate(evaluation.targets, evaluation.labels, scores, high_threshold)
    metrics.update(anomaly_metrics(detector, evaluation))
    return Candidate(
        ensemble=ensemble,
        feature_names=list(feature_names),
        metrics=metrics,
        anomaly=detector,
        canary=_canary(evaluation.X, evaluation.labels, ensemble, detector, random_state),
        feature_stats={
            "typical": genuine.mean(axis=0).round(6).tolist(),
            "spread": genuine.std(axis=0).round(6).tolist(),
            "importance": ensemble.feature_importance().round(6).tolist(),
        },
        training_seconds=time.perf_counter() - started,
    )


def anomaly_metrics(detector: FittedAnomaly, evaluation: Dataset) -> dict[str, float | None]:
    """How well the anomaly score alone separates fraud from genuine on `evaluation`."""
    from sklearn.metrics import roc_auc_score

    if len(np.unique(evaluation.labels)) < 2:
        return {"anomaly_roc_auc": None, "anomaly_flag_rate_genuine": None, "anomaly_flag_rate_fraud": None}
    result = detector.model.score(evaluation.X)
    fraud = evaluation.labels == 1
    return {
        "anomaly_roc_auc": round(float(roc_auc_score(evaluation.labels, result.scores)), 4),
        "anomaly_flag_rate_genuine": round(float(result.is_anomalous[~fraud].mean()), 4),
        "anomaly_flag_rate_fraud": round(float(result.is_anomalous[fraud].mean()), 4),
    }


def train_candidate(
    data: Dataset,
    feature_names: list[str],
    high_threshold: float,
    *,
    params: EnsembleParams = EnsembleParams(),
    anomaly: AnomalySettings = AnomalySettings(),
    random_state: int = 42,
    holdout: float = 0.2,
) -> Candidate:
    """Fit on a stratified split of `data` and evaluate on the held-out part."""
    train, evaluation = data.split(holdout, random_state)
    return fit_candidate(
        train, evaluation, feature_names, high_threshold, params=params, anomaly=anomaly, random_state=random_state
    )


def save_candidate(store: ModelStore, candidate: Candidate) -> str:
    """Save as a new, inactive version (under the type's lock); returns the version id.

    Activating it is services.model_versions.ModelVersions.activate.
    """
    artifacts = candidate.artifacts()
    with store.lock():
        version = store.new_version_id()
        store.save_version(version, artifacts, candidate.manifest())
    log.info("Saved %s model version %s (metrics: %s)", store.doc_type, version, candidate.metrics)
    return version
