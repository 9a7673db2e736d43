"""The anomaly detector's maths: thresholds, scorers that match scikit-learn, explanations, escalation.

Every kind finding known anomalies in an uploaded file, through the app, is integration/test_anomaly_api.py.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from document_types import DOCUMENT_TYPES
from models.anomaly import SCORERS, AnomalyModel, scale_rows
from models.detector import FraudDetector, anomaly_reason
from models.model_store import ModelStore
from paystub.fields import PaystubFields
from training.anomaly_fitting import ANOMALY_KINDS, AnomalySettings, fit_anomaly
from training.dataset import feature_matrix
from training.retraining_config import RetrainingConfigError, load_config

PAYSTUB = DOCUMENT_TYPES["paystub"]
TODAY = date(2026, 11, 22)


def _genuine_and_forged(n: int = 1200, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    batch = PAYSTUB.generator.generate(n, seed, today=TODAY)
    return feature_matrix(PAYSTUB, batch.documents, TODAY), np.asarray(batch.labels)


@pytest.mark.parametrize("kind", sorted(ANOMALY_KINDS))
def test_threshold_is_the_configured_percentile_of_genuine_training_scores(kind):
    X, labels = _genuine_and_forged()
    genuine = X[labels == 0]
    fitted = fit_anomaly(genuine, AnomalySettings(kind, 90.0), random_state=3)
    flagged = fitted.model.score(genuine).is_anomalous.mean()
    assert 0.08 <= flagged <= 0.11  # 10% above the 90th percentile (ties make it a little less)
    assert fitted.block["percentile"] == 90.0 and fitted.block["threshold"] == fitted.model.threshold
    # The served model is rebuilt from the manifest block and the artifact alone: same scores.
    rebuilt = AnomalyModel.from_manifest(fitted.block, fitted.artifact)
    np.testing.assert_array_equal(rebuilt.score(X).scores, fitted.model.score(X).scores)


def test_threshold_is_set_on_held_out_genuine_documents_when_there_are_enough():
    X, labels = _genuine_and_forged()
    genuine = X[labels == 0]
    fit_rows, held_out = genuine[: len(genuine) // 2], genuine[len(genuine) // 2 :]
    fitted = fit_anomaly(fit_rows, AnomalySettings("isolation_forest", 90.0), random_state=3, held_out=held_out)
    held_out_scores = fitted.model.score(held_out).scores
    assert fitted.block["threshold"] == pytest.approx(float(np.percentile(held_out_scores, 90.0)))
    assert fitted.block["threshold_set_on"] == "held-out genuine documents"
    assert fitted.block["threshold_rows"] == len(held_out)
    assert 0.08 <= fitted.block["held_out_anomalous_share"] <= 0.11
    too_few = fit_anomaly(fit_rows, AnomalySettings("isolation_forest", 90.0), random_state=3, held_out=held_out[:10])
    assert too_few.block["threshold_set_on"] == "training genuine documents"
    assert too_few.block["held_out_anomalous_share"] is None


def test_isolation_forest_export_scores_exactly_like_scikit_learn():
    X, labels = _genuine_and_forged()
    genuine = X[labels == 0].astype(np.float64)
    center, scale = genuine.mean(axis=0), np.where(genuine.std(axis=0) < 1e-9, 1.0, genuine.std(axis=0))
    Z = scale_rows(genuine, center, scale)
    kind = ANOMALY_KINDS["isolation_forest"]
    served = SCORERS[kind.name](kind.fit(Z, 11))
    reference = IsolationForest(n_estimators=kind.n_estimators, random_state=11, n_jobs=1).fit(Z)
    everything = scale_rows(X, center, scale)
    # ONNX tree ensembles hold leaf values in float32: a few rows differ in the third decimal, no more.
    np.testing.assert_allclose(served(everything)[0], -reference.score_samples(everything), atol=3e-3)


def test_knn_lof_serving_matches_scikit_learn():
    from sklearn.neighbors import LocalOutlierFactor

    X, labels = _genuine_and_forged(600)
    Z = scale_rows(X, X.mean(axis=0), np.maximum(X.std(axis=0), 1e-3))
    kind = ANOMALY_KINDS["knn_lof"]
    served = SCORERS[kind.name](kind.fit(Z[labels == 0], 0))
    reference = LocalOutlierFactor(n_neighbors=kind.n_neighbors, novelty=True).fit(Z[labels == 0])
    np.testing.assert_allclose(served(Z)[0], -reference.score_samples(Z), rtol=1e-4)


def test_explanations_name_the_features_outside_the_typical_range():
    X, labels = _genuine_and_forged()
    # The neighbourhood kind: one value far outside what genuine documents hold is enough for it,
    # where an isolation forest over 40 features needs a few such values.
    fitted = fit_anomaly(X[labels == 0], AnomalySettings("knn_lof"), random_state=1)
    names = tuple(PAYSTUB.extractor.feature_names)
    row = X[labels == 0][0].astype(np.float64).copy()
    odd = names.index("medicare_rate_error")
    row[odd] = 0.5  # Medicare withheld at a rate nothing genuine has
    block = fitted.model.explain(row[None, :], names)[0]
    assert block["is_anomalous"] and block["score"] > block["threshold"]
    top = block["top_features"][0]
    assert top["feature_name"] == "medicare_rate_error" and top["actual_value"] == 0.5
    assert top["typical_range"][1] < 0.5 and top["share"] > 0.5
    assert top["reconstruction_error"] is None
    assert abs(sum(f["share"] for f in block["top_features"]) - 1) <= 1e-3 or len(block["top_features"]) == 3


def test_autoencoder_explains_by_reconstruction_error():
    X, labels = _genuine_and_forged()
    fitted = fit_anomaly(X[labels == 0], AnomalySettings("autoencoder"), random_state=1)
    block = fitted.model.explain(X[labels == 1][:1].astype(np.float64), tuple(PAYSTUB.extractor.feature_names))[0]
    errors = [f["reconstruction_error"] for f in block["top_features"]]
    assert all(e is not None and e >= 0 for e in errors) and errors == sorted(errors, reverse=True)


def test_an_anomalous_document_is_never_approved_without_the_reason(models_dir):
    detector = FraudDetector(DOCUMENT_TYPES["paystub"], models_dir / "paystub", anomaly_escalates=True)
    flag_only = FraudDetector(DOCUMENT_TYPES["paystub"], models_dir / "paystub", anomaly_escalates=False)
    assert detector.reload_models() and flag_only.reload_models()
    documents = PAYSTUB.generator.generate(400, 31, fraud_rate=0.0).documents
    parsed = [PaystubFields.model_validate(d) for d in documents]
    escalated = detector.score_many(parsed, TODAY)
    flagged = flag_only.score_many(parsed, TODAY)
    unusual = [i for i, r in enumerate(escalated) if r.anomaly["is_anomalous"]]
    assert unusual, "a 95th-percentile threshold flags some genuine documents"
    for i in unusual:
        assert "ANOMALOUS_DOCUMENT" in {reason.code for reason in escalated[i].reasons}
        assert escalated[i].recommendation != "APPROVE"
        assert "ANOMALOUS_DOCUMENT" in {reason.code for reason in flagged[i].reasons}
    for i in set(range(len(parsed))) - set(unusual):
        assert "ANOMALOUS_DOCUMENT" not in {reason.code for reason in escalated[i].reasons}
        assert escalated[i].recommendation == flagged[i].recommendation


def test_a_tampered_anomaly_canary_refuses_the_version(models_dir):
    import json

    store = ModelStore(models_dir / "paystub", "paystub")
    version = store.active_version()
    manifest = json.loads(store.manifest_path(version).read_text())
    manifest["canary"]["expected_anomaly_scores"][0] += 0.25
    store.manifest_path(version).write_text(json.dumps(manifest))
    detector = FraudDetector(DOCUMENT_TYPES["paystub"], models_dir / "paystub")
    assert not detector.reload_models()
    assert "anomaly" in detector.last_error["error"]


def test_config_names_the_detector_kind_per_type(tmp_path):
    import json

    from training.retraining_config import DEFAULT_PATH

    config = load_config()
    assert config.anomaly_settings("paystub") == AnomalySettings("autoencoder", 95.0)  # the shipped choice
    data = json.loads(DEFAULT_PATH.read_text())
    data["document_types"]["check"]["anomaly_detector"] = "knn_lof"
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data))
    assert load_config(path).anomaly_settings("check").kind == "knn_lof"
    data["document_types"]["check"]["anomaly_detector"] = "gut_feeling"
    path.write_text(json.dumps(data))
    with pytest.raises(RetrainingConfigError, match="document_types.check.anomaly_detector"):
        load_config(path)


@pytest.mark.parametrize("kind", ["autoencoder", "isolation_forest"])
def test_explanations_never_name_a_value_inside_its_typical_range(kind):
    X, labels = _genuine_and_forged()
    fitted = fit_anomaly(X[labels == 0][:600], AnomalySettings(kind), random_state=2)
    names = tuple(PAYSTUB.extractor.feature_names)
    blocks = fitted.model.explain(X.astype(np.float64), names)
    named = 0
    for row, block in zip(X, blocks):
        for feature in block["top_features"]:
            j = names.index(feature["feature_name"])
            assert not fitted.model.range_low[j] <= row[j] <= fitted.model.range_high[j], feature
            named += 1
    assert named > 0  # forged documents do have values outside the ranges


def test_an_anomaly_of_typical_values_names_no_feature_and_says_so():
    X, labels = _genuine_and_forged()
    fitted = fit_anomaly(X[labels == 0], AnomalySettings("knn_lof"), random_state=1)
    model = dataclasses.replace(fitted.model, threshold=-1.0)  # every row anomalous, to reach the explanation
    centre = np.clip(fitted.model.center, fitted.model.range_low, fitted.model.range_high)
    block = model.explain(centre[None, :], tuple(PAYSTUB.extractor.feature_names))[0]
    assert block["is_anomalous"] and block["top_features"] == []
    reason = anomaly_reason(block, "paystub")
    assert reason.code == "ANOMALOUS_DOCUMENT" and "each within their typical range" in reason.message
