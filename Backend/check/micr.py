"""Reading the MICR line, the magnetic-ink band along the bottom of a check.

A US check's MICR line (E-13B font) holds, left to right: an optional auxiliary
on-us field (the serial number on business checks), the routing number between two
transit symbols, the on-us field (account number, then the check serial on personal
checks, each closed by an on-us symbol) and, once the check is processed, the amount.

    personal:  ⑆021000021⑆ 123456789⑈ 1001
    business:  ⑈001001⑈ ⑆021000021⑆ 123456789⑈

OCR writes the symbols in several ways; these are recognised:

    transit  ⑆ T t :        on-us  ⑈ O o U u /        amount  ⑇ $        dash  ⑉ -

The dash symbol (and a hyphen) only separates digits inside a field and is dropped.
A line OCR read without any symbols ("021000021 123456789 1001") is read as digit
groups: the first group of exactly nine digits is the routing number, the next group
the account and the one after that (or one before the routing number) the serial.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TRANSIT = "⑆Tt:"
_ON_US = "⑈OoUu/"
_AMOUNT = "⑇$"
_DASH = "⑉-"

# Canonical form: digits, "T" (transit), "U" (on-us), "A" (amount), " " (anything else).
_CANONICAL = str.maketrans(
    {**{c: "T" for c in _TRANSIT}, **{c: "U" for c in _ON_US}, **{c: "A" for c in _AMOUNT}, **{c: "" for c in _DASH}}
)
_ROUTING_BETWEEN_TRANSIT = re.compile(r"T\s*(\d{9})\s*T")
_ROUTING_ONE_TRANSIT = re.compile(r"T\s*(\d{9})(?!\d)|(?<!\d)(\d{9})\s*T")
_DIGIT_GROUP = re.compile(r"\d+")


@dataclass(frozen=True)
class MicrFields:
    """What a MICR line says; a field it does not show is None."""

    routing: str
    account: str | None
    serial: str | None


def _canonical(text: str) -> str:
    mapped = text.translate(_CANONICAL)
    return "".join(c if c.isdigit() and c.isascii() or c in "TUA" else " " for c in mapped)


def parse_micr(text: str | None) -> MicrFields | None:
    """The routing number, account and serial in a MICR line; None when no routing number can be found."""
    if not text:
        return None
    line = _canonical(text)
    amount_at = line.find("A")  # the amount field, if printed, closes the line
    if amount_at >= 0:
        line = line[:amount_at]

    match = _ROUTING_BETWEEN_TRANSIT.search(line) or _ROUTING_ONE_TRANSIT.search(line)
    if match:
        routing = match.group(1) or match.group(2)
        before, after = line[: match.start()], line[match.end() :]
    else:
        groups = list(_DIGIT_GROUP.finditer(line))
        nine = next((g for g in groups if len(g.group()) == 9), None)
        if nine is None:
            return None
        routing = nine.group()
        before, after = line[: nine.start()], line[nine.end() :]

    after_groups = _DIGIT_GROUP.findall(after)
    before_groups = _DIGIT_GROUP.findall(before)
    account = after_groups[0] if after_groups else None
    if before_groups:  # business layout: the serial is the auxiliary on-us field
        serial = before_groups[-1]
    else:
        serial = after_groups[1] if len(after_groups) > 1 else None
    return MicrFields(routing, account, serial)


def same_number(a: str | None, b: str | None) -> bool | None:
    """Whether two printed numbers agree, ignoring separators and leading zeros; None if either is absent.

    MICR serials are often zero-padded ("001001" for check 1001), so leading zeros do not count.
    """
    if a is None or b is None:
        return None
    a_digits = re.sub(r"[\s\-.⑉]", "", a).lstrip("0")
    b_digits = re.sub(r"[\s\-.⑉]", "", b).lstrip("0")
    return a_digits == b_digits
