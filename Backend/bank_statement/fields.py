"""Bank statement fields as the OCR step extracts them."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from domain.fields import DocumentFields
from domain.parsing import Amount, DateValue, Digits, Quality, Text, parse_flag

MAX_TRANSACTIONS = 5000


def parse_pending(value: Any) -> bool | None:
    """A line's pending marker as OCR or an export sends it: true/false, "yes"/"no", "pending"/"posted".

    Anything else reads as unknown (None): the marker is a hint, never a reason to refuse a statement.
    """
    if isinstance(value, str) and value.strip().lower() in {"pending", "posted"}:
        return value.strip().lower() == "pending"
    try:
        return parse_flag(value)
    except ValueError:
        return None


PendingFlag = Annotated[bool | None, BeforeValidator(parse_pending)]


class Transaction(BaseModel):
    """One statement line. `amount` is signed: positive for a deposit or credit, negative for a
    withdrawal or debit; `balance` is the running balance after the transaction (statements print it
    on every line, on a day's last line only, or not at all). `pending` marks a line not yet posted,
    which the statement's totals and balances leave out (a description starting "PENDING" does too)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    date: DateValue = None
    description: Text = None
    amount: Amount = None
    balance: Amount = None
    pending: PendingFlag = None


class BankStatementFields(DocumentFields):
    # What a reviewer must ask for when it is missing: who, which account, which period. The balances,
    # totals and lines are checked by the extractor, which asks for them only when the rest of the
    # statement cannot stand in for them (running balances give the opening and closing balance, the
    # lines give the totals, and a dormant account has no lines at all).
    key_fields: ClassVar[tuple[str, ...]] = (
        "bank_name",
        "account_holder",
        "account_number",
        "statement_start",
        "statement_end",
    )

    bank_name: Text = None
    account_holder: Text = None
    #: often masked on the statement ("****1234", "XXXXXX1234")
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
