"""What one running app holds, built once by the app factory and shared by routes, CLI and scheduler."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from domain.document_type import DocumentType
from models.detector import FraudDetector
from services.analysis import AnalysisService, BatchSettings
from services.model_versions import ModelVersions
from services.retraining import RetrainingRunner
from store.document_store import DocumentStore


@dataclass
class Services:
    """The document types, the use cases over them, and the retraining machinery.

    `retraining_config` is the loaded retraining_config.json; `scheduler` the process's
    retraining scheduler (None until the app factory sets it up).
    """

    types: Mapping[str, DocumentType]  # by name
    analysis: AnalysisService
    versions: Mapping[str, ModelVersions]  # by type name
    runner: RetrainingRunner
    retraining_config: Any
    list_max_limit: int = 500
    scheduler: Any = None

    @cached_property  # read by the URL converter on every request
    def by_slug(self) -> dict[str, DocumentType]:
        return {t.slug: t for t in self.types.values()}

    @property
    def detectors(self) -> Mapping[str, FraudDetector]:
        return self.analysis.detectors

    @property
    def store(self) -> DocumentStore:
        return self.analysis.store

    @property
    def batch(self) -> BatchSettings:
        return self.analysis.batch

    def load_models(self) -> dict[str, bool]:
        return self.analysis.load_models()

    def ready(self) -> bool:
        return self.analysis.ready()

    def type_named(self, name: str) -> DocumentType | None:
        """A type by its name (paystub) or its URL slug (paystubs)."""
        return self.types.get(name) or self.by_slug.get(name)
