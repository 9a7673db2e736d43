"""The paystub fraud detector: the shared detector, bound to the paystub type."""
from core.detector import BaseFraudDetector
from paystub import PAYSTUB


class PaystubFraudDetector(BaseFraudDetector):
    document_type = PAYSTUB
