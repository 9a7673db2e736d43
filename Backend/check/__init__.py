"""Checks: the fields, features and synthetic data that make a check a document type."""
from core.doc_types import DocumentType

from .features import CheckFeatureExtractor
from .schema import CheckFields
from .synthetic import CheckGenerator

CHECK = DocumentType(
    name="check",
    slug="checks",
    table="checks",
    label="Check",
    schema=CheckFields,
    extractor=CheckFeatureExtractor(),
    generator=CheckGenerator(),
)
