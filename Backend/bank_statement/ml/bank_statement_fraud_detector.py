"""The bank statement fraud detector: the shared detector, bound to the bank statement type."""
from bank_statement import BANK_STATEMENT
from core.detector import BaseFraudDetector


class BankStatementFraudDetector(BaseFraudDetector):
    document_type = BANK_STATEMENT
