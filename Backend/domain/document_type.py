"""What defines a document type: its fields, features, synthetic data and names."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.features import FeatureExtractor
from domain.fields import DocumentFields
from domain.synthetic import SyntheticDocumentGenerator


@dataclass(frozen=True)
class DocumentType:
    """A document type as the shared machinery sees it.

    `name` is the internal name (paystub), `slug` the URL segment (paystubs), `table`
    the storage table (paystubs).
    """

    name: str
    slug: str
    table: str
    label: str
    schema: type[DocumentFields]
    extractor: FeatureExtractor = field(compare=False)
    generator: SyntheticDocumentGenerator = field(compare=False)
