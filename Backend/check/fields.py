"""Check fields as the OCR step extracts them."""

from __future__ import annotations

from typing import ClassVar

from domain.fields import DocumentFields
from domain.parsing import Amount, DateValue, Digits, Flag, Identifier, Quality, Text


class CheckFields(DocumentFields):
    # micr_line is key: a check without a readable MICR line cannot be cleared.
    key_fields: ClassVar[tuple[str, ...]] = (
        "bank_name",
        "routing_number",
        "account_number",
        "check_number",
        "payer_name",
        "payee_name",
        "amount_numeric",
        "amount_written",
        "check_date",
        "signature_present",
        "micr_line",
    )

    bank_name: Text = None
    routing_number: Digits = None
    account_number: Digits = None
    check_number: Identifier = None
    payer_name: Text = None
    payer_address: Text = None
    payee_name: Text = None
    amount_numeric: Amount = None
    amount_written: Text = None
    check_date: DateValue = None
    signature_present: Flag = None
    memo: Text = None
    micr_line: Text = None
    text_quality: Quality = None
