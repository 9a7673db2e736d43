"""The money order fraud detector: the shared detector, bound to the money order type."""
from core.detector import BaseFraudDetector
from money_order import MONEY_ORDER


class MoneyOrderFraudDetector(BaseFraudDetector):
    document_type = MONEY_ORDER
