"""Synthetic money orders: real issuers' limits and serial formats, and the ways forgeries break them."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from domain.amount_words import amount_to_words
from domain.synthetic import (
    CITIES,
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
from money_order.features import NEAR_LIMIT_SHARE
from money_order.issuers import COMMON_FACE_VALUE_LIMIT, ISSUERS, Issuer, lookup_issuer

ISSUER_WEIGHTS = {"usps": 0.35, "western_union": 0.2, "moneygram": 0.25, "walmart": 0.12, "seven_eleven": 0.08}
AGENT_KINDS = ("Post Office", "Grocery", "Pharmacy", "Supercenter", "Convenience Store", "Check Cashing")
MADE_UP_ISSUERS = (
    "Global Express Money Orders",
    "First Federal Remittance",
    "Liberty Money Transfer",
    "National Payment Orders",
    "United Money Services",
    "Capital Remit Co",
)
_OCR_JUNK = "#~%&?"


def serial_for(issuer: Issuer, rng: np.random.Generator) -> str:
    """A serial in the issuer's printed layout ("#" is a digit)."""
    drawn = iter(digits(rng, issuer.serial_layout.count("#")))
    return "".join(next(drawn) if c == "#" else c for c in issuer.serial_layout)


def genuine_amount(rng: np.random.Generator, limit: float) -> float:
    """A face value as people buy them: mostly 20..limit with cents, sometimes close to the limit."""
    kind = rng.random()
    if kind < 0.08:
        # Whole dollars (a rent of 725.00), never a multiple of 100 and kept below the band just
        # under the limit, where a whole-dollar figure is the round_amount_near_limit pattern.
        amount = float(rng.integers(20, int(NEAR_LIMIT_SHARE * limit)))
        return amount if amount % 100 else amount + 15.0
    if kind < 0.2:  # close to the maximum, as bought to pay a large bill with several money orders
        amount = money(rng, 0.85 * limit, limit - 1)
    else:
        amount = money(rng, 20, limit - 1)
    if amount == int(amount):  # keep the cents: whole dollars are the branch above
        amount = round(amount + 0.01 * int(rng.integers(1, 100)), 2)
    return amount


def limit_of(doc: dict[str, Any]) -> float:
    """The face-value limit of the document's issuer, or the common limit when it is unknown or missing."""
    issuer = lookup_issuer(doc.get("issuer"))
    return issuer.face_value_limit if issuer else COMMON_FACE_VALUE_LIMIT


def written_like(amount: float, written: str | None) -> str | None:
    """The written amount for `amount`, in the same case style as `written`; None stays None."""
    if written is None:
        return None
    words = amount_to_words(amount)
    if written.isupper():
        return words.upper()
    return words.lower() if written.islower() else words


def _purchased_amount(doc: dict[str, Any], rng: np.random.Generator) -> float:
    """The amount before a raise; a missing written line is filled with it, as it still states what was bought."""
    amount = doc["amount"] if doc["amount"] is not None else money(rng, 20, 300)
    if doc["amount_written"] is None:
        doc["amount_written"] = amount_to_words(amount)
    return amount


class MoneyOrderGenerator(SyntheticDocumentGenerator):
    def genuine(self, rng: np.random.Generator, today: date) -> dict[str, Any]:
        issuer = ISSUERS[int(rng.choice(len(ISSUERS), p=[ISSUER_WEIGHTS[i.key] for i in ISSUERS]))]
        amount = genuine_amount(rng, issuer.face_value_limit)
        written = amount_to_words(amount)
        style = rng.random()
        if style < 0.25:
            written = written.upper()
        elif style < 0.35:
            written = written.lower()
        purchaser = person_name(rng)
        payee = other_person(rng, purchaser)
        printed = pick(rng, (issuer.name, *issuer.aliases))
        doc = {
            "issuer": printed.upper() if rng.random() < 0.2 else printed,
            "serial_number": serial_for(issuer, rng),
            "amount": amount,
            "amount_written": written,
            "purchaser_name": purchaser,
            "purchaser_address": address(rng),
            "payee_name": payee,
            "issue_date": recent_date(rng, today, 60),
            "agent_location": f"{pick(rng, AGENT_KINDS)} #{digits(rng, 4)}, {pick(rng, CITIES)}",
            "text_quality": scan_quality(rng),
        }
        drop_optional(doc, rng, ("purchaser_address", "agent_location"))
        return doc

    # Every pattern must cope with fields an earlier pattern set to None.

    @staticmethod
    def _amount_over_limit(doc, rng, today):
        # Face value printed above what the issuer sells; the written line is forged to match.
        doc["amount"] = money(rng, limit_of(doc) * 1.05, limit_of(doc) * 5)
        doc["amount_written"] = written_like(doc["amount"], doc["amount_written"])

    @staticmethod
    def _bad_serial(doc, rng, today):
        issuer = lookup_issuer(doc["issuer"])
        length = len(issuer.serial_layout) if issuer else 11
        kind = rng.random()
        if kind < 0.5:  # wrong number of digits
            serial = digits(rng, length + int(rng.choice([-3, -2, -1, 1, 2, 3])))
        elif kind < 0.8:  # letters where the issuer prints only digits
            chars = list(digits(rng, length))
            for position in rng.choice(length, size=int(rng.integers(1, 3)), replace=False):
                chars[int(position)] = pick(rng, "ABCDEFGHJKMNPRSTUVWXYZ")
            serial = "".join(chars)
        else:  # a made-up reference number
            serial = f"MO-{digits(rng, 4)}-{pick(rng, 'ABCDEFGH')}{digits(rng, 3)}"
        doc["serial_number"] = serial

    @staticmethod
    def _unknown_issuer(doc, rng, today):
        if rng.random() < 0.5:
            doc["issuer"] = pick(rng, MADE_UP_ISSUERS)
            return
        # A look-alike of a real issuer's name: one letter dropped, doubled or swapped.
        for _ in range(20):
            name = list(pick(rng, [i.name for i in ISSUERS]))
            at = int(rng.integers(1, len(name) - 1))
            edit = rng.random()
            if edit < 0.35:
                del name[at]
            elif edit < 0.7:
                name.insert(at, name[at])
            else:
                name[at], name[at + 1] = name[at + 1], name[at]
            candidate = "".join(name)
            if lookup_issuer(candidate) is None:
                doc["issuer"] = candidate
                return
        doc["issuer"] = pick(rng, MADE_UP_ISSUERS)

    @staticmethod
    def _altered_amount(doc, rng, today):
        # The numeric amount is raised; the written line still carries the purchased value.
        amount = _purchased_amount(doc, rng)
        if rng.random() < 0.5:
            raised = float(f"{int(rng.integers(1, 10))}{amount:.2f}")  # a digit added in front: 45.10 -> 945.10
        else:
            raised = round(amount * float(rng.uniform(1.3, 4.0)), 2)
        doc["amount"] = raised if raised != amount else round(amount + 100.0, 2)

    @staticmethod
    def _payee_equals_purchaser(doc, rng, today):
        name = doc["purchaser_name"] or doc["payee_name"] or person_name(rng)
        doc["purchaser_name"] = name
        doc["payee_name"] = name.upper() if rng.random() < 0.3 else name

    @staticmethod
    def _round_amount_near_limit(doc, rng, today):
        limit = limit_of(doc)
        doc["amount"] = float(limit - rng.choice([0, 0, 0, 50, 100, 1, 5, 10]))
        doc["amount_written"] = written_like(doc["amount"], doc["amount_written"])

    @staticmethod
    def _raised_amount_smudged_words(doc, rng, today):
        # What a poor scan hides: the amount raised a little, the written line sometimes unreadable.
        amount = _purchased_amount(doc, rng)
        doc["amount"] = round(amount * float(rng.uniform(1.05, 1.25)), 2)
        if rng.random() < 0.5:  # the altered area smudges the written line past reading
            chars = list(doc["amount_written"])
            for position in rng.choice(len(chars), size=min(len(chars), 4), replace=False):
                chars[int(position)] = pick(rng, _OCR_JUNK)
            doc["amount_written"] = "".join(chars)

    fraud_patterns = {
        "amount_over_limit": _amount_over_limit,
        "bad_serial": _bad_serial,
        "unknown_issuer": _unknown_issuer,
        "altered_amount": _altered_amount,
        "future_date": future_date("issue_date", days=(1, 181)),
        "payee_equals_purchaser": _payee_equals_purchaser,
        "round_amount_near_limit": _round_amount_near_limit,
        "poor_scan": poor_scan(_raised_amount_smudged_words),
    }
