"""ABA routing numbers: the nine-digit bank identifier printed on a check and in its MICR line.

The ninth digit is a check digit: with digits d1..d9,
3*(d1+d4+d7) + 7*(d2+d5+d8) + (d3+d6+d9) is a multiple of 10. Since 3, 7 and 1 are
all coprime to 10, any single mistyped or altered digit breaks the checksum, which is
why a made-up routing number usually fails it.
"""

from __future__ import annotations

import re

ROUTING_LENGTH = 9
_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)
_SEPARATORS = re.compile(r"[\s\-.]")


def normalize_digits(value: str | None) -> str | None:
    """Drop the spaces, hyphens and dots OCR keeps inside printed numbers ("021-000 021" -> "021000021").

    Anything else is kept as is, so a value with letters stays visibly not-digits.
    None and a value that is only separators give None.
    """
    if value is None:
        return None
    cleaned = _SEPARATORS.sub("", value)
    return cleaned or None


def aba_checksum(routing: str) -> int:
    """The weighted sum 3*(d1+d4+d7) + 7*(d2+d5+d8) + (d3+d6+d9) modulo 10 (0 for a valid number).

    `routing` must be exactly nine ASCII digits; raises ValueError otherwise.
    """
    if len(routing) != ROUTING_LENGTH or not (routing.isascii() and routing.isdigit()):
        raise ValueError("a routing number is exactly nine digits")
    return sum(weight * int(d) for weight, d in zip(_WEIGHTS, routing)) % 10


def aba_check_digit(first_eight: str) -> str:
    """The ninth digit that makes `first_eight` + it a valid routing number."""
    if len(first_eight) != ROUTING_LENGTH - 1 or not (first_eight.isascii() and first_eight.isdigit()):
        raise ValueError("expected the first eight digits of a routing number")
    partial = sum(weight * int(d) for weight, d in zip(_WEIGHTS, first_eight))
    return str((10 - partial % 10) % 10)


def is_valid_routing_number(value: str | None) -> bool:
    """True for nine digits (after dropping separators) that pass the ABA checksum.

    False for None, a wrong length, non-digits or a failed checksum.
    """
    routing = normalize_digits(value)
    if routing is None or len(routing) != ROUTING_LENGTH or not (routing.isascii() and routing.isdigit()):
        return False
    return aba_checksum(routing) == 0
