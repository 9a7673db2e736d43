"""Money orders: the fields, features and synthetic data that make a money order a document type."""
from core.doc_types import DocumentType

from .features import MoneyOrderFeatureExtractor
from .schema import MoneyOrderFields
from .synthetic import MoneyOrderGenerator

MONEY_ORDER = DocumentType(
    name="money_order",
    slug="money-orders",
    table="money_orders",
    label="Money order",
    schema=MoneyOrderFields,
    extractor=MoneyOrderFeatureExtractor(),
    generator=MoneyOrderGenerator(),
)
