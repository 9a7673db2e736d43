"""The document store interface: where every analysis and every reviewer decision is kept.

Detectors, retrainers and the API talk to this interface only; SQLite, PostgreSQL and
Supabase implement it. Records carry the raw fields exactly as the client sent them, so a
retrain can re-extract features with the current extractor.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from domain.records import AnalysisRecord, LabelQuery, ListQuery


class StoreUnavailable(RuntimeError):
    """The backing database could not be reached or refused the operation."""


class StoreRejected(StoreUnavailable):
    """The store answered and refused this record; retrying will not help.

    A value it cannot take (a data error, a NOT NULL or CHECK constraint, a value that
    cannot be bound, a PostgREST 4xx about the row). A subclass of StoreUnavailable, so a
    caller that only knows about outages still treats it as "not stored"; the outbox moves
    such a record to its dead-letter table instead of retrying it ahead of everything else.
    The message and `cause` never quote the record's values.
    """

    def __init__(self, message: str, cause: str | None = None):
        super().__init__(message)
        self.cause = cause or type(self).__name__  # the underlying error's class (or HTTP status), for operators


class StoredLater(StoreUnavailable):
    """Not stored now, but kept in the durable outbox; it will be stored when the database is back."""


class DuplicateDocument(ValueError):
    """An analysis with this document id is already stored."""


class DocumentStore(ABC):
    """Stores analyses per document type (the table names are the type's `table`)."""

    @abstractmethod
    def save_analysis(self, table: str, record: AnalysisRecord) -> None:
        """Insert a new analysis; raises StoreUnavailable if it could not be stored."""

    def save_analyses(self, table: str, records: list[AnalysisRecord]) -> None:
        """Insert many new analyses (a batch upload); stores override this with one round trip.

        Raises StoreUnavailable if they could not all be stored.
        """
        for record in records:
            self.save_analysis(table, record)

    @abstractmethod
    def get_analysis(self, table: str, document_id: str) -> AnalysisRecord | None: ...

    @abstractmethod
    def list_analyses(self, table: str, query: ListQuery) -> list[AnalysisRecord]:
        """Newest first."""

    @abstractmethod
    def record_review(
        self, table: str, document_id: str, decision: str, reviewer: str, notes: str | None, at: datetime
    ) -> AnalysisRecord | None:
        """Set the reviewer's decision (a later review replaces an earlier one); None if no such document."""

    @abstractmethod
    def labelled_documents(self, table: str, query: LabelQuery) -> list[AnalysisRecord]:
        """Analyses usable as training labels (see LabelQuery), newest first."""

    @abstractmethod
    def count_labelled(self, table: str, query: LabelQuery) -> int:
        """How many analyses `labelled_documents` would return (ignoring its limit)."""

    @abstractmethod
    def recommendation_counts(self, table: str, since: datetime) -> dict[str, int]:
        """Analyses created at or after `since`, counted by ai_recommendation."""

    @abstractmethod
    def ping(self) -> bool:
        """True when the store answers."""

    def close(self) -> None:  # noqa: B027 - optional for stores that hold no connections
        """Release connections."""
