"""Analysis use cases: score a document or a batch, store it (falling back to the outbox), read, review.

The analyze route, the batch route and the batch CLI all go through `AnalysisService`, so
"score, then store or keep for later" is written once.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domain.batch import BatchResult, RowOutcome, Unreadable, documents_from_json, documents_from_sheet
from domain.document_type import DocumentType
from domain.features import Extraction
from domain.fields import DocumentValidationError, validate_document
from domain.records import AnalysisRecord, ListQuery, analysis_record
from domain.scoring import ScoringResult
from domain.spreadsheets import read_sheet
from models.detector import FraudDetector, ModelNotLoaded
from store.document_store import DocumentStore, StoredLater, StoreUnavailable

log = logging.getLogger(__name__)

CHUNK_ROWS = 2000  # rows per model call: large enough to amortise it, small enough to report progress
# What became of analyses handed to the store, and what the answer then tells the client (one, many).
STORED, KEPT_FOR_LATER, LOST = "stored", "kept for later", "lost"
WARNINGS = {
    KEPT_FOR_LATER: (
        "The database is unavailable: the analysis is kept locally and stored when it is back",
        "The database is unavailable: the analyses are kept locally and stored when it is back",
    ),
    LOST: (
        "The analysis could not be stored; it will not appear in the review queue",
        "The analyses could not be stored; they will not appear in the review queue",
    ),
}


class NotFound(LookupError):
    """No analysis with that id; `field` names what was not found."""

    def __init__(self, message: str, field_name: str = "document_id"):
        super().__init__(message)
        self.field = field_name


class TooManyDocuments(ValueError):
    def __init__(self, max_rows: int):
        super().__init__(f"More than {max_rows} documents in one batch; split it")
        self.max_rows = max_rows


@dataclass(frozen=True)
class BatchSettings:
    """Limits of batch uploads, and the columns each type's files must have."""

    max_bytes: int = 20_000_000
    max_rows: int = 50_000
    identifying_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Analysis:
    """One scored document: its stored form, its result, and whether the store has it now."""

    record: AnalysisRecord
    result: ScoringResult
    stored: bool


@dataclass
class BatchAnalysis:
    result: BatchResult
    stored: bool
    warnings: list[str]


class AnalysisService:
    """Scores with the per-type detectors and keeps analyses in the document store.

    `on_review(type name) -> str` tells whether a review queued a retrain (the scheduler's
    trigger); without it a review never starts training.
    """

    def __init__(
        self,
        types: Mapping[str, DocumentType],
        detectors: Mapping[str, FraudDetector],
        store: DocumentStore,
        batch: BatchSettings = BatchSettings(),
        on_review: Callable[[str], str] | None = None,
    ):
        self.types = types
        self.detectors = detectors
        self.store = store
        self.batch = batch
        self.on_review = on_review

    # scoring ------------------------------------------------------------------------------
    def analyze(self, doc_type: DocumentType, body: Any) -> Analysis:
        """Validate, score and store one document. DocumentValidationError for a bad body, ModelNotLoaded."""
        parsed = validate_document(doc_type.schema, body)
        detector = self.detectors[doc_type.name]
        detector.refresh_if_changed()
        result = detector.score(parsed.fields)
        record = analysis_record(doc_type.name, parsed.raw_fields, result, datetime.now(UTC), parsed.warnings)
        outcome = self._save(doc_type, [record], one=True)
        if outcome != STORED:
            record.warnings.append(WARNINGS[outcome][0])
        return Analysis(record, result, outcome == STORED)

    def batch_from_json(self, doc_type: DocumentType, body: Any) -> list[tuple[int, Any]]:
        """(row number, document) pairs of a JSON array; BatchRejected, TooManyDocuments."""
        documents = documents_from_json(doc_type, body, self._identifying(doc_type))
        if len(documents) > self.batch.max_rows:
            raise TooManyDocuments(self.batch.max_rows)
        return documents

    def batch_from_file(self, doc_type: DocumentType, data: bytes) -> list[tuple[int, Any]]:
        """(row number, document) pairs of a CSV or XLSX file; SpreadsheetError, BatchRejected."""
        return documents_from_sheet(doc_type, read_sheet(data, self.batch.max_rows), self._identifying(doc_type))

    def batch_from_bytes(self, doc_type: DocumentType, data: bytes, is_json: bool) -> list[tuple[int, Any]]:
        """A file's documents, a JSON array when `is_json`, else a spreadsheet; ValueError for unreadable JSON."""
        return self.batch_from_json(doc_type, json.loads(data)) if is_json else self.batch_from_file(doc_type, data)

    def _identifying(self, doc_type: DocumentType) -> tuple[str, ...]:
        return self.batch.identifying_columns.get(doc_type.name, ())

    def analyze_batch(
        self,
        doc_type: DocumentType,
        documents: Sequence[tuple[int, Any]],
        store: bool,
        progress: Callable[[int], None] | None = None,
        chunk_rows: int = CHUNK_ROWS,
    ) -> BatchAnalysis:
        """Score every document with one model version; with `store`, keep the scored rows for review."""
        detector = self.detectors[doc_type.name]
        detector.refresh_if_changed()
        result = score_documents(detector, documents, progress, chunk_rows, explain=store)
        warnings, stored = [], False
        if store:
            outcome = self._save(doc_type, result.records(doc_type))
            stored = outcome == STORED
            if outcome != STORED:
                warnings.append(WARNINGS[outcome][1])
            if outcome == LOST:  # no id to look up later
                for row in result.rows:
                    row.document_id = None
        return BatchAnalysis(result, stored, warnings)

    def _save(self, doc_type: DocumentType, records: list[AnalysisRecord], one: bool = False) -> str:
        """Store `records` (`one`: a single analysis): STORED, KEPT_FOR_LATER (in the outbox) or LOST."""
        try:
            if one:
                self.store.save_analysis(doc_type.table, records[0])
            else:
                self.store.save_analyses(doc_type.table, records)
            return STORED
        except StoredLater:
            return KEPT_FOR_LATER
        except StoreUnavailable:
            return LOST

    # reading and reviewing ------------------------------------------------------------------
    def get(self, doc_type: DocumentType, document_id: str) -> AnalysisRecord:
        """The stored analysis; NotFound, StoreUnavailable."""
        record = self.store.get_analysis(doc_type.table, document_id)
        if record is None:
            raise NotFound(f"No {doc_type.label.lower()} analysis with that id")
        return record

    def list(self, doc_type: DocumentType, query: ListQuery) -> list[AnalysisRecord]:
        return self.store.list_analyses(doc_type.table, query)

    def review(
        self, doc_type: DocumentType, document_id: str, decision: str, reviewer: str, notes: str | None
    ) -> tuple[AnalysisRecord, str]:
        """Record a reviewer's decision; the record and the training status. NotFound, StoreUnavailable."""
        self.get(doc_type, document_id)  # NotFound before writing anything
        record = self.store.record_review(doc_type.table, document_id, decision, reviewer, notes, datetime.now(UTC))
        if record is None:
            raise NotFound("Document disappeared while reviewing")
        log.info("Review recorded for a %s: %s", doc_type.name, decision)
        return record, self._training_status(doc_type.name)

    def _training_status(self, name: str) -> str:
        """'retrain queued' when this review pushed the type past its auto_train_threshold; never waits."""
        if self.on_review is None:
            return "no training needed"
        try:
            return self.on_review(name)
        except Exception:  # a trigger problem must not fail a recorded review
            log.exception("Could not check the retraining trigger after a review")
            return "no training needed"

    # models -------------------------------------------------------------------------------
    def load_models(self) -> dict[str, bool]:
        """Load every detector's active version; which types now have a model."""
        return {name: detector.reload_models() for name, detector in self.detectors.items()}

    def ready(self) -> bool:
        return all(d.current is not None for d in self.detectors.values())


def score_documents(
    detector: FraudDetector,
    documents: Sequence[tuple[int, Any]],
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    explain: bool = True,
) -> BatchResult:
    """Validate and score every document with the detector's current version (the same one for all).

    `progress(n)` is called after each chunk with the number of rows it covered. `explain`
    computes each row's top_features (needed when the rows are stored).
    Raises ModelNotLoaded when the type has no model.
    """
    started = time.perf_counter()
    loaded = detector.current
    if loaded is None:
        raise ModelNotLoaded(f"No {detector.document_type.name} model is loaded")
    doc_type = detector.document_type
    today = datetime.now(UTC).date()
    outcomes: list[RowOutcome] = []
    for start in range(0, len(documents), chunk_rows):
        chunk = documents[start : start + chunk_rows]
        readable: list[tuple[RowOutcome, Extraction]] = []
        for number, document in chunk:
            if isinstance(document, Unreadable):
                outcomes.append(RowOutcome(number, {}, errors=document.errors))
                continue
            try:
                parsed = validate_document(doc_type.schema, document)
            except DocumentValidationError as exc:
                outcomes.append(RowOutcome(number, {}, errors=exc.details))
                continue
            fields = {k: v for k, v in document.items() if v is not None}
            outcome = RowOutcome(number, fields)
            outcomes.append(outcome)
            readable.append((outcome, detector.extractor.extract(parsed.fields, today)))
        if readable:
            results = detector.score_extractions(loaded, [extraction for _, extraction in readable], explain)
            for (outcome, _), result in zip(readable, results):
                outcome.result = result
        if progress:
            progress(len(chunk))
    return BatchResult(uuid.uuid4().hex, doc_type.name, loaded.version, outcomes, time.perf_counter() - started)
