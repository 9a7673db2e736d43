"""Bank statement fields as the OCR step extracts them."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from domain.fields import DocumentFields
from domain.parsing import Amount, DateValue, Digits, Quality, Text

MAX_TRANSACTIONS = 5000


class Transaction(BaseModel):
    """One statement line. `amount` is signed: positive for a deposit or credit, negative for a
    withdrawal or debit; `balance` is the running balance after the transaction."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    date: DateValue = None
    description: Text = None
    amount: Amount = None
    balance: Amount = None


class BankStatementFields(DocumentFields):
    key_fields: ClassVar[tuple[str, ...]] = (
        "bank_name",
        "account_holder",
        "account_number",
        "statement_start",
        "statement_end",
        "opening_balance",
        "closing_balance",
        "total_deposits",
        "total_withdrawals",
        "transactions",
    )

    bank_name: Text = None
    account_holder: Text = None
    account_number: Digits = None
    statement_start: DateValue = None
    statement_end: DateValue = None
    opening_balance: Amount = None
    closing_balance: Amount = None
    total_deposits: Amount = None
    #: stated as a positive number (a negative one is read as its magnitude)
    total_withdrawals: Amount = None
    #: in statement order, oldest first or newest first
    transactions: list[Transaction] | None = Field(default=None, max_length=MAX_TRANSACTIONS)
    text_quality: Quality = None
