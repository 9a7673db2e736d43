"""What a running service holds: its document types, one detector each, and the document store."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping

from flask import current_app

from .detector import BaseFraudDetector
from .doc_types import DocumentType
from .document_store import DocumentStore
from .scoring import RiskThresholds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchSettings:
    """Limits of batch uploads, and the columns each type's files must have."""

    max_bytes: int = 20_000_000
    max_rows: int = 50_000
    identifying_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Services:
    types: Mapping[str, DocumentType]  # by name
    detectors: Mapping[str, BaseFraudDetector]  # by type name
    store: DocumentStore
    thresholds: RiskThresholds
    list_max_limit: int = 500
    batch: BatchSettings = field(default_factory=BatchSettings)

    @cached_property  # read by the URL converter on every request
    def by_slug(self) -> dict[str, DocumentType]:
        return {t.slug: t for t in self.types.values()}

    def load_models(self) -> dict[str, bool]:
        """Load every detector's active version; which types now have a model."""
        return {name: detector.reload_models() for name, detector in self.detectors.items()}

    def ready(self) -> bool:
        return all(d.current is not None for d in self.detectors.values())


def services() -> Services:
    return current_app.extensions["fraud_detection"]
