"""Fitting a version's anomaly detector on its genuine training documents."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.anomaly import AnomalyModel, scale_rows
from core.anomaly_kinds import ANOMALY_KINDS, DEFAULT_ANOMALY_KIND

TYPICAL_RANGE_PERCENTILES = (2.5, 97.5)


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


def fit_anomaly(genuine: np.ndarray, settings: AnomalySettings, random_state: int) -> FittedAnomaly:
    """Fit `settings.kind` on raw feature rows of genuine documents (n, d).

    The threshold is computed with the serving scorer itself, so the percentile holds for
    what requests will see, ONNX float32 rounding included.
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
    threshold = float(np.percentile(train_scores, settings.threshold_percentile))
    block["threshold"] = threshold
    block["training_anomalous_share"] = round(float(np.mean(train_scores > threshold)), 4)
    return FittedAnomaly(artifact, kind.extension, block, AnomalyModel.from_manifest(block, artifact))
