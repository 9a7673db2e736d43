"""Money order fields as the OCR step extracts them."""

from __future__ import annotations

from typing import ClassVar

from domain.fields import DocumentFields
from domain.parsing import Amount, DateValue, Identifier, Quality, Text


class MoneyOrderFields(DocumentFields):
    # What a reviewer needs to verify a money order with its issuer. The amount in words is not
    # printed on every money order (many imprint only the figures), and purchasers often leave
    # their name blank: missing either is ordinary, not something to ask the applicant for.
    key_fields: ClassVar[tuple[str, ...]] = (
        "issuer",
        "serial_number",
        "amount",
        "payee_name",
        "issue_date",
    )

    issuer: Text = None
    serial_number: Identifier = None
    amount: Amount = None
    amount_written: Text = None
    purchaser_name: Text = None
    purchaser_address: Text = None
    payee_name: Text = None
    issue_date: DateValue = None
    agent_location: Text = None
    text_quality: Quality = None
