"""Written ("legal") amounts as printed or handwritten on checks and money orders.

`words_to_amount` reads the legal line back to a number; `amount_to_words` prints the
bank style, and `write_amount` writes any of the styles people and check printers use:

    One Thousand Two Hundred Five and 37/100 Dollars          (printed, the default)
    ONE THOUSAND TWO HUNDRED FIVE DOLLARS AND 37 CENTS        (printer, cents as digits)
    One hundred twenty-five and 50/100                        (handwritten, no "dollars")
    One Hundred Twenty Five Dollars & 50 Cents                (hyphen left out, "&")
    one hundred twenty five & 50/100 dollars
    125 and 50/100                                            (dollars as a numeral)
    Twelve Hundred and no/100   Fifty and xx/100   Fifty and --/100   Fifty Dollars Only

A misread here becomes a written/numeric amount mismatch, which is hard evidence of an
altered check, so the reader is strict: a line it cannot read with certainty gives None
(an unreadable legal line, a soft reason), never a guess. Strict means: number words must
form a well-formed number ("twenty thirty" and "five five" are not numbers), a lone cents
fraction is not an amount (the dollars were lost), and two cents parts are ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}

# Word -> (kind, value). Kinds: "unit" 0-9, "teen" 10-19, "tens" 20-90, "hundred", "scale".
_NUMBER_WORDS: dict[str, tuple[str, int]] = {
    **{word: ("unit" if value < 10 else "teen", value) for value, word in enumerate(_UNITS)},
    **{word: ("tens", 20 + 10 * i) for i, word in enumerate(_TENS)},
    "hundred": ("hundred", 100),
    **{word: ("scale", value) for word, value in _SCALES.items()},
}
# Misspellings common in handwriting, and plurals, read as the word meant.
_SPELLING_VARIANTS = {
    "fourty": "forty",
    "ninty": "ninety",
    "nintey": "ninety",
    "eigthy": "eighty",
    "eightteen": "eighteen",
    "fourtheen": "fourteen",
    "hundered": "hundred",
    "hundreds": "hundred",
    "thousands": "thousand",
    "millions": "million",
}
# Words around the number that say nothing about its value.
_FILLER = {
    "and",
    "dollars",
    "dollar",
    "dolars",
    "dollers",
    "usd",
    "us",
    "only",
    "exactly",
    "even",
    "pay",
    "the",
    "sum",
    "of",
}
_CENTS_WORDS = {"cents", "cent"}
_CENTS_BOUNDARY = {"and", "dollars", "dollar", "dolars", "dollers", "usd"}

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"} | {"⁄": "/", "∕": "/", "&": " and ", "¢": " cents "})
_PADDING = re.compile(r"[*~=_#:;()\[\]{}\"'!|<>$]+|\bx{3,}\b|-{2,}(?!\s*/)")
# "/100" as OCR reads it: "/l00", "/1OO", "/ 100"; and the "ths" of "50/100ths".
_PER_HUNDRED = re.compile(r"/\s*[1li][0o]{2}(?:ths)?\b")
_CENTS_FRACTION = re.compile(r"(?<![\w/])([\doilsz]{1,2}|xx|no|n0|--?)\s*/100\b")
_NUMERATOR_LOOKALIKES = str.maketrans("oilsz", "01152")  # "O0/100", "l5/100": OCR's letters for digits
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}\b)")
_DECIMAL = re.compile(r"^(\d+)\.(\d{2})$")
_KNOWN_TOKENS = set(_NUMBER_WORDS) | _FILLER | _CENTS_WORDS | {"a", "no", "xx"}
_TOKEN_SPLIT = re.compile(r"[\s,\-]+")


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


def _integer_words(number: int, hundreds: bool = False) -> list[str]:
    """Words of a whole number, lower case with hyphenated tens ("twenty-five").

    With `hundreds`, 1,100 to 9,999 (not whole thousands) read the handwritten way: "twelve hundred fifty".
    """
    if hundreds and 1100 <= number <= 9999 and number % 1000 >= 100:
        below_hundred = number % 100
        return (
            _below_thousand_words(number // 100)
            + ["hundred"]
            + (_below_thousand_words(below_hundred) if below_hundred else [])
        )
    words: list[str] = []
    for scale_name, scale in (("billion", 10**9), ("million", 10**6), ("thousand", 1000)):
        if number >= scale:
            words += _below_thousand_words(number // scale) + [scale_name]
            number %= scale
    if number or not words:
        words += _below_thousand_words(number)
    return words


def amount_to_words(amount: float) -> str:
    """1205.37 -> 'One Thousand Two Hundred Five and 37/100 Dollars'."""
    dollars, cents = divmod(round(abs(amount) * 100), 100)
    text = " ".join(_integer_words(dollars)).title()
    return f"{text} and {cents:02d}/100 Dollars"


@dataclass(frozen=True)
class WrittenStyle:
    """How one writer or check printer writes the legal line (see `write_amount`).

    dollars: "words", "hundreds" (words, "twelve hundred fifty" for 1,100-9,999) or "numeral" ("1,205").
    cents: "fraction" ("37/100"), "digits" ("37 cents"), "words" ("thirty-seven cents") or "omitted"
        (only with zero cents: "Fifty Dollars Only").
    zero_cents: the numerator written for no cents with "fraction": "00", "no", "xx", "--".
    joiner: between dollars and cents: "and", "&" or "" ("Fifty 00/100").
    dollars_word: where "Dollars" goes: "end", "before_cents" or "none".
    hyphen: between tens and units: "-", " " or "" ("twentyfive", as OCR may glue them).
    case: "title", "lower", "upper" or "sentence".
    suffix: appended word, e.g. "Only"; padding: characters around the line, e.g. "****".
    """

    dollars: str = "words"
    cents: str = "fraction"
    zero_cents: str = "00"
    joiner: str = "and"
    dollars_word: str = "end"
    hyphen: str = "-"
    case: str = "title"
    suffix: str = ""
    padding: str = ""


PRINTED = WrittenStyle()


def _cents_text(cents: int, form: str, zero_cents: str) -> str:
    """The cents part of the line in `form` (see WrittenStyle.cents); "" when omitted."""
    if form == "fraction":
        return f"{f'{cents:02d}' if cents else zero_cents}/100"
    if form == "digits":
        return f"{cents:02d} cents"
    if form == "words":
        return ("no" if cents == 0 else " ".join(_below_thousand_words(cents))) + (" cent" if cents == 1 else " cents")
    return ""


def _apply_case(text: str, case: str) -> str:
    if case == "upper":
        return text.upper()
    if case == "lower":
        return text.lower()
    if case == "sentence":
        return text[:1].upper() + text[1:].lower()
    # title, the way check printers set it: "and" and the fraction stay as they are
    return " ".join(
        word if word == "and" or "/" in word else "-".join(w.capitalize() for w in word.split("-"))
        for word in text.split()
    )


def write_amount(amount: float, style: WrittenStyle = PRINTED) -> str:
    """The legal line for `amount` in `style`; `words_to_amount` reads every style back exactly."""
    dollars, cents = divmod(round(abs(amount) * 100), 100)
    if style.dollars == "numeral":
        dollars_text = f"{dollars:,}"
    else:
        dollars_text = " ".join(_integer_words(dollars, hundreds=style.dollars == "hundreds"))
        dollars_text = dollars_text.replace("-", style.hyphen)
    cents_form = "fraction" if style.cents == "omitted" and cents else style.cents
    cents_text = _cents_text(cents, cents_form, style.zero_cents)
    parts = [dollars_text]
    if style.dollars_word == "before_cents" or (style.dollars_word == "end" and not cents_text):
        parts.append("dollars")
    if cents_text:
        parts += [style.joiner, cents_text] if style.joiner else [cents_text]
        if style.dollars_word == "end" and cents_form == "fraction":
            parts.append("dollars")
    if style.suffix:
        parts.append(style.suffix)
    text = _apply_case(" ".join(parts), style.case)
    return f"{style.padding}{text}{style.padding[::-1]}"


# --- reading ----------------------------------------------------------------------------------


@cache
def _segment(token: str) -> tuple[str, ...] | None:
    """A token OCR glued together ("twentyfive", "onehundred") as the number words it is made of, or None."""
    if not token:
        return ()
    for end in range(len(token), 2, -1):
        head = token[:end]
        if head in _NUMBER_WORDS or head in _SPELLING_VARIANTS:
            rest = _segment(token[end:])
            if rest is not None:
                return (_SPELLING_VARIANTS.get(head, head), *rest)
    return None


def _words(text: str) -> list[str] | None:
    """The tokens of `text` with misspellings corrected and glued words split; None when a token is no word."""
    words: list[str] = []
    for token in (t.strip(".") for t in _TOKEN_SPLIT.split(text)):
        token = _SPELLING_VARIANTS.get(token, token)
        if not token:
            continue
        if token in _KNOWN_TOKENS or token.isdigit() or _DECIMAL.match(token):
            words.append(token)
            continue
        parts = _segment(token)
        if not parts:
            return None
        words += parts
    return _read_article(words)


def _read_article(words: list[str]) -> list[str]:
    """ "a hundred", "a thousand": "a" is one there; anywhere else it says nothing and is dropped."""
    read = []
    for i, word in enumerate(words):
        if word != "a":
            read.append(word)
        elif i + 1 < len(words) and words[i + 1] in ("hundred", *_SCALES):
            read.append("one")
    return read


def _words_to_integer(tokens: list[str]) -> int | None:
    """A well-formed whole number in words or a numeral ("twelve hundred fifty", "1205"); None otherwise.

    Well-formed: units follow nothing but tens, a scale or "hundred"; "hundred" follows 1-99 once per
    group ("twelve hundred", "twenty-five hundred"); scales decrease; a numeral stands alone or before a
    scale; "zero" stands alone.
    """
    total, group, previous, last_scale, has_hundred = 0, 0, None, None, False
    for token in tokens:
        if token.isdigit():
            kind, value = "numeral", int(token)
        elif token in _NUMBER_WORDS:
            kind, value = _NUMBER_WORDS[token]
        else:
            return None
        if value == 0 and len(tokens) > 1:
            return None
        if kind == "numeral" and previous is not None:
            return None
        if kind in ("unit", "teen", "tens") and previous in ("unit", "teen", "numeral"):
            return None
        if previous == "tens" and kind != "unit" and kind not in ("hundred", "scale"):
            return None
        if kind == "hundred":
            if has_hundred or not 1 <= group <= 99:
                return None
            group, has_hundred = group * 100, True
        elif kind == "scale":
            if group == 0 or (last_scale is not None and value >= last_scale):
                return None
            total, group, last_scale, has_hundred = total + group * value, 0, value, False
        else:
            group += value
        previous = kind
    return None if previous is None else total + group


def _take_fraction_cents(text: str) -> tuple[int | None, str, bool]:
    """(cents, text without them, whether a fraction was found) for the "NN/100" forms; cents None if ambiguous."""
    text = _PER_HUNDRED.sub("/100", text)
    found = list(_CENTS_FRACTION.finditer(text))
    if not found:
        return 0, text, False
    if len(found) > 1:
        return None, text, True
    match = found[0]
    numerator = match.group(1).translate(_NUMERATOR_LOOKALIKES)
    cents = int(numerator) if numerator.isdigit() else 0
    rest = text[: match.start()] + " " + re.sub(r"^\s*cents?\b", " ", text[match.end() :])
    return cents, rest, True


def _take_word_cents(words: list[str]) -> tuple[int | None, list[str]] | None:
    """(cents, the dollar words) when the line states cents with "cents" ("and fifty cents", "37 cents").

    None when it does not; cents None when the cents part cannot be read.
    """
    positions = [i for i, w in enumerate(words) if w in _CENTS_WORDS]
    if not positions:
        return None
    at = positions[-1]
    if len(positions) > 1 or any(w not in _FILLER for w in words[at + 1 :]):
        return None, words
    start = at
    if start > 0 and (words[start - 1].isdigit() or words[start - 1] in ("no", "xx")):
        start -= 1  # "37 cents", "no cents": one token is the whole cents part, whatever precedes it
    else:
        while start > 0 and words[start - 1] not in _CENTS_BOUNDARY:
            start -= 1
    cents_words = words[start:at]
    if cents_words in (["no"], ["xx"]):
        return 0, words[:start]
    value = _words_to_integer(cents_words)
    return (value if value is not None and value < 100 else None), words[:start]


def _normalise(text: str) -> str:
    lowered = text.lower().translate(_DASHES)
    lowered = _THOUSANDS_COMMA.sub("", lowered)
    return _PADDING.sub(" ", lowered)


def words_to_amount(text: str | None) -> float | None:
    """Parse a written amount; None when it cannot be read as one with certainty."""
    if not text:
        return None
    cents, rest, had_fraction = _take_fraction_cents(_normalise(text))
    if cents is None:
        return None
    words = _words(rest)
    if words is None:
        return None
    from_words = None if had_fraction else _take_word_cents(words)
    if from_words is not None:
        cents, words = from_words
        if cents is None:
            return None
    elif not had_fraction and len(words) >= 3 and words[-2] == "and" and re.fullmatch(r"\d{2}", words[-1]):
        # "One hundred twenty-five and 50": the figure after "and" is the cents when the dollars are in words
        if not any(w.isdigit() for w in words[:-1]):
            cents, words = int(words[-1]), words[:-2]
    numbers = [w for w in words if w not in _FILLER]
    if not numbers:
        # "Forty-five cents" is an amount; a lone "45/100" or "Dollars" means the dollars were lost
        return round(cents / 100, 2) if from_words is not None and cents else None
    decimal = _DECIMAL.match(numbers[0])
    if decimal:  # "1,205.37" on the legal line: the figure is the whole amount
        if len(numbers) > 1 or had_fraction or from_words is not None:
            return None
        return round(int(decimal.group(1)) + int(decimal.group(2)) / 100, 2)
    dollars = _words_to_integer(numbers)
    if dollars is None:
        return None
    return round(dollars + cents / 100, 2)
