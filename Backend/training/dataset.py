"""Raw documents to feature rows, through the same validation and extractor as scoring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from domain.document_type import DocumentType
from domain.fields import validate_document


def feature_matrix(doc_type: DocumentType, documents: list[dict[str, Any]], today: date) -> np.ndarray:
    """float32 array (n_documents, n_features); raises DocumentValidationError on an unreadable document."""
    extractor = doc_type.extractor
    rows = [extractor.extract(validate_document(doc_type.schema, raw).fields, today).values for raw in documents]
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), len(extractor.feature_names))


@dataclass
class Dataset:
    """Feature rows with their 0-100 risk targets, fraud labels (1 = fraud) and sample weights."""

    X: np.ndarray
    targets: np.ndarray
    labels: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, X: np.ndarray, targets, labels, weight: float = 1.0) -> Dataset:
        X = np.asarray(X, dtype=np.float32)
        n = len(X)
        if X.ndim != 2:
            raise ValueError(f"feature rows must be 2-D, got shape {X.shape}")
        return cls(
            X,
            np.asarray(targets, dtype=np.float64),
            np.asarray(labels, dtype=np.int64),
            np.full(n, weight, dtype=np.float64),
        )

    def __len__(self) -> int:
        return len(self.X)

    def concat(self, other: Dataset) -> Dataset:
        if len(other) == 0:
            return self
        if len(self) == 0:
            return other
        return Dataset(
            np.vstack([self.X, other.X]),
            np.concatenate([self.targets, other.targets]),
            np.concatenate([self.labels, other.labels]),
            np.concatenate([self.weights, other.weights]),
        )

    def split(self, fraction: float, random_state: int) -> tuple[Dataset, Dataset]:
        """(train, holdout), stratified by label when both labels have at least two rows."""
        from sklearn.model_selection import train_test_split

        counts = np.bincount(self.labels, minlength=2)
        stratify = self.labels if counts.min() >= 2 else None
        train_idx, test_idx = train_test_split(
            np.arange(len(self)), test_size=fraction, stratify=stratify, random_state=random_state
        )
        return self.take(train_idx), self.take(test_idx)

    def take(self, index: np.ndarray) -> Dataset:
        return Dataset(self.X[index], self.targets[index], self.labels[index], self.weights[index])
