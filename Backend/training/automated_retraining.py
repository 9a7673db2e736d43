"""Retraining: blend reviewer-labelled documents with synthetic ones, train, compare, activate.

One run of `DocumentModelRetrainer.retrain()`:
  1. fetch labelled documents from the document store (reviewer decisions; confident AI labels);
  2. pick the data source by volume: synthetic, hybrid (real + synthetic, real weighted) or real;
  3. validate the training data (size, both classes, finite features, feature list);
  4. train the ensemble, keeping a real holdout;
  5. evaluate the candidate and the active version on the same set (real holdout + a fixed,
     seeded synthetic benchmark);
  6. save the version, load it the way serving does (checksums, canary), and activate it only
     if its primary metric is not worse than the active version's by more than the allowed drop;
  7. prune old versions. Serving processes pick up the new version on their own.

Runs of one type never overlap, across processes (an inter-process lock per type). A run
killed at any point leaves the active version untouched: files are written atomically, the
manifest last, and ACTIVE_VERSION.txt is replaced by rename only after the version verified.

The decision to activate or refuse is `DocumentModelRetrainer._run` below; activation
itself is services.model_versions (the same code the rollback route uses).

    python -m training.automated_retraining paystub [--job-id ID]     (from Backend/; the runner starts it)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from filelock import Timeout

from config import Config
from document_types import DOCUMENT_TYPES
from domain.fields import DocumentValidationError, validate_document
from domain.policy import load_policy
from models.model_store import ModelStore
from services.model_versions import ModelVersions
from services.priority import yield_cpu_to_serving
from store.document_store import DocumentStore, StoreUnavailable
from store.factory import document_store
from store.jobs import job_store_for
from training.dataset import Dataset, feature_matrix
from training.ensemble import EnsembleParams
from training.gate import GateSettings, active_metrics, judge
from training.model_performance_tracker import ModelPerformanceTracker
from training.retraining_config import RetrainingConfig, load_config
from training.versioning import fit_candidate, save_candidate

log = logging.getLogger(__name__)

STAGES = ("fetching data", "training", "evaluating", "saving", "activating")


class RetrainingInProgress(RuntimeError):
    """Another run for the same type holds the lock."""


class DataValidationError(ValueError):
    pass


@dataclass
class RealData:
    dataset: Dataset
    label_counts: dict[str, int]
    mean_confidence: float | None
    unreadable: int
    error: str | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat()


class DocumentModelRetrainer:
    """Retrains the document type named `doc_type`.

    `store` is the document store real labels come from (default: the one `app_config`
    names); `models_dir` and `config` default to what `app_config` names. `app_config`
    defaults to the settings' defaults; the process entry point passes the environment's.
    """

    def __init__(
        self,
        doc_type: str,
        *,
        store: DocumentStore | None = None,
        models_dir: Path | None = None,
        config: RetrainingConfig | None = None,
        app_config: Config | None = None,
        params: EnsembleParams | None = None,
        progress: Callable[[str], None] | None = None,
        trigger: str = "manual",
    ):
        name = doc_type
        self.doc_type = DOCUMENT_TYPES[name]
        self.app_config = app_config or Config()
        self.config = config or load_config(self.app_config.retraining_config_path())
        self.settings = self.config.for_type(name)
        self.policy = load_policy(self.app_config.decision_policy_path(), tuple(DOCUMENT_TYPES))[name]
        self.models_dir = Path(models_dir or self.app_config.models_dir(name))
        self.model_store = ModelStore(self.models_dir, name)
        self.tracker = ModelPerformanceTracker(name, self.models_dir)
        self.versions = ModelVersions(self.doc_type, self.model_store, self.tracker)
        self._store = store
        self.params = params or EnsembleParams(n_jobs=1)  # one core for training, the other for serving
        self.progress = progress or (lambda stage: None)
        self.trigger = trigger

    @property
    def store(self) -> DocumentStore:
        if self._store is None:
            self._store = document_store(self.app_config, DOCUMENT_TYPES.values())
        return self._store

    # data --------------------------------------------------------------------
    def generate_synthetic_data(self, n_samples: int, random_state: int | None = None) -> Dataset:
        """`n_samples` synthetic documents of this type, through the scoring feature extractor."""
        seed = self.config.global_settings.random_state if random_state is None else random_state
        today = datetime.now(UTC).date()
        batch = self.doc_type.generator.generate(n_samples, seed, today=today)
        return Dataset.of(feature_matrix(self.doc_type, batch.documents, today), batch.risk_targets, batch.labels)

    def fetch_real_data_from_database(self) -> RealData:
        """Labelled documents of this type: reviewer decisions, and the model's own where the data-quality
        rules admit them (off by default; then weighted lower: retraining_config.DataQuality).

        Features are re-extracted from the stored raw fields as of the day each document
        was scored, with the current extractor.
        """
        quality = self.config.data_quality
        targets = self.config.global_settings.label_risk_targets
        query = quality.label_query(limit=self.config.global_settings.max_real_samples)
        records = self.store.labelled_documents(self.doc_type.table, query)
        rows, risk, labels, confidences, weights = [], [], [], [], []
        counts = {"APPROVE": 0, "REJECT": 0, "reviewer": 0, "ai": 0}
        unreadable = 0
        for record in records:
            label = record.label
            by_reviewer = record.reviewer_decision is not None
            if not by_reviewer and not quality.model_label_counts(record):
                continue
            try:
                fields = validate_document(self.doc_type.schema, record.raw_fields).fields
            except DocumentValidationError:
                unreadable += 1
                continue
            rows.append(self.doc_type.extractor.extract(fields, record.created_at.date()).values)
            risk.append(targets[label])
            labels.append(1 if label == "REJECT" else 0)
            confidences.append(record.confidence_score)
            weights.append(self.settings.real_data_weight * (1.0 if by_reviewer else quality.model_label_weight))
            counts[label] += 1
            counts["reviewer" if by_reviewer else "ai"] += 1
        n_features = len(self.doc_type.extractor.feature_names)
        dataset = Dataset.of(np.asarray(rows, dtype=np.float32).reshape(len(rows), n_features), risk, labels)
        dataset.weights = np.asarray(weights, dtype=np.float64)
        mean_confidence = round(float(np.mean(confidences)), 4) if confidences else None
        log.info(
            "%s real labelled data: %d APPROVE, %d REJECT (%d reviewer, %d AI), mean confidence %s, %d unreadable",
            self.doc_type.name,
            counts["APPROVE"],
            counts["REJECT"],
            counts["reviewer"],
            counts["ai"],
            mean_confidence,
            unreadable,
        )
        return RealData(dataset, counts, mean_confidence, unreadable)

    def _fetch_real(self) -> RealData:
        try:
            return self.fetch_real_data_from_database()
        except StoreUnavailable as exc:
            log.warning("%s: document store unavailable, training on synthetic data only", self.doc_type.name)
            empty = Dataset.of(np.zeros((0, len(self.doc_type.extractor.feature_names))), [], [])
            return RealData(empty, {"APPROVE": 0, "REJECT": 0, "reviewer": 0, "ai": 0}, None, 0, str(exc))

    def choose_data_source(self, real: RealData) -> tuple[str, str]:
        n, s = len(real.dataset), self.settings
        if real.error:
            return "synthetic", f"document store unavailable ({real.error})"
        if n < s.min_real_samples_for_hybrid:
            return (
                "synthetic",
                f"{n} real labelled samples, fewer than min_real_samples_for_hybrid ({s.min_real_samples_for_hybrid})",
            )
        if n < s.min_real_samples_for_real_only:
            return "hybrid", (
                f"{n} real labelled samples: at least {s.min_real_samples_for_hybrid} (hybrid) "
                f"but fewer than min_real_samples_for_real_only ({s.min_real_samples_for_real_only})"
            )
        return (
            "real",
            f"{n} real labelled samples, at least min_real_samples_for_real_only ({s.min_real_samples_for_real_only})",
        )

    def validate(self, train: Dataset) -> None:
        """Raise DataValidationError unless `train` is fit to train on."""
        names = self.doc_type.extractor.feature_names
        if len(train) < self.settings.min_samples_for_training:
            raise DataValidationError(
                f"{len(train)} samples, fewer than min_samples_for_training ({self.settings.min_samples_for_training})"
            )
        present = set(np.unique(train.labels).tolist())
        if present != {0, 1}:
            raise DataValidationError(f"only one class present ({'REJECT' if present == {1} else 'APPROVE'})")
        if not np.all(np.isfinite(train.X)):
            raise DataValidationError(f"{int((~np.isfinite(train.X)).any(axis=1).sum())} rows with non-finite features")
        if train.X.shape[1] != len(names):
            raise DataValidationError(f"{train.X.shape[1]} features, the serving extractor makes {len(names)}")

    # the run -------------------------------------------------------------------
    def retrain(self) -> dict[str, Any]:
        """One run; never raises for a failed run (see the result's `success` and `reason`).

        Raises RetrainingInProgress when another run for this type holds the lock.
        """
        lock = self.model_store.retrain_lock()
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise RetrainingInProgress(f"{self.doc_type.name} is already retraining") from None
        started = time.perf_counter()
        result: dict[str, Any] = {
            "success": False,
            "doc_type": self.doc_type.name,
            "version_id": None,
            "activated": False,
            "reason": "",
            "metrics": {"candidate": None, "active": None},
            "data_source": None,
            "data_source_reason": None,
            "samples": {},
            "training_seconds": 0.0,
            "trigger": self.trigger,
            "started_at": _now(),
        }
        try:
            self._run(result)
        except DataValidationError as exc:
            result["reason"] = f"Data validation failed: {exc}"
            log.warning("%s: %s", self.doc_type.name, result["reason"])
        except Exception as exc:  # a failed run must still be recorded, and leave the active version as it was
            result["reason"] = f"Retraining failed: {type(exc).__name__}: {exc}"
            log.exception("%s retraining failed", self.doc_type.name)
        finally:
            result["training_seconds"] = round(time.perf_counter() - started, 3)
            result["finished_at"] = _now()
            lock.release()
            self.tracker.record_run(result)
        return result

    def _stage(self, stage: str) -> None:
        log.info("%s retraining: %s", self.doc_type.name, stage)
        self.progress(stage)

    def _run(self, result: dict[str, Any]) -> None:
        common = self.config.global_settings
        self._stage("fetching data")
        real = self._fetch_real()
        source, why = self.choose_data_source(real)
        result["data_source"], result["data_source_reason"] = source, why
        log.info("%s data source: %s (%s)", self.doc_type.name, source, why)

        if source == "synthetic":
            real_train = real_holdout = real.dataset.take(np.arange(0))
        else:
            real_train, real_holdout = real.dataset.split(common.holdout_fraction, common.random_state)
        synthetic = (
            self.generate_synthetic_data(self.settings.synthetic_samples)
            if source != "real"
            else real.dataset.take(np.arange(0))
        )
        if source == "synthetic":
            synthetic_train, synthetic_holdout = synthetic.split(common.holdout_fraction, common.random_state)
        else:
            synthetic_train, synthetic_holdout = synthetic, synthetic.take(np.arange(0))
        benchmark = self.generate_synthetic_data(common.evaluation_synthetic_samples, common.evaluation_seed)
        train = real_train.concat(synthetic_train)
        evaluation = real_holdout.concat(synthetic_holdout).concat(benchmark)
        result["samples"] = {
            "real": len(real.dataset),
            "real_train": len(real_train),
            "real_holdout": len(real_holdout),
            "synthetic": len(synthetic),
            "evaluation": len(evaluation),
            "train": len(train),
            "real_labels": real.label_counts,
            "real_unreadable": real.unreadable,
            # expected vs fetched rows, where the store pages under a row cap (Supabase)
            "real_read_report": getattr(self.store, "last_read_report", None),
            "real_mean_confidence": real.mean_confidence,
            "train_labels": {"REJECT": int(train.labels.sum()), "APPROVE": int(len(train) - train.labels.sum())},
        }
        self.validate(train)

        self._stage("training")
        names = self.doc_type.extractor.feature_names
        candidate = fit_candidate(
            train,
            evaluation,
            names,
            self.policy,
            params=self.params,
            anomaly=self.config.anomaly_settings(self.doc_type.name),
            random_state=common.random_state,
        )
        candidate.data_summary = {"data_source": source, "reason": why, **result["samples"]}

        self._stage("evaluating")
        active, note = active_metrics(self.model_store, names, evaluation, self.policy)
        result["metrics"] = {"candidate": candidate.metrics, "active": active}
        decision = judge(candidate, active, note, self.gate_settings())

        self._stage("saving")
        version = save_candidate(self.model_store, candidate)
        result["version_id"] = version
        self.versions.verify(version)  # what serving will do: checksums, canary
        if not decision.activate:
            self.versions.refuse(version, decision.reason)
            result.update(success=True, reason=decision.reason)
            return

        self._stage("activating")
        self.versions.activate(version, decision.reason, verified=True)
        result.update(success=True, activated=True, reason=f"Activated: {decision.reason}")
        self.prune()

    def gate_settings(self) -> GateSettings:
        common = self.config.global_settings
        return GateSettings(common.primary_metric, common.max_performance_drop, common.min_improvement)

    def prune(self) -> list[str]:
        """Delete all but the newest `keep_versions` versions, never the active one or the one before it."""
        return self.versions.prune(self.config.global_settings.keep_versions)


# The retrainer of each type under the names the seeds used.
PaystubModelRetrainer = partial(DocumentModelRetrainer, "paystub")
CheckModelRetrainer = partial(DocumentModelRetrainer, "check")
MoneyOrderModelRetrainer = partial(DocumentModelRetrainer, "money_order")
BankStatementModelRetrainer = partial(DocumentModelRetrainer, "bank_statement")


def main(argv: list[str] | None = None) -> int:
    """Run one retrain in this process, reporting stages to a job record when --job-id is given."""
    parser = argparse.ArgumentParser(description="Retrain one document type's models.")
    parser.add_argument("doc_type", choices=sorted(DOCUMENT_TYPES))
    parser.add_argument("--job-id")
    parser.add_argument("--trigger", default="manual")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    yield_cpu_to_serving()

    app_config = Config.from_env()
    jobs = None
    if args.job_id:
        jobs = job_store_for(app_config)
        jobs.start(args.job_id, os.getpid())
    progress = (lambda stage: jobs.set_stage(args.job_id, stage)) if jobs else (lambda stage: print(stage, flush=True))
    retrainer = DocumentModelRetrainer(args.doc_type, app_config=app_config, progress=progress, trigger=args.trigger)
    try:
        result = retrainer.retrain()
    except RetrainingInProgress as exc:
        result = {"success": False, "doc_type": args.doc_type, "reason": str(exc)}
    if jobs:
        jobs.finish(args.job_id, result)
    else:
        print(json.dumps(result, indent=2, default=str))
    return 0 if result.get("success") else 1


if __name__ == "__main__":
    raise SystemExit(main())
