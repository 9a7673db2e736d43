"""Bank statements: the fields, features and synthetic data that make a bank statement a document type."""
from core.doc_types import DocumentType

from .features import BankStatementFeatureExtractor
from .schema import BankStatementFields
from .synthetic import BankStatementGenerator

BANK_STATEMENT = DocumentType(
    name="bank_statement",
    slug="bank-statements",
    table="bank_statements",
    label="Bank statement",
    schema=BankStatementFields,
    extractor=BankStatementFeatureExtractor(),
    generator=BankStatementGenerator(),
)
