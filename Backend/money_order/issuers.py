"""Money order issuers: the names OCR may print, face-value limits and serial-number formats.

These are the published limits and formats as commonly documented; the U.S. Postal
Service, for one, caps a domestic money order at $1,000 and prints an 11-digit serial
number. The other issuers' limits are the per-instrument caps commonly reported for
them (several set lower caps at some agents), and their serial formats are the usual
printed layouts. Treat every value here as a default: operations should confirm the
limits and formats with each issuer (or its verification line) before relying on them,
and add issuers the business actually receives.

Matching is forgiving of how OCR spells an issuer: case, punctuation and spacing are
ignored ("U.S. Postal Service" == "us postal service"), and an alias may appear inside
a longer printed name ("MoneyGram Payment Systems, Inc."). A near miss ("Western Unoin")
is not a match: that is exactly what a counterfeit looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache


@dataclass(frozen=True)
class Issuer:
    """One issuer. `serial_format` must match the whole serial after `normalize_serial`.

    `serial_layout` is an example layout for synthetic data, "#" standing for a digit;
    every serial it produces must match `serial_format` (a test checks this).
    """

    key: str
    name: str
    aliases: tuple[str, ...]
    face_value_limit: float
    serial_format: re.Pattern[str]
    serial_layout: str

    def serial_matches(self, serial: str | None) -> bool:
        return serial is not None and self.serial_format.fullmatch(normalize_serial(serial)) is not None


ISSUERS: tuple[Issuer, ...] = (
    Issuer(
        key="usps",
        name="U.S. Postal Service",
        aliases=(
            "USPS",
            "United States Postal Service",
            "U.S. Postal Service",
            "US Postal Service",
            "Postal Money Order",
            "U.S. Postal Money Order",
            "United States Postal Money Order",
        ),
        face_value_limit=1000.00,
        serial_format=re.compile(r"\d{11}"),
        serial_layout="#" * 11,
    ),
    Issuer(
        key="western_union",
        name="Western Union",
        aliases=("Western Union", "Western Union Money Order", "Western Union Financial Services", "WU Money Order"),
        face_value_limit=1000.00,
        serial_format=re.compile(r"\d{10}"),
        serial_layout="#" * 10,
    ),
    Issuer(
        key="moneygram",
        name="MoneyGram",
        aliases=(
            "MoneyGram",
            "Money Gram",
            "MoneyGram International",
            "MoneyGram Payment Systems",
            "MoneyGram Money Order",
        ),
        face_value_limit=1000.00,
        serial_format=re.compile(r"\d{11}"),
        serial_layout="#" * 11,
    ),
    Issuer(
        key="walmart",
        name="Walmart",
        aliases=("Walmart", "Wal-Mart", "Walmart Money Order", "Walmart Money Services"),
        face_value_limit=1000.00,
        serial_format=re.compile(r"\d{12}"),
        serial_layout="#" * 12,
    ),
    Issuer(
        key="seven_eleven",
        name="7-Eleven",
        aliases=("7-Eleven", "7 Eleven", "Seven Eleven", "Seven-Eleven", "7-Eleven Money Order"),
        face_value_limit=500.00,
        serial_format=re.compile(r"\d{9}"),
        serial_layout="#" * 9,
    ),
)

#: the limit most issuers use, for synthetic documents whose issuer is not in the table
COMMON_FACE_VALUE_LIMIT = 1000.00

_DROPPED = re.compile(r"[.']")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_SERIAL_SEPARATORS = re.compile(r"[\s\-]+")


def normalize_issuer_name(text: str) -> str:
    """'U.S. Postal Service, Inc.' -> 'us postal service inc': case, punctuation and spacing ignored."""
    return _SEPARATORS.sub(" ", _DROPPED.sub("", text.lower())).strip()


def normalize_serial(serial: str) -> str:
    """Spaces and dashes OCR keeps between digit groups are not part of the serial."""
    return _SERIAL_SEPARATORS.sub("", serial).upper()


_BY_ALIAS: dict[str, Issuer] = {
    normalize_issuer_name(alias): issuer for issuer in ISSUERS for alias in (issuer.name, *issuer.aliases)
}
# Longest first, so "moneygram money order" is tried before "moneygram".
_ALIASES_BY_LENGTH = sorted(_BY_ALIAS, key=len, reverse=True)


def lookup_issuer(text: str | None) -> Issuer | None:
    """The issuer a printed name refers to, or None when it names no known issuer."""
    if not text:
        return None
    normalized = normalize_issuer_name(text)
    if not normalized:
        return None
    if normalized in _BY_ALIAS:
        return _BY_ALIAS[normalized]
    padded = f" {normalized} "
    for alias in _ALIASES_BY_LENGTH:
        if f" {alias} " in padded:
            return _BY_ALIAS[alias]
    return None


def issuer_name_similarity(text: str | None) -> float | None:
    """How close a printed name is to the nearest known issuer name, 0..1 (1 for a known issuer).

    None when there is no name. A high value for an unknown issuer is a look-alike name.
    """
    if not text or not normalize_issuer_name(text):
        return None
    if lookup_issuer(text) is not None:
        return 1.0
    return _nearest_alias_similarity(normalize_issuer_name(text))


@lru_cache(maxsize=4096)
def _nearest_alias_similarity(normalized: str) -> float:
    best = 0.0
    for alias in _BY_ALIAS:
        matcher = SequenceMatcher(None, normalized, alias)
        # The quick ratios are upper bounds of ratio(): skip aliases that cannot beat the best so far.
        if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
            best = max(best, matcher.ratio())
    return best


def matches_any_serial_format(serial: str | None) -> bool:
    return any(issuer.serial_matches(serial) for issuer in ISSUERS)
