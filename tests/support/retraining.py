"""Training made fast for tests: a small ensemble, a scaled-down retraining config, reviewer labels."""

from __future__ import annotations

import json

from document_types import DOCUMENT_TYPES
from training.ensemble import EnsembleParams
from training.retraining_config import DEFAULT_PATH

# A few trees each, one thread: a version of 300-1500 documents trains in about a second. No test depends on
# the exact size (test_anomaly's ROC-AUC bounds are of the anomaly detector, fitted apart from the ensemble).
SMALL = EnsembleParams(rf_n_estimators=10, xgb_n_estimators=20, n_jobs=1)


# Global settings under which every finished run activates: no drop refused, no improvement required.
ALWAYS_ACTIVATE = {"max_performance_drop": 1.0, "min_improvement": 0.0}


def small_config(tmp_path, global_settings: dict | None = None, **type_overrides) -> str:
    """The shipped retraining config, scaled down so a run takes a couple of seconds; returns its path."""
    data = json.loads(DEFAULT_PATH.read_text())
    data["global_settings"].update(evaluation_synthetic_samples=300, **(global_settings or {}))
    for settings in data["document_types"].values():
        settings.update(
            min_samples_for_training=100,
            min_real_samples_for_hybrid=30,
            min_real_samples_for_real_only=150,
            synthetic_samples=800,
            auto_train_threshold=20,
        )
        settings.update(type_overrides)
    path = tmp_path / f"retraining_config_{len(list(tmp_path.glob('retraining_config_*')))}.json"
    path.write_text(json.dumps(data))
    return str(path)


def label_documents(
    client, n, seed, decide, fraud_rate=0.5, slug="paystubs", doc_type=DOCUMENT_TYPES["paystub"], mutate=None
):
    """Analyze `n` generated documents through the API and record a reviewer decision for each."""
    batch = doc_type.generator.generate(n, seed, fraud_rate=fraud_rate)
    for document, label in zip(batch.documents, batch.labels):
        if mutate:
            mutate(document)
        document_id = client.post(f"/api/{slug}/analyze", json=document).json["document_id"]
        response = client.post(f"/api/{slug}/{document_id}/review", json={"decision": decide(label), "reviewer": "qa"})
        assert response.status_code == 200


def truthful(label):
    """The reviewer decision that agrees with the synthetic label."""
    return "REJECT" if label else "APPROVE"
