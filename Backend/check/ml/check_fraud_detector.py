"""The check fraud detector: the shared detector, bound to the check type."""
from core.detector import BaseFraudDetector
from check import CHECK


class CheckFraudDetector(BaseFraudDetector):
    document_type = CHECK
