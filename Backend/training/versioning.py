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

from domain.policy import TypePolicy
from models.calibration import SIGMOID, Calibration
from models.model_store import ModelStore
from training.anomaly_fitting import AnomalySettings, FittedAnomaly, fit_anomaly
from training.calibration import fit_calibration, threshold_table, thresholds_for_targets
from training.dataset import Dataset
from training.ensemble import EnsembleParams, FraudEnsemble
from training.metrics import evaluate

log = logging.getLogger(__name__)

CANARY_PER_CLASS = 8
# Of the training rows, held out of the ensemble to calibrate it and to set the anomaly threshold.
CALIBRATION_FRACTION = 0.2


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
    calibration: Calibration
    thresholds: dict[str, Any]
    data_summary: dict[str, Any] = field(default_factory=dict)

    def risk_scores(self, X: np.ndarray) -> np.ndarray:
        """Calibrated risk scores (fraud probability x 100) of feature rows, as serving computes them."""
        return 100.0 * self.calibration.probability(self.ensemble.predict(X))

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
            "calibration": self.calibration.as_block(),
            "thresholds": self.thresholds,
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
    policy: TypePolicy,
    *,
    params: EnsembleParams = EnsembleParams(),
    anomaly: AnomalySettings = AnomalySettings(),
    calibration_method: str = SIGMOID,
    random_state: int = 42,
) -> Candidate:
    """Fit a version on `train` and measure it on `evaluation`.

    `train` is split: the ensemble and the anomaly detector are fitted on one part; the
    other (CALIBRATION_FRACTION) calibrates the ensemble's scores and sets the anomaly
    threshold on genuine documents neither was fitted on. On `evaluation` the version gets
    its metrics, its threshold table and the thresholds `policy.targets` choose.
    """
    started = time.perf_counter()
    fit_part, held_out = train.split(CALIBRATION_FRACTION, random_state)
    ensemble = FraudEnsemble(params, random_state).fit(fit_part.X, fit_part.targets, sample_weight=fit_part.weights)
    calibration = fit_calibration(ensemble.predict(held_out.X), held_out.labels, calibration_method)
    genuine = _genuine(fit_part)
    detector = fit_anomaly(genuine, anomaly, random_state, held_out=held_out.X[held_out.labels == 0])
    scores = 100.0 * calibration.probability(ensemble.predict(evaluation.X))
    table = threshold_table(scores, evaluation.labels, policy.fraud_prevalence)
    targets = policy.targets
    chosen = thresholds_for_targets(table, targets.max_false_reject_rate, targets.max_escalate_rate)
    in_force, source = policy.thresholds_for(chosen)
    metrics = evaluate(evaluation.targets, evaluation.labels, scores, in_force.reject)
    metrics.update(anomaly_metrics(detector, evaluation))
    return Candidate(
        ensemble=ensemble,
        feature_names=list(feature_names),
        metrics=metrics,
        anomaly=detector,
        calibration=calibration,
        thresholds={
            "targets": targets.model_dump(),
            "chosen": chosen,
            "in_force_at_training": {**in_force.model_dump(), "source": source},
            "fraud_prevalence": policy.fraud_prevalence,
            "evaluated_on": int(len(evaluation)),
            "table": table,
        },
        canary=_canary(evaluation.X, evaluation.labels, ensemble, detector, random_state),
        feature_stats={
            "typical": genuine.mean(axis=0).round(6).tolist(),
            "spread": genuine.std(axis=0).round(6).tolist(),
            "importance": ensemble.feature_importance().round(6).tolist(),
        },
        training_seconds=time.perf_counter() - started,
    )


def _genuine(data: Dataset) -> np.ndarray:
    return data.X[data.labels == 0] if np.any(data.labels == 0) else data.X


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
    policy: TypePolicy = TypePolicy(),
    *,
    params: EnsembleParams = EnsembleParams(),
    anomaly: AnomalySettings = AnomalySettings(),
    random_state: int = 42,
    holdout: float = 0.2,
) -> Candidate:
    """Fit on a stratified split of `data` and evaluate on the held-out part."""
    train, evaluation = data.split(holdout, random_state)
    return fit_candidate(
        train, evaluation, feature_names, policy, params=params, anomaly=anomaly, random_state=random_state
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
