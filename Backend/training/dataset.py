"""Raw documents to feature rows, through the same validation and extractor as scoring."""
from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from core.doc_types import DocumentType
from core.schemas import validate_document


def feature_matrix(doc_type: DocumentType, documents: list[dict[str, Any]], today: date) -> np.ndarray:
    """float32 array (n_documents, n_features); raises DocumentValidationError on an unreadable document."""
    extractor = doc_type.extractor
    rows = [extractor.extract(validate_document(doc_type.schema, raw).fields, today).values for raw in documents]
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), len(extractor.feature_names))
