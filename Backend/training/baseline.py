"""The first model of a type, trained from synthetic documents with a fixed seed."""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime
from pathlib import Path

from document_types import DOCUMENT_TYPES
from domain.document_type import DocumentType
from domain.policy import TypePolicy, load_policy
from models.model_store import ModelStore
from models.serving import MODEL_NAMES
from services.model_versions import ModelVersions
from training.anomaly_fitting import AnomalySettings
from training.dataset import Dataset, feature_matrix
from training.ensemble import EnsembleParams
from training.gate import GateDecision, GateSettings, active_metrics, judge
from training.model_performance_tracker import ModelPerformanceTracker
from training.retraining_config import load_config
from training.versioning import Candidate, fit_candidate, save_candidate

log = logging.getLogger(__name__)


def fit_baseline(
    doc_type: DocumentType,
    n_samples: int,
    random_state: int,
    policy: TypePolicy,
    params: EnsembleParams,
    anomaly: AnomalySettings,
    reason: str,
) -> tuple[Candidate, Dataset]:
    """A candidate fitted on `n_samples` synthetic documents, and the holdout it was evaluated on."""
    today = datetime.now(UTC).date()
    batch = doc_type.generator.generate(n_samples, random_state, today=today)
    data = Dataset.of(feature_matrix(doc_type, batch.documents, today), batch.risk_targets, batch.labels)
    train, evaluation = data.split(0.2, random_state)
    names = doc_type.extractor.feature_names
    candidate = fit_candidate(
        train, evaluation, names, policy, params=params, anomaly=anomaly, random_state=random_state
    )
    labels = data.labels
    candidate.data_summary = {
        "data_source": "synthetic",
        "reason": reason,
        "synthetic_samples": n_samples,
        "real_samples": 0,
        "labels": {"fraud": int(labels.sum()), "genuine": int(len(labels) - labels.sum())},
    }
    return candidate, evaluation


def train_baseline(
    doc_type: DocumentType,
    store: ModelStore,
    n_samples: int,
    random_state: int,
    policy: TypePolicy = TypePolicy(),
    params: EnsembleParams = EnsembleParams(),
    anomaly: AnomalySettings = AnomalySettings(),
) -> str:
    """Train on `n_samples` synthetic documents, save and activate; returns the version id."""
    candidate, _ = fit_baseline(
        doc_type, n_samples, random_state, policy, params, anomaly, "baseline: no model existed"
    )
    version = save_candidate(store, candidate)
    _versions(doc_type, store).activate(version, "baseline: trained on synthetic documents", kind="baseline")
    return version


def train_forced_baseline(
    doc_type: DocumentType,
    store: ModelStore,
    n_samples: int,
    random_state: int,
    policy: TypePolicy,
    gate: GateSettings,
    params: EnsembleParams = EnsembleParams(),
    anomaly: AnomalySettings = AnomalySettings(),
) -> tuple[str, GateDecision]:
    """A new baseline over an existing model (`train-baseline --force`), through the retrain's evaluation gate:
    activated only if it beats the active version on the same holdout, refused otherwise."""
    candidate, evaluation = fit_baseline(doc_type, n_samples, random_state, policy, params, anomaly, "baseline: forced")
    active, note = active_metrics(store, doc_type.extractor.feature_names, evaluation, policy)
    decision = judge(candidate, active, note, gate)
    version = save_candidate(store, candidate)
    if decision.activate:
        _versions(doc_type, store).activate(version, f"baseline: {decision.reason}", kind="baseline")
    else:
        _versions(doc_type, store).refuse(version, decision.reason)
    return version, decision


def _versions(doc_type: DocumentType, store: ModelStore) -> ModelVersions:
    return ModelVersions(doc_type, store, ModelPerformanceTracker(doc_type.name, store.directory))


def ensure_baseline(
    doc_type: DocumentType,
    models_dir: Path,
    n_samples: int,
    random_state: int,
    policy: TypePolicy = TypePolicy(),
    params: EnsembleParams = EnsembleParams(),
    anomaly: AnomalySettings = AnomalySettings(),
) -> str | None:
    """Train a baseline if the type has no model at all; the version id trained, or None.

    Holds the type's lock while checking and training, so when several worker processes
    start at once exactly one trains and the others find its version.
    """
    store = ModelStore(models_dir, doc_type.name)
    with store.lock():
        if store.has_model(MODEL_NAMES):
            return None
        log.info(
            "No %s model found in %s: training a synthetic baseline (%d samples)", doc_type.name, models_dir, n_samples
        )
        # save_candidate takes the same (re-entrant) lock.
        return train_baseline(doc_type, store, n_samples, random_state, policy, params, anomaly)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Train synthetic baselines: of the types with no model, or all named (--force)."
    )
    parser.add_argument("types", nargs="+", choices=sorted(DOCUMENT_TYPES))
    parser.add_argument("--samples", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--decision-policy", default=None, help="decision_policy.json (threshold targets per type)")
    parser.add_argument("--models-dir", action="append", default=[], help="TYPE=DIR")
    parser.add_argument("--retraining-config", default=None, help="retraining_config.json (anomaly detector per type)")
    parser.add_argument("--force", action="store_true", help="train and activate even where a model exists")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    directories = dict(item.split("=", 1) for item in args.models_dir)
    config = load_config(args.retraining_config)
    policies = load_policy(args.decision_policy, tuple(DOCUMENT_TYPES))
    common = config.global_settings
    gate = GateSettings(common.primary_metric, common.max_performance_drop, common.min_improvement)
    for name in args.types:
        doc_type, directory, anomaly = DOCUMENT_TYPES[name], Path(directories[name]), config.anomaly_settings(name)
        if args.force:
            store = ModelStore(directory, name)
            version, decision = train_forced_baseline(
                doc_type, store, args.samples, args.seed, policies[name], gate, anomaly=anomaly
            )
            outcome = "activated" if decision.activate else "refused"
            log.info("%s: version %s %s: %s", name, version, outcome, decision.reason)
        else:
            ensure_baseline(doc_type, directory, args.samples, args.seed, policies[name], anomaly=anomaly)


if __name__ == "__main__":
    main()
