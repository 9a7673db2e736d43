"""Paystubs: the fields, features and synthetic data that make a paystub a document type."""
from core.doc_types import DocumentType

from .features import PaystubFeatureExtractor
from .schema import PaystubFields
from .synthetic import PaystubGenerator

PAYSTUB = DocumentType(
    name="paystub",
    slug="paystubs",
    table="paystubs",
    label="Paystub",
    schema=PaystubFields,
    extractor=PaystubFeatureExtractor(),
    generator=PaystubGenerator(),
)
