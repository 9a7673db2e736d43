"""The retraining pipeline: data sources, validation, refusal of worse models, tracking, pruning, CLI."""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pytest

from document_types import DOCUMENT_TYPES
from domain.records import ListQuery
from models.model_store import ModelStore
from support.app import TOKEN, make_config
from support.retraining import ALWAYS_ACTIVATE, label_documents, small_config, truthful
from training.automated_retraining import DocumentModelRetrainer, PaystubModelRetrainer, RetrainingInProgress
from training.dataset import Dataset
from training.model_performance_tracker import ModelPerformanceTracker
from training.retraining_config import DEFAULT_PATH, RetrainingConfigError, load_config

PAYSTUB = DOCUMENT_TYPES["paystub"]


@pytest.fixture
def config_path(tmp_path):
    return small_config(tmp_path)


@pytest.fixture
def retrain_app(models_dir, tmp_path, config_path):
    from api_server import create_app

    app = create_app(
        make_config(
            models_dir, f"sqlite:///{tmp_path}/docs.db", ADMIN_API_TOKEN=TOKEN, RETRAINING_CONFIG_PATH=config_path
        )
    )
    yield app
    app.extensions["fraud_detection"].store.close()


def retrainer(app, cls=PaystubModelRetrainer, **kwargs):
    kwargs.setdefault("config", app.extensions["fraud_detection"].retraining_config)
    return cls(store=app.extensions["fraud_detection"].store, app_config=app.config["FRAUD_CONFIG"], **kwargs)


# configuration ---------------------------------------------------------------------------------


def test_shipped_config_loads():
    config = load_config()
    assert config.global_settings.schedule_day_of_week == "sun" and config.global_settings.schedule_hour == 2
    assert config.data_quality.min_confidence_score == 0.8 and config.data_quality.require_high_confidence_only
    assert set(config.document_types) == set(DOCUMENT_TYPES)


@pytest.mark.parametrize(
    "edit, key",
    [
        (lambda d: d["global_settings"].pop("primary_metric"), "global_settings.primary_metric"),
        (lambda d: d["global_settings"].update(primary_metric="accuracy"), "global_settings.primary_metric"),
        (lambda d: d["global_settings"].update(schedule_timezone="Mars/Olympus"), "global_settings.schedule_timezone"),
        (lambda d: d["global_settings"].update(schedule_hour=25), "global_settings.schedule_hour"),
        (lambda d: d["data_quality"].update(min_confidence_score="high"), "data_quality.min_confidence_score"),
        (lambda d: d["document_types"]["check"].pop("synthetic_samples"), "document_types.check.synthetic_samples"),
        (lambda d: d["document_types"]["check"].update(min_real_samples_for_real_only=10), "document_types.check"),
        (lambda d: d["document_types"].pop("money_order"), "document_types"),
        (lambda d: d["global_settings"].update(keep_verisons=3), "global_settings.keep_verisons"),
    ],
)
def test_broken_config_names_the_key(tmp_path, edit, key):
    data = json.loads(DEFAULT_PATH.read_text())
    edit(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(RetrainingConfigError, match=f": {key}"):
        load_config(path)


def test_unreadable_config_fails_at_start_up(models_dir, tmp_path):
    from api_server import create_app

    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(RetrainingConfigError, match="not valid JSON"):
        create_app(
            make_config(models_dir, f"sqlite:///{tmp_path}/d.db", RETRAINING_CONFIG_PATH=str(tmp_path / "broken.json"))
        )


# data sources ----------------------------------------------------------------------------------

RESULT_KEYS = {
    "success",
    "doc_type",
    "version_id",
    "activated",
    "reason",
    "metrics",
    "data_source",
    "samples",
    "training_seconds",
}


def test_synthetic_run_without_real_data(retrain_app):
    result = retrainer(retrain_app).retrain()
    assert RESULT_KEYS <= set(result)
    assert result["success"] and result["data_source"] == "synthetic"
    assert "fewer than min_real_samples_for_hybrid" in result["data_source_reason"]
    assert result["samples"]["real"] == 0 and result["samples"]["synthetic"] == 800
    assert set(result["metrics"]) == {"candidate", "active"}
    for metrics in result["metrics"].values():
        assert {"r2", "mae", "roc_auc", "precision_reject", "recall_reject"} <= set(metrics)
    store = ModelStore(retrain_app.config["FRAUD_CONFIG"].models_dir("paystub"), "paystub")
    assert result["version_id"] in store.version_ids()
    assert result["activated"] == (store.active_version() == result["version_id"])


def test_hybrid_then_real_from_reviewed_documents(retrain_app):
    client = retrain_app.test_client()
    label_documents(client, 60, 501, truthful)
    hybrid = retrainer(retrain_app).retrain()
    assert hybrid["success"] and hybrid["data_source"] == "hybrid", hybrid["reason"]
    assert hybrid["samples"]["real"] == 60 and hybrid["samples"]["synthetic"] == 800
    assert hybrid["samples"]["real_labels"]["reviewer"] == 60
    label_documents(client, 120, 502, truthful)
    real = retrainer(retrain_app).retrain()
    assert real["success"] and real["data_source"] == "real", real["reason"]
    assert real["samples"]["synthetic"] == 0 and real["samples"]["real"] >= 150


def test_by_default_only_reviewer_decisions_are_training_labels(retrain_app):
    client = retrain_app.test_client()
    batch = PAYSTUB.generator.generate(40, 77)
    for document in batch.documents:
        client.post("/api/paystubs/analyze", json=document)
    label_documents(client, 6, 78, truthful)
    real = retrainer(retrain_app).fetch_real_data_from_database()
    assert len(real.dataset) == 6
    assert real.label_counts["reviewer"] == 6 and real.label_counts["ai"] == 0


def test_model_labels_when_switched_on_need_hard_evidence_or_an_extreme_score_and_weigh_less(retrain_app, tmp_path):
    client = retrain_app.test_client()
    batch = PAYSTUB.generator.generate(60, 79)
    for document in batch.documents:
        client.post("/api/paystubs/analyze", json=document)
    label_documents(client, 4, 80, truthful)
    data = json.loads(DEFAULT_PATH.read_text())
    data["data_quality"].update(use_model_labels=True, require_high_confidence_only=False, model_label_weight=0.25)
    path = tmp_path / "with_model_labels.json"
    path.write_text(json.dumps(data))
    real = retrainer(retrain_app, config=load_config(path)).fetch_real_data_from_database()

    stored = retrain_app.extensions["fraud_detection"].store.list_analyses("paystubs", ListQuery(limit=100))
    quality = load_config(path).data_quality
    admitted = [r for r in stored if r.reviewer_decision is None and quality.model_label_counts(r)]
    assert admitted
    for record in admitted:
        hard = any(reason["severity"] == "hard" for reason in record.reasons)
        if record.ai_recommendation == "REJECT":
            assert hard or record.risk_score >= 97
        else:
            assert record.ai_recommendation == "APPROVE" and record.risk_score <= 3
    assert real.label_counts["ai"] == len(admitted) and real.label_counts["reviewer"] == 4
    settings = load_config(path).for_type("paystub")
    weights = sorted(set(real.dataset.weights.round(6).tolist()))
    assert weights == [round(settings.real_data_weight * 0.25, 6), settings.real_data_weight]


def test_a_retrain_no_better_than_the_active_version_keeps_it(retrain_app, tmp_path):
    """Two runs on the same synthetic data give the same model: the second must not churn the active version."""
    config = load_config(small_config(tmp_path))
    first = retrainer(retrain_app, config=config).retrain()
    second = retrainer(retrain_app, config=config).retrain()
    assert first["success"] and second["success"]
    store = ModelStore(retrain_app.config["FRAUD_CONFIG"].models_dir("paystub"), "paystub")
    assert not second["activated"] and store.active_version() != second["version_id"]
    assert second["reason"].startswith("Active version kept: roc_auc")
    assert "required margin (0.001)" in second["reason"]
    margin_off = load_config(small_config(tmp_path, {"min_improvement": 0.0}))
    third = retrainer(retrain_app, config=margin_off).retrain()
    assert third["activated"] and store.active_version() == third["version_id"]  # margin 0: within max drop


def test_one_class_fails_validation_and_changes_nothing(retrain_app, tmp_path):
    config_path = small_config(
        tmp_path, min_real_samples_for_hybrid=10, min_real_samples_for_real_only=20, min_samples_for_training=20
    )
    client = retrain_app.test_client()
    label_documents(client, 30, 503, lambda label: "APPROVE", fraud_rate=0.0)
    store = ModelStore(retrain_app.config["FRAUD_CONFIG"].models_dir("paystub"), "paystub")
    before = (store.active_version(), store.version_ids())
    result = retrainer(retrain_app, config=load_config(config_path)).retrain()
    assert not result["success"]
    assert result["reason"] == "Data validation failed: only one class present (APPROVE)"
    assert (store.active_version(), store.version_ids()) == before


def test_too_few_samples_fail_validation(retrain_app, tmp_path):
    result = retrainer(retrain_app, config=load_config(small_config(tmp_path, min_samples_for_training=5000))).retrain()
    assert not result["success"] and result["reason"].startswith("Data validation failed: ")
    assert "fewer than min_samples_for_training" in result["reason"]


class ShuffledLabels(DocumentModelRetrainer):
    """Trains on synthetic data whose labels have been shuffled: a model worse on purpose."""

    def generate_synthetic_data(self, n_samples, random_state=None):
        data = super().generate_synthetic_data(n_samples, random_state)
        if random_state == self.config.global_settings.evaluation_seed:
            return data  # the benchmark set stays honest
        order = np.random.default_rng(0).permutation(len(data))
        return Dataset(data.X, data.targets[order], data.labels[order], data.weights)


def test_worse_candidate_is_refused_and_active_keeps_serving(retrain_app):
    store = ModelStore(retrain_app.config["FRAUD_CONFIG"].models_dir("paystub"), "paystub")
    active = store.active_version()
    result = retrainer(retrain_app, cls=partial(ShuffledLabels, "paystub")).retrain()
    assert result["success"] and not result["activated"]
    assert result["reason"].startswith("New model not activated due to performance drop: roc_auc")
    assert result["metrics"]["candidate"]["roc_auc"] < result["metrics"]["active"]["roc_auc"] - 0.02
    assert store.active_version() == active
    models = retrain_app.test_client().get("/api/paystubs/models").json
    refused = next(v for v in models["versions"] if v["version"] == result["version_id"])
    assert refused["status"] == "rejected" and "performance drop" in refused["status_reason"]
    assert models["loaded_version"] == active


def test_runs_of_one_type_never_overlap(retrain_app):
    import threading

    lock = ModelStore(retrain_app.config["FRAUD_CONFIG"].models_dir("paystub"), "paystub").retrain_lock()
    held, release = threading.Event(), threading.Event()

    def hold():
        with lock:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    try:
        with pytest.raises(RetrainingInProgress):
            retrainer(retrain_app).retrain()
    finally:
        release.set()
        thread.join()


def test_tracker_records_runs_and_summarises(retrain_app, tmp_path):
    retrainer(retrain_app, config=load_config(small_config(tmp_path, {"min_improvement": 0.0}))).retrain()
    retrainer(retrain_app, cls=partial(ShuffledLabels, "paystub")).retrain()
    tracker = ModelPerformanceTracker("paystub", retrain_app.config["FRAUD_CONFIG"].models_dir("paystub"))
    summary = tracker.get_performance_summary("x", "roc_auc")
    assert summary["runs"] == 2 and summary["successful_runs"] == 2 and summary["refusals"] == 1
    assert [s["data_source"] for s in summary["data_source_evolution"]] == ["synthetic", "synthetic"]
    assert len(summary["metric_trend"]) == 2 and all(t["value"] is not None for t in summary["metric_trend"])
    assert summary["training_seconds"][0]["seconds"] > 0


def test_pruning_keeps_active_and_previous(retrain_app, tmp_path):
    # keep two versions; activate every candidate
    config = load_config(small_config(tmp_path, {"keep_versions": 2, **ALWAYS_ACTIVATE}))
    store = ModelStore(retrain_app.config["FRAUD_CONFIG"].models_dir("paystub"), "paystub")
    versions = [retrainer(retrain_app, config=config).retrain()["version_id"] for _ in range(3)]
    remaining = store.version_ids()
    assert versions[-1] == store.active_version()
    assert versions[-1] in remaining and versions[-2] in remaining
    assert len(remaining) == 2


def test_every_type_has_a_retrainer(retrain_app):
    for name in DOCUMENT_TYPES:
        data = retrainer(retrain_app, cls=partial(DocumentModelRetrainer, name)).generate_synthetic_data(50, 3)
        assert data.X.shape == (50, len(DOCUMENT_TYPES[name].extractor.feature_names))


def test_cli_retrain_and_scheduled_training(retrain_app):
    runner = retrain_app.test_cli_runner()
    out = runner.invoke(args=["retrain", "check"])
    assert out.exit_code == 0, out.output
    assert "check: fetching data" in out.output and "check: training" in out.output
    assert "synthetic" in out.output.splitlines()[-1]
    client = retrain_app.test_client()
    label_documents(client, 25, 601, truthful, slug="money-orders", doc_type=DOCUMENT_TYPES["money_order"])
    out = runner.invoke(args=["scheduled-training", "--days", "1"])
    assert out.exit_code == 0, out.output
    assert "money_order: 25 new labelled documents in 1 day(s), threshold 20;" in out.output
    assert [line for line in out.output.splitlines() if line.startswith("money_order: 25")][0].endswith(": retrain")
    assert [line for line in out.output.splitlines() if line.startswith("paystub: 0 new")][0].endswith(": skip")
    last = out.output.strip().splitlines()[-1]
    assert last.startswith("money_order") and "hybrid" not in last  # 25 < min_real_samples_for_hybrid (30)
    bad = runner.invoke(args=["retrain", "invoice"])
    assert bad.exit_code != 0 and "unknown type" in bad.output


def test_a_forced_baseline_passes_the_retrains_evaluation_gate(retrain_app):
    """The session's baselines were trained on the same samples and seed: a forced one is the same model,
    so it is saved but refused, and the active version keeps serving."""
    store = ModelStore(retrain_app.config["FRAUD_CONFIG"].models_dir("check"), "check")
    active = store.active_version()
    out = retrain_app.test_cli_runner().invoke(args=["train-baseline", "check", "--force", "--samples", "1500"])
    assert out.exit_code == 0, out.output
    newest = store.list_versions()[0]
    assert newest.version != active and store.active_version() == active
    assert newest.manifest["status"] == "rejected"
    assert newest.manifest["status_reason"].startswith("Active version kept: roc_auc")
    assert out.output.strip() == (
        f"check: trained {newest.version}, not activated: {newest.manifest['status_reason']}; {active} stays active"
    )
