"""Versioned model files: checksums, atomic activation, hot reload, refusal of bad versions."""

from __future__ import annotations

import json
import shutil
import threading

import numpy as np
import pytest

from document_types import DOCUMENT_TYPES
from domain.fields import validate_document
from models.detector import FraudDetector
from models.model_store import ACTIVE_FILE, ModelStore, VerificationFailed, VersionNotFound
from support.retraining import SMALL
from training.baseline import train_baseline
from training.onnx_export import load_legacy_version

PAYSTUB = DOCUMENT_TYPES["paystub"]


def new_version(models_dir, activate=False, seed=7):
    store = ModelStore(models_dir / "paystub", "paystub")
    active = store.active_version()
    version = train_baseline(PAYSTUB, store, 600, seed, params=SMALL)
    if not activate:
        store.activate(active)
    return store, version


def detector(models_dir):
    d = FraudDetector(DOCUMENT_TYPES["paystub"], models_dir / "paystub")
    assert d.reload_models()
    return d


def sample_fields(n=5, seed=3):
    batch = PAYSTUB.generator.generate(n, seed)
    return [validate_document(PAYSTUB.schema, doc).fields for doc in batch.documents]


def test_version_files_and_manifest(models_dir):
    store = ModelStore(models_dir / "paystub", "paystub")
    version = store.active_version()
    manifest = store.verify(version)
    names = set(manifest["files"])
    for model in ("random_forest", "xgboost"):
        assert f"paystub_{model}_{version}.pkl" in names
        assert f"paystub_{model}_{version}.onnx" in names
    assert manifest["feature_names"] == PAYSTUB.extractor.feature_names
    assert manifest["metrics"]["roc_auc"] > 0.95
    assert manifest["training_data"]["data_source"] == "synthetic"


def test_tampered_file_is_refused_and_old_version_keeps_serving(models_dir):
    d = detector(models_dir)
    old = d.model_version
    store, version = new_version(models_dir)
    onnx = store.directory / store.file_name("xgboost", version, "onnx")
    onnx.write_bytes(onnx.read_bytes() + b"tampered")
    with pytest.raises(VerificationFailed, match="checksum"):
        store.activate(version)
    assert store.active_version() == old
    (store.directory / ACTIVE_FILE).write_text(version)  # bypass activation, as an attacker or a bug might
    assert d.reload_models() is False
    assert d.model_version == old
    assert "checksum" in d.status()["last_load_error"]["error"]
    listed = {info.version: info for info in store.list_versions()}
    assert listed[version].valid is False and "checksum" in listed[version].error
    assert d.score(sample_fields(1)[0]).model_version == old


def test_incomplete_version_is_never_listed_or_activated(models_dir):
    store = ModelStore(models_dir / "paystub", "paystub")
    version = "20000101_000000"
    (store.directory / store.file_name("random_forest", version, "pkl")).write_bytes(b"half written")
    assert version not in store.version_ids()
    with pytest.raises(VersionNotFound):
        store.activate(version)


@pytest.mark.parametrize("bad", ["../paystub", "20240101_000000/../../x", "latest", "", "2024010_000000"])
def test_version_ids_cannot_name_other_paths(models_dir, bad):
    store = ModelStore(models_dir / "paystub", "paystub")
    with pytest.raises(VersionNotFound):
        store.activate(bad)


def test_feature_list_mismatch_and_canary_drift_are_refused(models_dir):
    d = detector(models_dir)
    store, version = new_version(models_dir)
    path = store.manifest_path(version)
    manifest = json.loads(path.read_text())
    manifest["canary"]["expected_scores"] = [s + 5 for s in manifest["canary"]["expected_scores"]]
    path.write_text(json.dumps(manifest))
    with pytest.raises(VerificationFailed, match="canary"):
        d.load_version(version)
    manifest["feature_names"] = manifest["feature_names"][::-1]
    path.write_text(json.dumps(manifest))
    with pytest.raises(VerificationFailed, match="feature list"):
        d.load_version(version)


def test_changed_active_version_is_picked_up_without_restart(models_dir):
    d = detector(models_dir)
    old = d.model_version
    _, version = new_version(models_dir, activate=True)
    assert version != old
    assert d.wait_for_version(version, timeout=10)
    assert d.score(sample_fields(1)[0]).model_version == version


def test_legacy_files_are_used_without_active_version(models_dir):
    store = ModelStore(models_dir / "paystub", "paystub")
    version = store.active_version()
    fields = sample_fields(4)
    # Legacy files carry no calibration: they serve the ensemble's raw score, the versioned one's model_score.
    expected = [detector(models_dir).score(f).decision["model_score"] for f in fields]
    for model in ("random_forest", "xgboost"):
        shutil.copy(store.directory / store.file_name(model, version, "pkl"), store.directory / f"paystub_{model}.pkl")
    (store.directory / ACTIVE_FILE).unlink()
    assert not FraudDetector(DOCUMENT_TYPES["paystub"], store.directory).reload_models()  # no loader: not served
    d = FraudDetector(DOCUMENT_TYPES["paystub"], store.directory, legacy_loader=load_legacy_version)
    assert d.reload_models()
    assert d.model_version == "legacy"
    assert [d.score(f).risk_score for f in fields] == pytest.approx(expected, abs=0.05)


def test_no_model_at_all_is_reported_not_crashed(tmp_path):
    d = FraudDetector(DOCUMENT_TYPES["paystub"], tmp_path / "empty")
    assert d.reload_models() is False
    assert "No paystub model" in d.status()["last_load_error"]["error"]


def test_activation_is_atomic_for_concurrent_readers(models_dir):
    store, version = new_version(models_dir)
    versions = {store.active_version(), version}
    seen, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            seen.append(store.active_version())

    reader = threading.Thread(target=read)
    reader.start()
    for i in range(200):
        store.activate(sorted(versions)[i % 2])
    stop.set()
    reader.join()
    assert seen and set(seen) <= versions  # never empty, never half a name


def test_exported_models_match_the_estimators(models_dir):
    """The ONNX files that serve agree with the scikit-learn/XGBoost estimators they came from."""
    import joblib

    from training.dataset import feature_matrix

    store = ModelStore(models_dir / "paystub", "paystub")
    version = store.active_version()
    batch = PAYSTUB.generator.generate(200, 11)
    from datetime import date

    X = feature_matrix(PAYSTUB, batch.documents, date.today())
    d = detector(models_dir)
    served = d.current.ensemble.predict_by_model(X)
    for i, model in enumerate(d.current.ensemble.names):
        estimator = joblib.load(store.directory / store.file_name(model, version, "pkl"))
        assert np.abs(np.clip(estimator.predict(X), 0, 100) - served[i]).max() < 0.01
