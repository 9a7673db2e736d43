"""Synthetic checks: valid routing numbers, a consistent MICR line and legal amount, and how forgeries break them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np

from check.micr import parse_micr
from check.routing import aba_check_digit
from domain.amount_words import amount_to_words
from domain.synthetic import (
    SyntheticDocumentGenerator,
    address,
    digits,
    drop_optional,
    future_date,
    money,
    other_person,
    person_name,
    pick,
    poor_scan,
    recent_date,
    scan_quality,
)

BANKS = (
    "First National Bank",
    "Chase Bank",
    "Wells Fargo Bank",
    "Bank of America",
    "US Bank",
    "PNC Bank",
    "Truist Bank",
    "Citizens Bank",
    "Fifth Third Bank",
    "Regions Bank",
    "Lakeside Credit Union",
)
BUSINESS_PAYEES = (
    "Evergreen Property Management",
    "City Water Utility",
    "Blue River Health",
    "Summit Foods Inc",
    "Pioneer Construction",
    "Lakeside School District",
    "Northwind Traders",
    "State Farm Insurance",
)
MEMOS = (
    "Rent",
    "Invoice 1043",
    "Consulting",
    "Birthday gift",
    "Deposit",
    "Utilities",
    "Tuition",
    "Car repair",
    "Reimbursement",
    "Loan payment",
)
# First two digits of real routing numbers: 01-12 commercial banks, 21-32 thrift institutions.
ROUTING_PREFIXES = tuple(range(1, 13)) + tuple(range(21, 33))
MICR_FORMATS = (
    "⑆{routing}⑆ {account}⑈ {serial}",
    "T{routing}T {account}O {serial}",
    "⑈{serial:0>6}⑈ ⑆{routing}⑆ {account}⑈",
    "{routing} {account} {serial}",
)
LOW_GENUINE_SERIAL = 200  # genuine checks numbered below this are small ones from a new checkbook


def routing_number(rng: np.random.Generator) -> str:
    """A routing number that passes the ABA checksum: eight random digits and their check digit."""
    first_eight = f"{int(rng.choice(ROUTING_PREFIXES)):02d}" + digits(rng, 6)
    return first_eight + aba_check_digit(first_eight)


def micr_line(rng: np.random.Generator, routing: str, account: str, serial: str) -> str:
    """A MICR line in one of the layouts and symbol spellings OCR produces."""
    layout = MICR_FORMATS[int(rng.choice(len(MICR_FORMATS), p=[0.45, 0.25, 0.2, 0.1]))]
    return layout.format(routing=routing, account=account, serial=serial)


def written_amount(rng: np.random.Generator, amount: float) -> str:
    """The legal line as printed or written: sometimes lower-case, sometimes padded with asterisks."""
    text = amount_to_words(amount)
    if rng.random() < 0.25:
        text = text.lower()
    if rng.random() < 0.25:
        text = f"****{text}****"
    return text


def _other_digits(rng: np.random.Generator, value: str) -> str:
    """`value` with one digit changed to a different digit."""
    position = int(rng.integers(len(value)))
    new_digit = (int(value[position]) + int(rng.integers(1, 10))) % 10
    return value[:position] + str(new_digit) + value[position + 1 :]


def _altered_amount(rng: np.random.Generator, amount: float) -> float:
    """A raised amount the way checks are altered: thousands added, a zero appended (times ten), or inflated."""
    kind = int(rng.integers(3))
    if kind == 0:
        return round(amount + 1000 * int(rng.integers(1, 10)), 2)
    if kind == 1:
        return round(amount * 10, 2)
    return round(amount * float(rng.uniform(1.3, 5.0)), 2)


def _redo_micr(doc: dict[str, Any], rng: np.random.Generator, **override: str) -> None:
    """Rewrite the MICR line with some fields replaced, keeping what it (or the check face) said otherwise."""
    current = parse_micr(doc.get("micr_line"))
    routing = override.get("routing") or (current.routing if current else None) or doc.get("routing_number")
    account = override.get("account") or (current.account if current else None) or doc.get("account_number")
    serial = override.get("serial") or (current.serial if current else None) or doc.get("check_number")
    if routing and account and serial:
        doc["micr_line"] = micr_line(rng, routing, account, str(serial))


class CheckGenerator(SyntheticDocumentGenerator):
    def genuine(self, rng: np.random.Generator, today: date) -> dict[str, Any]:
        routing = routing_number(rng)
        account = digits(rng, int(rng.integers(8, 13)))
        roll = rng.random()
        if roll < 0.03:
            serial = int(rng.integers(101, LOW_GENUINE_SERIAL))
        elif roll < 0.15:
            serial = int(rng.integers(200, 1001))
        else:
            serial = int(rng.integers(1001, 10000))
        roll = rng.random()
        if roll < 0.08:
            amount = float(rng.integers(1, 26) * 100)  # rent, gifts: genuine round figures
        elif roll < 0.65 or serial < LOW_GENUINE_SERIAL:
            amount = money(rng, 12, 1500)
        elif roll < 0.87:
            amount = money(rng, 1500, 6000)
        else:
            amount = money(rng, 6000, 25000)
        payer = person_name(rng)
        payee = other_person(rng, payer) if rng.random() < 0.5 else pick(rng, BUSINESS_PAYEES)
        doc = {
            "bank_name": pick(rng, BANKS),
            "routing_number": routing,
            "account_number": account,
            "check_number": str(serial),
            "payer_name": payer,
            "payer_address": address(rng),
            "payee_name": payee,
            "amount_numeric": amount,
            "amount_written": written_amount(rng, amount),
            "check_date": recent_date(rng, today, 90),
            "signature_present": True,
            "memo": pick(rng, MEMOS),
            "micr_line": micr_line(rng, routing, account, str(serial)),
            "text_quality": scan_quality(rng),
        }
        drop_optional(doc, rng, ("memo", "payer_address"))
        return doc

    @staticmethod
    def _invalid_routing_checksum(doc, rng, today):
        # A made-up routing number, printed on the face and in the MICR line alike.
        original = doc["routing_number"] or routing_number(rng)
        if rng.random() < 0.8:
            fake = _other_digits(rng, original)
        else:
            fake = original[:-1] if rng.random() < 0.5 else original + digits(rng, 1)
        doc["routing_number"] = fake
        if doc["micr_line"] is not None and len(fake) == len(original):
            _redo_micr(doc, rng, routing=fake)

    @staticmethod
    def _amount_mismatch(doc, rng, today):
        # The amount box (or the legal line) is raised; the other still states the real figure.
        real = doc["amount_numeric"] if doc["amount_numeric"] is not None else money(rng, 50, 900)
        raised = _altered_amount(rng, real)
        if rng.random() < 0.75:
            doc["amount_numeric"] = raised
            if doc["amount_written"] is None:
                doc["amount_written"] = written_amount(rng, real)
        else:
            doc["amount_numeric"] = real
            doc["amount_written"] = written_amount(rng, raised)

    @staticmethod
    def _missing_signature(doc, rng, today):
        doc["signature_present"] = False

    @staticmethod
    def _stale_date(doc, rng, today):
        doc["check_date"] = today - timedelta(days=int(rng.integers(181, 900)))

    @staticmethod
    def _micr_mismatch(doc, rng, today):
        # A washed or counterfeit check: the face names one bank, the MICR line routes to another.
        printed = doc["routing_number"] or routing_number(rng)
        doc["routing_number"] = printed
        other = routing_number(rng)
        while other == printed:
            other = routing_number(rng)
        account = doc["account_number"] or digits(rng, 10)
        micr_account = digits(rng, len(account)) if rng.random() < 0.4 else account
        serial = doc["check_number"] or str(int(rng.integers(1001, 10000)))
        micr_serial = str(int(rng.integers(1001, 10000))) if rng.random() < 0.25 else serial
        doc["micr_line"] = micr_line(rng, other, micr_account, micr_serial)

    @staticmethod
    def _payee_equals_payer(doc, rng, today):
        payer = doc["payer_name"] or person_name(rng)
        doc["payer_name"] = payer
        doc["payee_name"] = pick(rng, (payer, payer.upper(), payer.lower(), "  " + payer.replace(" ", "  ")))

    @staticmethod
    def _round_large_amount(doc, rng, today):
        amount = float(rng.integers(6, 100) * 500)
        doc["amount_numeric"] = amount
        doc["amount_written"] = written_amount(rng, amount)

    @staticmethod
    def _low_number_high_amount(doc, rng, today):
        serial = str(int(rng.integers(101, 200)))
        doc["check_number"] = serial
        amount = money(rng, 2500, 20000)
        doc["amount_numeric"] = amount
        doc["amount_written"] = written_amount(rng, amount)
        if doc["micr_line"] is not None:
            _redo_micr(doc, rng, serial=serial)

    @staticmethod
    def _raised_amount_blurred_words(doc, rng, today):
        # What a blurry copy hides: the amount box is raised and the legal line is hard to read.
        real = doc["amount_numeric"] if doc["amount_numeric"] is not None else money(rng, 50, 900)
        doc["amount_numeric"] = _altered_amount(rng, real)
        if rng.random() < 0.3 or doc["amount_written"] is None:
            text = amount_to_words(real)
            doc["amount_written"] = "".join(c if c == " " or rng.random() > 0.35 else "?" for c in text)
        # otherwise the legal line still states the real amount

    fraud_patterns = {
        "invalid_routing_checksum": _invalid_routing_checksum,
        "amount_mismatch": _amount_mismatch,
        "missing_signature": _missing_signature,
        "future_date": future_date("check_date", days=(3, 150)),
        "stale_date": _stale_date,
        "micr_mismatch": _micr_mismatch,
        "payee_equals_payer": _payee_equals_payer,
        "round_large_amount": _round_large_amount,
        "low_number_high_amount": _low_number_high_amount,
        "poor_scan_altered_amount": poor_scan(_raised_amount_blurred_words),
    }
