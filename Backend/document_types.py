"""The four document types this service scores, with the detector class of each."""
from __future__ import annotations

from bank_statement.ml.bank_statement_fraud_detector import BankStatementFraudDetector
from check.ml.check_fraud_detector import CheckFraudDetector
from core.detector import BaseFraudDetector
from money_order.ml.money_order_fraud_detector import MoneyOrderFraudDetector
from paystub.ml.paystub_fraud_detector import PaystubFraudDetector

DETECTOR_CLASSES: dict[str, type[BaseFraudDetector]] = {
    cls.document_type.name: cls
    for cls in (PaystubFraudDetector, CheckFraudDetector, MoneyOrderFraudDetector, BankStatementFraudDetector)
}
DOCUMENT_TYPES = {name: cls.document_type for name, cls in DETECTOR_CLASSES.items()}
