"""The fraud detector of one document type: load a version, score, hot-reload.

A detector holds one immutable `LoadedVersion` at a time. Scoring takes a reference to
it once, so a request is scored entirely by one version even while another is being
swapped in. A changed ACTIVE_VERSION.txt (checked with one `stat` per request) is
loaded in a background thread, verified (checksums, feature list, canary documents)
and only then swapped in; if anything fails, the old version keeps serving and the
failure is kept for `status()`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from domain.document_type import DocumentType
from domain.features import Extraction, Reason
from domain.fields import DocumentFields
from domain.policy import Thresholds, TypePolicy
from domain.scoring import RiskThresholds, ScoringResult
from models.anomaly import AnomalyModel
from models.calibration import Calibration
from models.model_store import ModelStore, ModelStoreError, VerificationFailed
from models.serving import MODEL_NAMES, OnnxEnsemble

log = logging.getLogger(__name__)

CANARY_TOLERANCE = 0.5  # risk points between the exported models and the estimators they came from
ANOMALY_CANARY_TOLERANCE = 1e-3  # relative; the anomaly canary is recorded with the serving scorer itself
TOP_FEATURE_COUNT = 5
TOP_FEATURE_CANDIDATES = 8  # features most unlike a genuine document, each re-scored at its typical value
MIN_CONTRIBUTION = 0.01  # risk points; a feature that moves the score less is not reported
LEGACY_VERSION = "legacy"


class ModelNotLoaded(RuntimeError):
    pass


@dataclass(frozen=True)
class LoadedVersion:
    """Everything one version needs to score, built once at load and never mutated."""

    version: str
    ensemble: OnnxEnsemble
    feature_names: tuple[str, ...]
    typical: np.ndarray  # per feature: mean over genuine training documents
    spread: np.ndarray  # per feature: standard deviation over genuine documents (never 0)
    importance: np.ndarray  # per feature: mean importance over the models, sums to 1
    loaded_at: str
    anomaly: AnomalyModel | None = None  # None for versions trained before anomaly detection
    calibration: Calibration = Calibration("identity")  # identity for versions trained before calibration
    thresholds: Thresholds = Thresholds(escalate=50.0, reject=80.0)  # in force for this version
    threshold_source: str = "policy minimum"

    @cached_property
    def risk_thresholds(self) -> RiskThresholds:
        return RiskThresholds(self.thresholds.escalate, self.thresholds.reject)

    @cached_property  # a frozen dataclass still has an instance __dict__ for this cache
    def typical_rounded(self) -> list[float]:
        return [round(v, 4) for v in self.typical.tolist()]


def check_canary(ensemble: OnnxEnsemble, canary: dict[str, Any]) -> None:
    """Score the version's known documents and compare with the scores recorded at training."""
    features = np.asarray(canary["features"], dtype=np.float32)
    expected = np.asarray(canary["expected_scores"], dtype=np.float64)
    actual = ensemble.predict(features)
    if not np.all(np.isfinite(actual)):
        raise VerificationFailed("canary documents scored to non-finite values")
    worst = float(np.max(np.abs(actual - expected))) if len(expected) else 0.0
    if worst > CANARY_TOLERANCE:
        raise VerificationFailed(f"canary documents scored {worst:.2f} points away from the recorded scores")


def check_anomaly_canary(anomaly: AnomalyModel, canary: dict[str, Any]) -> None:
    """The anomaly scores of the canary documents must be those recorded at training."""
    expected = np.asarray(canary["expected_anomaly_scores"], dtype=np.float64)
    actual = anomaly.score(np.asarray(canary["features"], dtype=np.float64)).scores
    tolerance = ANOMALY_CANARY_TOLERANCE * np.maximum(1.0, np.abs(expected))
    if not np.all(np.isfinite(actual)) or np.any(np.abs(actual - expected) > tolerance):
        raise VerificationFailed("canary documents got other anomaly scores than recorded at training")


LegacyLoader = Callable[[dict[str, Path], list[str], str], "LoadedVersion"]


class FraudDetector:
    """Scores documents of `document_type` with the active model version in `models_dir`.

    `legacy_loader` turns the non-versioned pickle files of set-ups from before versioning
    into a LoadedVersion (training.onnx_export.load_legacy_version); without it they are not
    served. It is passed in because it needs scikit-learn, which serving never imports.
    """

    def __init__(
        self,
        document_type: DocumentType,
        models_dir: Path,
        policy: TypePolicy | None = None,
        anomaly_escalates: bool = True,
        legacy_loader: LegacyLoader | None = None,
    ):
        self.document_type = document_type
        self.legacy_loader = legacy_loader
        self.store = ModelStore(Path(models_dir), document_type.name)
        self.policy = policy or TypePolicy()
        self.anomaly_escalates = anomaly_escalates  # an anomalous document the models would APPROVE goes to a reviewer
        self.extractor = self.document_type.extractor
        self._current: LoadedVersion | None = None
        self._seen_signature: tuple[int, int, int] | None = None
        self._reload_lock = threading.Lock()
        self._reload_pending = threading.Event()
        self.last_error: dict[str, Any] | None = None

    # loading ---------------------------------------------------------------
    @property
    def current(self) -> LoadedVersion | None:
        return self._current

    @property
    def model_version(self) -> str | None:
        loaded = self._current
        return loaded.version if loaded else None

    def load_version(self, version: str) -> LoadedVersion:
        """Load and verify one version from disk without making it current."""
        manifest = self.store.verify(version)
        names = tuple(manifest["feature_names"])
        if list(names) != self.extractor.feature_names:
            raise VerificationFailed("its feature list differs from this server's feature extractor")
        models = {
            model: self.store.read_verified(manifest, self.store.file_name(model, version, "onnx"))
            for model in MODEL_NAMES
        }
        ensemble = OnnxEnsemble(models, manifest["model_weights"])
        check_canary(ensemble, manifest["canary"])
        anomaly = self._load_anomaly(manifest, version)
        stats = manifest["feature_stats"]
        thresholds, source = self.policy.thresholds_for((manifest.get("thresholds") or {}).get("chosen"))
        return LoadedVersion(
            version=version,
            ensemble=ensemble,
            feature_names=names,
            typical=np.asarray(stats["typical"], dtype=np.float64),
            spread=np.maximum(np.asarray(stats["spread"], dtype=np.float64), 1e-6),
            importance=np.asarray(stats["importance"], dtype=np.float64),
            loaded_at=datetime.now(UTC).isoformat(),
            anomaly=anomaly,
            calibration=Calibration.from_manifest(manifest.get("calibration")),
            thresholds=thresholds,
            threshold_source=source,
        )

    def _load_anomaly(self, manifest: dict[str, Any], version: str) -> AnomalyModel | None:
        block = manifest.get("anomaly")
        if block is None:
            return None
        artifact = self.store.read_verified(manifest, self.store.file_name("anomaly", version, block["extension"]))
        anomaly = AnomalyModel.from_manifest(block, artifact)
        if len(anomaly.center) != len(manifest["feature_names"]):
            raise VerificationFailed("its anomaly detector was fitted on another feature list")
        check_anomaly_canary(anomaly, manifest["canary"])
        return anomaly

    def _load_legacy(self) -> LoadedVersion:
        """Non-versioned <type>_<model>.pkl files from before versioning, exported to ONNX on load."""
        paths = self.store.legacy_files(MODEL_NAMES)
        if self.legacy_loader is None or not all(path.exists() for path in paths.values()):
            raise ModelNotLoaded(
                f"No {self.document_type.name} model: no {self.store.active_path.name} and no legacy files"
            )
        return self.legacy_loader(paths, self.extractor.feature_names, LEGACY_VERSION)

    def reload_models(self) -> bool:
        """Load what ACTIVE_VERSION.txt names and swap it in if it passes every check.

        Returns True when the active version is serving afterwards, False when loading
        failed (the previous version, if any, keeps serving; `last_error` says why).
        """
        with self._reload_lock:
            self._reload_pending.clear()
            signature = self.store.active_signature()
            version = self.store.active_version()
            current = self._current
            try:
                if version is None:
                    loaded = self._load_legacy()
                elif current is not None and current.version == version:
                    loaded = current
                else:
                    loaded = self.load_version(version)
            except (ModelStoreError, ModelNotLoaded, KeyError, ValueError, OSError, RuntimeError) as exc:
                self._seen_signature = signature
                self.last_error = {
                    "version": version,
                    "error": str(exc) or type(exc).__name__,
                    "at": datetime.now(UTC).isoformat(),
                }
                if current is None and version is not None:  # starting up: serve the version before it
                    self._current = current = self._load_version_before(version)
                log.error(
                    "Could not load %s model version %s: %s; still serving %s",
                    self.document_type.name,
                    version,
                    exc,
                    current.version if current else "nothing",
                )
                return False
            self._current = loaded
            self._seen_signature = signature
            self.last_error = None
            if loaded is not current:
                log.info("%s detector now serving model version %s", self.document_type.name, loaded.version)
            return True

    def _load_version_before(self, refused: str) -> LoadedVersion | None:
        """The newest version older than `refused` that loads (never one retraining rejected), or None."""
        for info in self.store.list_versions():  # newest first
            if info.version >= refused or not info.valid or (info.manifest or {}).get("status") == "rejected":
                continue
            try:
                return self.load_version(info.version)
            except (ModelStoreError, KeyError, ValueError, OSError, RuntimeError) as exc:
                log.error("Could not load %s model version %s either: %s", self.document_type.name, info.version, exc)
        return None

    def refresh_if_changed(self) -> None:
        """Per-request check: one stat of ACTIVE_VERSION.txt; a change reloads in the background."""
        if self.store.active_signature() == self._seen_signature or self._reload_pending.is_set():
            return
        self._reload_pending.set()
        threading.Thread(target=self.reload_models, name=f"reload-{self.document_type.name}", daemon=True).start()

    def wait_for_version(self, version: str, timeout: float = 10.0) -> bool:
        """Block until `version` serves (for tests and the CLI); False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.refresh_if_changed()
            if self.model_version == version:
                return True
            time.sleep(0.01)
        return False

    # scoring ---------------------------------------------------------------
    def score(self, doc: DocumentFields, today: date | None = None) -> ScoringResult:
        """Score one validated document with the current version."""
        return self.score_many([doc], today)[0]

    def score_many(self, docs: Sequence[DocumentFields], today: date | None = None) -> list[ScoringResult]:
        """Score validated documents with the current version, all with the same one, in one model call."""
        loaded = self._current
        if loaded is None:
            raise ModelNotLoaded(f"No {self.document_type.name} model is loaded")
        today = today or datetime.now(UTC).date()
        return self.score_extractions(loaded, [self.extractor.extract(doc, today) for doc in docs])

    def score_extractions(
        self, loaded: LoadedVersion, extractions: Sequence[Extraction], explain: bool = True
    ) -> list[ScoringResult]:
        """Results for extracted documents (feature values and rule reasons), all by version `loaded`.

        `explain=False` leaves `top_features` empty (a batch that is not stored never shows them).
        """
        X = np.array([e.values for e in extractions], dtype=np.float32).reshape(len(extractions), -1)
        n = len(X)
        rows = X.astype(np.float64)
        candidates = self._candidates(loaded, rows) if explain else None
        if candidates is not None:  # one model call scores the documents and their what-ifs together
            X = np.vstack([X, self._occluded(loaded, rows, candidates).astype(np.float32)])
        by_model_all = loaded.ensemble.predict_by_model(X)  # (n_models, rows)
        raw_all = loaded.ensemble.weights @ by_model_all
        by_model, raw = by_model_all[:, :n], raw_all[:n]
        probability = loaded.calibration.probability(raw) if n > 1 else [loaded.calibration.probability_of(raw[0])]
        if candidates is not None:
            top_features = self._top_features(loaded, rows, candidates, raw, raw_all[n:].reshape(n, -1))
        else:
            top_features = [[] for _ in range(n)]
        anomaly_blocks = loaded.anomaly.explain(rows, loaded.feature_names) if loaded.anomaly is not None else None
        names, label = loaded.ensemble.names, self.document_type.label.lower()
        thresholds, levels = loaded.thresholds, loaded.risk_thresholds
        results = []
        for i in range(n):
            risk_score = round(100.0 * float(probability[i]), 2)
            scores = by_model[:, i].tolist()
            row_reasons = list(extractions[i].reasons)
            anomaly_block = anomaly_blocks[i] if anomaly_blocks is not None else None
            anomalous = anomaly_block is not None and anomaly_block["is_anomalous"]
            if anomalous:
                row_reasons.append(anomaly_reason(anomaly_block, label))
            recommendation, graded, rule = self.policy.decide(
                risk_score, row_reasons, anomalous and self.anomaly_escalates, thresholds
            )
            results.append(
                ScoringResult(
                    risk_score=risk_score,
                    risk_level=levels.level(risk_score),
                    recommendation=recommendation,
                    confidence_score=levels.confidence(risk_score, scores),
                    model_version=loaded.version,
                    model_scores={name: round(score, 2) for name, score in zip(names, scores)},
                    reasons=graded,
                    top_features=top_features[i],
                    features=dict(zip(loaded.feature_names, extractions[i].values)),
                    anomaly=anomaly_block,
                    decision={
                        "rule": rule,
                        "escalate_threshold": thresholds.escalate,
                        "reject_threshold": thresholds.reject,
                        "thresholds_from": loaded.threshold_source,
                        "model_score": round(float(raw[i]), 2),
                    },
                )
            )
        return results

    @staticmethod
    def _candidates(loaded: LoadedVersion, rows: np.ndarray) -> np.ndarray:
        """Per row, the TOP_FEATURE_CANDIDATES features furthest from a typical genuine document, weighted by
        importance: (n, k) column indices."""
        weights = loaded.importance * np.abs((rows - loaded.typical) / loaded.spread)
        k = min(TOP_FEATURE_CANDIDATES, rows.shape[1])
        return np.argpartition(-weights, k - 1, axis=1)[:, :k]

    @staticmethod
    def _occluded(loaded: LoadedVersion, rows: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Each row repeated once per candidate, that candidate set to its typical genuine value: (n * k, d)."""
        k = candidates.shape[1]
        what_if = np.repeat(rows, k, axis=0)
        columns = candidates.reshape(-1)
        what_if[np.arange(len(what_if)), columns] = loaded.typical[columns]
        return what_if

    @staticmethod
    def _top_features(
        loaded: LoadedVersion, rows: np.ndarray, candidates: np.ndarray, raw: np.ndarray, what_if: np.ndarray
    ) -> list[list[dict[str, Any]]]:
        """Per row, the features that moved its model score most, signed.

        A feature's contribution is the model score minus the score of the same document with that
        feature at its typical genuine value: positive pushes towards fraud, negative towards genuine.
        """
        contributions = (raw[:, None] - what_if).tolist()
        values, typical, names = rows.tolist(), loaded.typical_rounded, loaded.feature_names
        results = []
        for row_candidates, row_contributions, row_values in zip(candidates.tolist(), contributions, values):
            ranked = sorted(zip(row_candidates, row_contributions), key=lambda pair: -abs(pair[1]))
            results.append(
                [
                    {
                        "feature": names[j],
                        "value": round(row_values[j], 4),
                        "typical_value": typical[j],
                        "direction": "higher" if row_values[j] > typical[j] else "lower",
                        "contribution": round(delta, 2),
                        "towards": "fraud" if delta > 0 else "genuine",
                    }
                    for j, delta in ranked[:TOP_FEATURE_COUNT]
                    if abs(delta) >= MIN_CONTRIBUTION
                ]
            )
        return results

    def status(self) -> dict[str, Any]:
        loaded = self._current
        return {
            "loaded_version": loaded.version if loaded else None,
            "loaded_at": loaded.loaded_at if loaded else None,
            "active_version": self.store.active_version(),
            "thresholds": loaded.thresholds.model_dump() if loaded else None,
            "thresholds_from": loaded.threshold_source if loaded else None,
            "last_load_error": self.last_error,
        }


def anomaly_reason(block: dict[str, Any], label: str) -> Reason:
    """Why an anomalous document is not simply approved, in the reviewer's words (features only, no personal data)."""
    parts = [
        f"{f['feature_name']} = {f['actual_value']:g} (typical {f['typical_range'][0]:g} to {f['typical_range'][1]:g})"
        for f in block["top_features"]
    ]
    return Reason(
        "ANOMALOUS_DOCUMENT",
        f"Unlike the genuine {label}s the model was trained on: "
        + ("; ".join(parts) or "an unusual combination of values that are each within their typical range"),
    )
