"""Written ("legal") amounts as printed on checks and money orders.

`words_to_amount("One Thousand Two Hundred Five and 37/100 Dollars")` -> 1205.37, and
`amount_to_words(1205.37)` writes that back. Only the US banking style is handled:
words (or numerals, "1,200") for dollars, and cents as "NN/100", "no/100" / "xx/100"
(no cents) or in words ("and five cents"). Printed padding ("****") is ignored.
"""

from __future__ import annotations

import re

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SMALL = {word: value for value, word in enumerate(_UNITS)} | {word: 20 + 10 * i for i, word in enumerate(_TENS)}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_FILLER = {"and", "dollars", "dollar", "only", "usd", "exactly", "no"}
_CENTS_FRACTION = re.compile(r"(\d{1,2})\s*/\s*100")
_NO_CENTS = re.compile(r"\b(?:no|xx)\s*/\s*100\b")
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}\b)")
_PADDING = re.compile(r"[*~=_#]+")


def _below_thousand_words(number: int) -> list[str]:
    words = []
    if number >= 100:
        words += [_UNITS[number // 100], "hundred"]
        number %= 100
    if number >= 20:
        tens = _TENS[number // 10 - 2]
        words.append(tens if number % 10 == 0 else f"{tens}-{_UNITS[number % 10]}")
    elif number or not words:
        words.append(_UNITS[number])
    return words


def amount_to_words(amount: float) -> str:
    """1205.37 -> 'One Thousand Two Hundred Five and 37/100 Dollars'."""
    cents_total = round(abs(amount) * 100)
    dollars, cents = divmod(cents_total, 100)
    words: list[str] = []
    for scale_name, scale in (("billion", 10**9), ("million", 10**6), ("thousand", 1000)):
        if dollars >= scale:
            words += _below_thousand_words(dollars // scale) + [scale_name]
            dollars %= scale
    if dollars or not words:
        words += _below_thousand_words(dollars)
    text = " ".join(words).title()
    return f"{text} and {cents:02d}/100 Dollars"


def _words_to_integer(tokens: list[str]) -> int | None:
    total, current, seen = 0, 0, False
    for token in tokens:
        if token in _SMALL:
            current += _SMALL[token]
        elif token == "hundred":
            current = (current or 1) * 100
        elif token in _SCALES:
            total += (current or 1) * _SCALES[token]
            current = 0
        elif token.isdigit():
            current += int(token)
        else:
            return None
        seen = True
    return total + current if seen else None


def words_to_amount(text: str | None) -> float | None:
    """Parse a written amount; None when it cannot be read as one."""
    if not text:
        return None
    lowered = _PADDING.sub(" ", text.lower())
    lowered = _NO_CENTS.sub("00/100", lowered)
    lowered = _THOUSANDS_COMMA.sub("", lowered).replace(",", " ")
    cents = 0
    fraction = _CENTS_FRACTION.search(lowered)
    if fraction:
        cents = int(fraction.group(1))
        lowered = lowered[: fraction.start()] + " " + lowered[fraction.end() :]
    elif " cents" in lowered or " cent" in lowered:
        dollars_part, _, cents_part = lowered.rpartition(" and ")
        cents_value = _words_to_integer(
            [t for t in re.split(r"[\s-]+", cents_part) if t and t not in ("cents", "cent")]
        )
        if cents_value is None or not dollars_part:
            return None
        cents, lowered = cents_value, dollars_part
    tokens = [t.strip(".") for t in re.split(r"[\s\-]+", lowered) if t.strip(".") and t.strip(".") not in _FILLER]
    dollars = _words_to_integer(tokens) if tokens else 0
    if dollars is None or cents >= 100:
        return None
    return round(dollars + cents / 100, 2)
