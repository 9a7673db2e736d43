"""The first model of a type, trained from synthetic documents with a fixed seed."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from core.doc_types import DocumentType
from core.model_store import ModelStore
from core.serving import MODEL_NAMES
from .dataset import feature_matrix
from .ensemble import EnsembleParams
from .versioning import save_candidate, train_candidate

log = logging.getLogger(__name__)


def train_baseline(
    doc_type: DocumentType,
    store: ModelStore,
    n_samples: int,
    random_state: int,
    high_threshold: float,
    params: EnsembleParams = EnsembleParams(),
) -> str:
    """Train on `n_samples` synthetic documents, save and activate; returns the version id."""
    today = datetime.now(timezone.utc).date()
    batch = doc_type.generator.generate(n_samples, random_state, today=today)
    X = feature_matrix(doc_type, batch.documents, today)
    labels = np.asarray(batch.labels)
    candidate = train_candidate(
        X, np.asarray(batch.risk_targets), labels, doc_type.extractor.feature_names, high_threshold,
        params=params, random_state=random_state,
    )
    candidate.data_summary = {
        "data_source": "synthetic",
        "reason": "baseline: no model existed",
        "synthetic_samples": n_samples,
        "real_samples": 0,
        "labels": {"fraud": int(labels.sum()), "genuine": int(len(labels) - labels.sum())},
    }
    return save_candidate(store, candidate, activate=True)


def ensure_baseline(
    doc_type: DocumentType, models_dir: Path, n_samples: int, random_state: int, high_threshold: float,
    params: EnsembleParams = EnsembleParams(),
) -> str | None:
    """Train a baseline if the type has no model at all; the version id trained, or None.

    Holds the type's lock while checking and training, so when several worker processes
    start at once exactly one trains and the others find its version.
    """
    store = ModelStore(models_dir, doc_type.name)
    with store.lock():
        if store.active_version() or all(p.exists() for p in store.legacy_files(MODEL_NAMES).values()):
            return None
        log.info("No %s model found in %s: training a synthetic baseline (%d samples)", doc_type.name, models_dir, n_samples)
        # save_candidate takes the same (re-entrant) lock.
        return train_baseline(doc_type, store, n_samples, random_state, high_threshold, params)
