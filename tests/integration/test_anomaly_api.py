"""The anomaly detector through the app: every kind finds known anomalies in an uploaded file; old versions serve.

The detector's maths (thresholds, exported scorers, explanations) is in unit/test_anomaly.py.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from document_types import DOCUMENT_TYPES
from models.model_store import ModelStore
from paystub.fields import PaystubFields
from support.app import make_config
from support.retraining import SMALL
from training.anomaly_fitting import ANOMALY_KINDS, AnomalySettings
from training.baseline import train_baseline

PAYSTUB = DOCUMENT_TYPES["paystub"]
# ROC-AUC of the anomaly score, genuine vs known anomalies, measured on the seeded file below
# (paystub models trained on 1500 synthetic documents, seed 42). Each bound is a little under
# the measured value, so a regression fails and noise does not.
# Lower than before issue 15: genuine training documents now vary as real ones do (OCR losses, pay schedules,
# pre-tax deductions), so forgeries stand out less from what a detector learnt as genuine.
MEASURED_AUC = {"isolation_forest": 0.9077, "knn_lof": 0.9423, "one_class_svm": 0.9652, "autoencoder": 0.939}


def seeded_file(n_genuine: int = 300, seed: int = 777) -> tuple[bytes, np.ndarray]:
    """A CSV of genuine paystubs and known anomalies (forgeries with two or more fraud patterns), shuffled."""
    genuine = PAYSTUB.generator.generate(n_genuine, seed, fraud_rate=0.0).documents
    forged_batch = PAYSTUB.generator.generate(300, seed + 1, fraud_rate=1.0)
    forged = [d for d, patterns in zip(forged_batch.documents, forged_batch.patterns) if len(patterns) >= 2][:60]
    rows = [(d, 0) for d in genuine] + [(d, 1) for d in forged]
    order = np.random.default_rng(seed).permutation(len(rows))
    columns = list(PaystubFields.model_fields)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for i in order:
        writer.writerow({c: rows[i][0].get(c) for c in columns})
    return buffer.getvalue().encode(), np.array([rows[i][1] for i in order])


@pytest.fixture(scope="module")
def anomaly_file():
    return seeded_file()


@pytest.mark.parametrize("kind", sorted(ANOMALY_KINDS))
def test_each_kind_finds_most_known_anomalies_in_an_uploaded_file(kind, anomaly_file, tmp_path):
    from api_server import create_app

    models = tmp_path / "models"
    store = ModelStore(models / "paystub", "paystub")
    version = train_baseline(PAYSTUB, store, 1500, 42, params=SMALL, anomaly=AnomalySettings(kind))
    for name in DOCUMENT_TYPES:  # the other types need some model for the app to be ready; unused here
        if name != "paystub":
            (models / name).mkdir(parents=True)
    app = create_app(make_config(models, f"sqlite:///{tmp_path / 'db.sqlite'}"))
    data, is_anomaly = anomaly_file
    response = app.test_client().post("/api/paystubs/analyze-batch", data={"file": (io.BytesIO(data), "seeded.csv")})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["model_version"] == version
    anomaly = [row["anomaly"] for row in body["results"]]
    assert {a["detector"] for a in anomaly} == {kind}
    scores = np.array([a["score"] for a in anomaly])
    flagged = np.array([a["is_anomalous"] for a in anomaly])
    auc = roc_auc_score(is_anomaly, scores)
    assert auc >= MEASURED_AUC[kind] - 0.03, f"{kind}: ROC-AUC {auc:.3f}"
    # Measured: 53-87% of the known anomalies flagged, and 3-8% of unseen genuine documents (the threshold is
    # set on held-out genuine documents).
    assert flagged[is_anomaly == 1].mean() >= 0.45, f"{kind} finds about half the known anomalies or more"
    assert flagged[is_anomaly == 0].mean() <= 0.12, f"{kind} flags few genuine documents"
    assert body["summary"]["anomalous"] == int(flagged.sum())
    assert body["summary"]["anomalous_rows"] == [
        row["row"] for row in body["results"] if row["anomaly"]["is_anomalous"]
    ]
    app.extensions["fraud_detection"].store.close()


def test_versions_without_an_anomaly_detector_still_serve(config, models_dir):
    import json

    from api_server import create_app

    store = ModelStore(models_dir / "check", "check")
    version = store.active_version()
    manifest = json.loads(store.manifest_path(version).read_text())
    del manifest["anomaly"]  # as written before anomaly detection existed
    store.manifest_path(version).write_text(json.dumps(manifest))
    app = create_app(config)
    assert app.extensions["fraud_detection"].detectors["check"].model_version == version
    document = DOCUMENT_TYPES["check"].generator.generate(1, 3).documents[0]
    body = app.test_client().post("/api/checks/analyze", json=document).json
    assert body["model_version"] == version and body["anomaly"] is None
    app.extensions["fraud_detection"].store.close()
