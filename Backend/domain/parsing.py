"""Lenient parsers for values as an OCR step extracts them, as pydantic field types.

OCR output is messy: amounts arrive as numbers or as strings such as "$1,234.56",
dates as ISO 8601 or MM/DD/YYYY. These parsers accept every reasonable spelling and
reject everything else with a message naming what was expected, so a bad value is a
4xx naming the field, never a silent guess. An empty string means "not extracted"
and becomes None, like a missing field.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

MAX_TEXT_LENGTH = 500
MAX_ABS_AMOUNT = 1e12

_AMOUNT_RE = re.compile(
    r"^(?:(?P<sign>[-+])\$?|\$(?P<sign2>[-+])?)?(?P<num>\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+)$"
)
# The spellings OCR and spreadsheets produce most ("1234.56", "$1,234.56", "$-9.34", "($443.17)"),
# read by one match; anything else (spaces, "USD", "+", ".5") takes the general path, which accepts
# the same strings with the same values. A bank statement has a hundred amounts: this is most of its parsing.
_COMMON_AMOUNT_RE = re.compile(r"(\()?(?:(-)\$?|\$(-)?)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(\))?\Z")
_US_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_amount(value: Any) -> float | None:
    """Number or currency string ("$1,234.56", "-45", "(12.00)") -> float, or None."""
    if type(value) is str and (match := _COMMON_AMOUNT_RE.match(value)) and bool(match[1]) == bool(match[5]):
        number = float(match[4].replace(",", "") if "," in match[4] else match[4])
        if match[1] or match[2] or match[3]:
            number = -number
        return _bounded(number)
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError('must be a number or an amount string such as "$1,234.56", not a boolean')
    if isinstance(value, int) and abs(value) > MAX_ABS_AMOUNT:
        number = math.inf  # float() of a 1000-digit JSON integer would raise OverflowError
    elif isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "").upper().removesuffix("USD")
        negative = text.startswith("(") and text.endswith(")")
        if negative:
            text = text[1:-1]
        match = _AMOUNT_RE.match(text)
        if not match:
            raise ValueError(f'could not read {value[:40]!r} as an amount; expected e.g. 1234.56 or "$1,234.56"')
        number = float(match.group("num").replace(",", ""))
        if negative or "-" in (match.group("sign") or "", match.group("sign2") or ""):
            number = -number
    else:
        raise ValueError('must be a number or an amount string such as "$1,234.56"')
    return _bounded(number)


def _bounded(number: float) -> float:
    if not math.isfinite(number) or abs(number) > MAX_ABS_AMOUNT:
        raise ValueError(f"must be a finite amount no larger than {MAX_ABS_AMOUNT:.0e} in magnitude")
    return number


def parse_date(value: Any) -> date | None:
    """ISO 8601 date or datetime, or MM/DD/YYYY -> date, or None."""
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":  # the common 2024-01-31
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # the general path says why
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise ValueError("must be a date string, ISO 8601 (2024-01-31) or MM/DD/YYYY")
    text = value.strip()
    us = _US_DATE_RE.match(text)
    try:
        if us:
            month, day, year = (int(part) for part in us.groups())
            return date(year, month, day)
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    raise ValueError(f"could not read {text[:40]!r} as a date; expected ISO 8601 (2024-01-31) or MM/DD/YYYY")


def parse_text(value: Any) -> str | None:
    """A string field; whitespace is trimmed and an empty string is None."""
    if type(value) is str and 0 < len(value) <= MAX_TEXT_LENGTH and not value[0].isspace() and not value[-1].isspace():
        return value
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise ValueError("must be a string")
    text = value.strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"must be at most {MAX_TEXT_LENGTH} characters")
    return text


def parse_identifier(value: Any) -> str | None:
    """A printed number that is not arithmetic (check number, employee id): string or integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # then held to MAX_TEXT_LENGTH like any string
    return parse_text(value)


def parse_digits(value: Any) -> str | None:
    """Routing and account numbers: strings only, since a JSON number would lose leading zeros."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("must be a string: as a number, leading zeros are lost")
    return parse_text(value)


_TRUE = {"true", "yes", "y", "1", "present"}
_FALSE = {"false", "no", "n", "0", "absent", "missing"}


def parse_flag(value: Any) -> bool | None:
    """true/false, or the strings yes/no, true/false, 1/0."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("must be true or false")


def parse_quality(value: Any) -> float | None:
    """OCR text quality, a number from 0 to 1."""
    if _blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("must be a number from 0 to 1")
    try:
        number = float(value)
    except (ValueError, OverflowError):  # OverflowError: a 1000-digit integer
        raise ValueError("must be a number from 0 to 1") from None
    if not (0.0 <= number <= 1.0):  # also rejects NaN
        raise ValueError("must be a number from 0 to 1")
    return number


def _schema(**schema: Any) -> WithJsonSchema:
    return WithJsonSchema({"anyOf": [schema, {"type": "null"}]})


Amount = Annotated[
    float | None,
    BeforeValidator(parse_amount),
    _schema(type=["number", "string"], description='Amount as a number or a string such as "$1,234.56"'),
]
DateValue = Annotated[
    date | None,
    BeforeValidator(parse_date),
    PlainSerializer(lambda d: d.isoformat() if d else None, return_type=str | None),
    _schema(type="string", description="ISO 8601 (2024-01-31) or MM/DD/YYYY"),
]
Text = Annotated[str | None, BeforeValidator(parse_text), _schema(type="string", maxLength=MAX_TEXT_LENGTH)]
Identifier = Annotated[
    str | None,
    BeforeValidator(parse_identifier),
    _schema(type=["string", "integer"], description="Printed identifier"),
]
Digits = Annotated[
    str | None,
    BeforeValidator(parse_digits),
    _schema(type="string", maxLength=MAX_TEXT_LENGTH, description="Digits as a string; leading zeros matter"),
]
Flag = Annotated[bool | None, BeforeValidator(parse_flag), _schema(type=["boolean", "string"])]
Quality = Annotated[
    float | None,
    BeforeValidator(parse_quality),
    Field(description="OCR text quality from 0 (unreadable) to 1 (clean)"),
    _schema(
        type=["number", "string"], minimum=0, maximum=1, description='A number, or a numeric string such as "0.94"'
    ),
]
