"""The document types this service scores, each declared once: its fields, features, synthetic data and table.

Everything per type (routes, detectors, retrainers, storage tables, batch columns) is built
from these entries; adding a type is one package with its fields, extractor and generator,
and one entry here.
"""

from __future__ import annotations

from bank_statement.features import BankStatementFeatureExtractor
from bank_statement.fields import BankStatementFields
from bank_statement.synthetic import BankStatementGenerator
from check.features import CheckFeatureExtractor
from check.fields import CheckFields
from check.synthetic import CheckGenerator
from domain.document_type import DocumentType
from money_order.features import MoneyOrderFeatureExtractor
from money_order.fields import MoneyOrderFields
from money_order.synthetic import MoneyOrderGenerator
from paystub.features import PaystubFeatureExtractor
from paystub.fields import PaystubFields
from paystub.synthetic import PaystubGenerator

PAYSTUB = DocumentType(
    name="paystub",
    slug="paystubs",
    table="paystubs",
    label="Paystub",
    schema=PaystubFields,
    extractor=PaystubFeatureExtractor(),
    generator=PaystubGenerator(),
)
CHECK = DocumentType(
    name="check",
    slug="checks",
    table="checks",
    label="Check",
    schema=CheckFields,
    extractor=CheckFeatureExtractor(),
    generator=CheckGenerator(),
)
MONEY_ORDER = DocumentType(
    name="money_order",
    slug="money-orders",
    table="money_orders",
    label="Money order",
    schema=MoneyOrderFields,
    extractor=MoneyOrderFeatureExtractor(),
    generator=MoneyOrderGenerator(),
)
BANK_STATEMENT = DocumentType(
    name="bank_statement",
    slug="bank-statements",
    table="bank_statements",
    label="Bank statement",
    schema=BankStatementFields,
    extractor=BankStatementFeatureExtractor(),
    generator=BankStatementGenerator(),
)

DOCUMENT_TYPES: dict[str, DocumentType] = {t.name: t for t in (PAYSTUB, CHECK, MONEY_ORDER, BANK_STATEMENT)}
