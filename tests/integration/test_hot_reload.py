"""Hot reload under concurrent requests: no errors, no request scored by two versions."""

from __future__ import annotations

import threading

import numpy as np

from document_types import DOCUMENT_TYPES
from models.model_store import ModelStore
from support.retraining import SMALL
from training.baseline import train_baseline

PAYSTUB = DOCUMENT_TYPES["paystub"]


def test_activations_during_concurrent_scoring(app, models_dir):
    store = ModelStore(models_dir / "paystub", "paystub")
    first = store.active_version()
    second = train_baseline(PAYSTUB, store, 600, 9, params=SMALL)
    documents = PAYSTUB.generator.generate(16, 31).documents
    detector = app.extensions["fraud_detection"].detectors["paystub"]
    results, failures, stop = [], [], threading.Event()

    def client_loop(offset: int) -> None:
        client = app.test_client()
        i = offset
        while not stop.is_set():
            response = client.post("/api/paystubs/analyze", json=documents[i % len(documents)])
            if response.status_code != 200:
                failures.append(response.status_code)
            else:
                results.append((i % len(documents), response.json))
            i += 1

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for i in range(12):
        version = (first, second)[i % 2]
        store.activate(version)
        assert detector.wait_for_version(version, timeout=10)
    stop.set()
    for thread in threads:
        thread.join()

    assert not failures
    versions = {body["model_version"] for _, body in results}
    assert versions == {first, second}
    # Each response's per-model scores are exactly what its named version gives: no mixing.
    loaded = {v: detector.load_version(v) for v in versions}
    feature_rows = {}
    for index, body in results:
        stored = app.extensions["fraud_detection"].store.get_analysis("paystubs", body["document_id"])
        row = np.array([[stored.features[n] for n in loaded[first].feature_names]], dtype=np.float32)
        feature_rows[index] = row
        expected = loaded[body["model_version"]].ensemble.predict_by_model(row)[:, 0]
        assert np.allclose(
            [body["model_scores"]["random_forest"], body["model_scores"]["xgboost"]], expected, atol=0.01
        )
    assert len(results) > 50
