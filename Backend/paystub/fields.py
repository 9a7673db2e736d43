"""Paystub fields as the OCR step extracts them."""

from __future__ import annotations

from typing import ClassVar

from domain.fields import DocumentFields
from domain.parsing import Amount, DateValue, Identifier, Quality, Text


class PaystubFields(DocumentFields):
    # What every genuine stub shows. Not the withholdings: an exempt employee has no federal tax line, Social
    # Security stops at the year's wage base, and students on F-1 visas pay neither it nor Medicare.
    key_fields: ClassVar[tuple[str, ...]] = (
        "company_name",
        "employee_name",
        "pay_date",
        "pay_period_start",
        "pay_period_end",
        "gross_pay",
        "net_pay",
    )

    company_name: Text = None
    company_address: Text = None
    employee_name: Text = None
    employee_id: Identifier = None
    pay_date: DateValue = None
    pay_period_start: DateValue = None
    pay_period_end: DateValue = None
    gross_pay: Amount = None
    net_pay: Amount = None
    federal_tax: Amount = None
    state_tax: Amount = None
    social_security: Amount = None
    medicare: Amount = None
    other_deductions: Amount = None
    ytd_gross: Amount = None
    ytd_net: Amount = None
    text_quality: Quality = None
