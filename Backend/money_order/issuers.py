"""Money order issuers, read from `issuers.json` (data operations extend, not code).

The table gives, per issuer, the names OCR may print, the face-value limit (the most the
issuer sells on one money order anywhere), the lower caps some selling agents set, and one
serial-number format per series or printing. It also names the words by which a local bank
or credit union issuing money orders under its own name is recognised ("First Community
Bank", "Lakeside Federal Credit Union"): those have no known limit and broad serial formats.

The file is loaded once and validated whole; a malformed entry raises `IssuerTableError`
naming the entry and what is wrong with it, so a bad edit stops the service at start-up
instead of mis-scoring money orders.

Matching is forgiving of how OCR spells an issuer: case, punctuation and spacing are
ignored ("U.S. Postal Service" == "us postal service"), and an alias may appear inside a
longer printed name ("MoneyGram Payment Systems, Inc."). A near miss ("Western Unoin") is
not a match: that is what a counterfeit looks like, and `issuer_name_similarity` measures it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any

ISSUERS_PATH = Path(__file__).with_name("issuers.json")

_DROPPED = re.compile(r"[.']")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_SERIAL_SEPARATORS = re.compile(r"[\s\-]+")


class IssuerTableError(ValueError):
    """The issuer data file is unreadable or an entry in it is malformed; the message names the entry."""


_PLURALS = re.compile(r"\b(order|service|system)s\b")


def normalize_issuer_name(text: str) -> str:
    """'U.S. Postal Money Orders, Inc.' -> 'us postal money order inc': case, punctuation, spacing and the
    plural of order, service and system ignored.

    Digits standing for letters ("Western Uni0n") are kept: that is how look-alike names are printed.
    """
    name = _SEPARATORS.sub(" ", _DROPPED.sub("", text.lower())).strip()
    return _PLURALS.sub(r"\1", name)


# Only the letters a printed digit is read as most often: folding more (S, B, Z...) would also read back the
# letters a counterfeit printing puts in a serial.
_OCR_LETTER_AS_DIGIT = {"O": "0", "I": "1"}


def normalize_serial(serial: str) -> str:
    """The serial as the issuer's formats read it: spaces and dashes between digit groups dropped, upper case,
    and an O or I after a digit read as the 0 or 1 OCR mistook ("12O4" -> "1204"); a letter prefix stays."""
    read: list[str] = []
    for char in _SERIAL_SEPARATORS.sub("", serial).upper():
        after_digit = bool(read) and read[-1].isdigit()
        read.append(_OCR_LETTER_AS_DIGIT.get(char, char) if after_digit else char)
    return "".join(read)


@dataclass(frozen=True)
class SerialFormat:
    """One series or printing: `pattern` must match the whole normalised serial.

    `examples` are printed layouts ("#" a digit, any other character as printed) for tests and
    synthetic data; each matches `pattern` once normalised.
    """

    series: str
    pattern: re.Pattern[str]
    examples: tuple[str, ...]

    def matches(self, normalized_serial: str) -> bool:
        return self.pattern.fullmatch(normalized_serial) is not None


@dataclass(frozen=True)
class Issuer:
    """One issuer of the table (see the module docstring)."""

    key: str
    name: str
    aliases: tuple[str, ...]
    face_value_limit: float
    agent_limits: tuple[float, ...]
    serial_formats: tuple[SerialFormat, ...]
    distinctive_words: tuple[str, ...] = ()
    historic: bool = False
    government: bool = False  # a government agency: never printed with a company suffix ("Inc.", "Co.")

    def serial_matches(self, serial: str | None) -> bool:
        """True when `serial` (as printed) is in one of this issuer's formats."""
        return serial is not None and _matches_any(self.serial_formats, normalize_serial(serial))


@dataclass(frozen=True)
class GenericInstitutions:
    """Local banks and credit unions: recognised by a word of their name, with broad serial formats."""

    name_words: tuple[str, ...]
    serial_formats: tuple[SerialFormat, ...]
    usual_max_face_value: float

    def recognises(self, text: str | None) -> bool:
        """True when the printed name contains one of `name_words` as whole words ("Lakeside FCU")."""
        if not text:
            return False
        padded = f" {normalize_issuer_name(text)} "
        return any(f" {word} " in padded for word in self.name_words)


@dataclass(frozen=True)
class IssuerTable:
    issuers: tuple[Issuer, ...]
    generic: GenericInstitutions


def _matches_any(formats: Iterable[SerialFormat], normalized_serial: str) -> bool:
    return any(serial_format.matches(normalized_serial) for serial_format in formats)


# --- loading and validation ---------------------------------------------------------------------


def _require(condition: bool, where: str, problem: str) -> None:
    if not condition:
        raise IssuerTableError(f"{where}: {problem}")


def _text_list(value: Any, where: str, field: str, allow_empty: bool = False) -> tuple[str, ...]:
    _require(isinstance(value, list), where, f"'{field}' must be a list of strings")
    _require(allow_empty or bool(value), where, f"'{field}' must not be empty")
    for item in value:
        _require(isinstance(item, str) and item.strip() != "", where, f"'{field}' holds a blank or non-text entry")
    return tuple(value)


def _serial_formats(value: Any, where: str) -> tuple[SerialFormat, ...]:
    """The `serial_formats` list of one entry, each pattern compiled and each example checked against it."""
    _require(isinstance(value, list) and bool(value), where, "'serial_formats' must be a non-empty list")
    formats = []
    for index, raw in enumerate(value):
        at = f"{where}, serial_formats[{index}]"
        _require(isinstance(raw, dict), at, "must be an object")
        unknown = set(raw) - {"series", "pattern", "examples"}
        _require(not unknown, at, f"unknown keys {sorted(unknown)}")
        series = raw.get("series")
        _require(isinstance(series, str) and series.strip() != "", at, "'series' must name the series")
        _require(isinstance(raw.get("pattern"), str), at, "'pattern' must be a regular expression")
        try:
            pattern = re.compile(raw["pattern"])
        except re.error as error:
            raise IssuerTableError(f"{at} ({series}): pattern {raw['pattern']!r} does not compile: {error}") from None
        examples = _text_list(raw.get("examples"), at, "examples")
        for example in examples:
            printed = normalize_serial(example.replace("#", "0"))
            _require(
                pattern.fullmatch(printed) is not None,
                at,
                f"example {example!r} does not match its pattern {raw['pattern']!r}",
            )
        formats.append(SerialFormat(series, pattern, examples))
    return tuple(formats)


def _limit(value: Any, where: str, field: str) -> float:
    valid = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    _require(valid, where, f"'{field}' must be a positive amount, not {value!r}")
    return float(value)


_ISSUER_KEYS = {
    "key",
    "name",
    "aliases",
    "distinctive_words",
    "face_value_limit",
    "agent_limits",
    "serial_formats",
    "historic",
    "government",
}


def _issuer(raw: Any, index: int) -> Issuer:
    """One entry of the `issuers` list, validated; errors name it by position and key."""
    where = f"issuers[{index}]"
    _require(isinstance(raw, dict), where, "must be an object")
    key = raw.get("key")
    _require(
        isinstance(key, str) and re.fullmatch(r"[a-z0-9_]+", key or "") is not None, where, "'key' must be snake_case"
    )
    where = f"issuers[{index}] ({key})"
    unknown = set(raw) - _ISSUER_KEYS
    _require(not unknown, where, f"unknown keys {sorted(unknown)}")
    name = raw.get("name")
    _require(isinstance(name, str) and normalize_issuer_name(name) != "", where, "'name' must be a printed name")
    limit = _limit(raw.get("face_value_limit"), where, "face_value_limit")
    raw_agent_limits = raw.get("agent_limits", [])
    _require(isinstance(raw_agent_limits, list), where, "'agent_limits' must be a list of amounts")
    agent_limits = tuple(_limit(value, where, "agent_limits") for value in raw_agent_limits)
    _require(all(value < limit for value in agent_limits), where, "agent_limits must be below face_value_limit")
    _require(isinstance(raw.get("historic", False), bool), where, "'historic' must be true or false")
    _require(isinstance(raw.get("government", False), bool), where, "'government' must be true or false")
    distinctive = _text_list(raw.get("distinctive_words", []), where, "distinctive_words", allow_empty=True)
    for word in distinctive:
        _require(
            re.fullmatch(r"[a-z0-9]+", word) is not None,
            where,
            f"distinctive word {word!r} must be one lower-case word",
        )
    return Issuer(
        key=key,
        name=name,
        aliases=_text_list(raw.get("aliases", []), where, "aliases", allow_empty=True),
        face_value_limit=limit,
        agent_limits=agent_limits,
        serial_formats=_serial_formats(raw.get("serial_formats"), where),
        distinctive_words=distinctive,
        historic=raw.get("historic", False),
        government=raw.get("government", False),
    )


def _generic(raw: Any) -> GenericInstitutions:
    where = "generic_institutions"
    _require(isinstance(raw, dict), where, "must be an object")
    unknown = set(raw) - {"name_words", "serial_formats", "usual_max_face_value"}
    _require(not unknown, where, f"unknown keys {sorted(unknown)}")
    words = _text_list(raw.get("name_words"), where, "name_words")
    return GenericInstitutions(
        name_words=tuple(normalize_issuer_name(word) for word in words),
        serial_formats=_serial_formats(raw.get("serial_formats"), where),
        usual_max_face_value=_limit(raw.get("usual_max_face_value"), where, "usual_max_face_value"),
    )


def parse_issuer_table(data: Any, source: str = "issuer table") -> IssuerTable:
    """The validated table from the decoded JSON `data`; IssuerTableError names the first bad entry."""
    try:
        _require(isinstance(data, dict), source, "must be a JSON object")
        _require(isinstance(data.get("issuers"), list) and bool(data["issuers"]), source, "'issuers' must be a list")
        issuers = tuple(_issuer(raw, index) for index, raw in enumerate(data["issuers"]))
        owners: dict[str, str] = {}
        keys: set[str] = set()
        for issuer in issuers:
            _require(issuer.key not in keys, f"issuer {issuer.key}", "the key is used twice")
            keys.add(issuer.key)
            for alias in (issuer.name, *issuer.aliases):
                normalized = normalize_issuer_name(alias)
                _require(normalized != "", f"issuer {issuer.key}", f"alias {alias!r} has no letters or digits")
                owner = owners.setdefault(normalized, issuer.key)
                _require(owner == issuer.key, f"issuer {issuer.key}", f"alias {alias!r} is also {owner}'s")
        return IssuerTable(issuers, _generic(data.get("generic_institutions")))
    except IssuerTableError as error:
        raise IssuerTableError(f"{source}: {error}") from None


def load_issuer_table(path: Path = ISSUERS_PATH) -> IssuerTable:
    """The table in the JSON file at `path`, validated (see `parse_issuer_table`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IssuerTableError(f"{path.name}: cannot be read as JSON: {error}") from None
    return parse_issuer_table(data, path.name)


TABLE = load_issuer_table()
ISSUERS: tuple[Issuer, ...] = TABLE.issuers
GENERIC_INSTITUTIONS = TABLE.generic


# --- lookups ------------------------------------------------------------------------------------

# Words every kind of issuer prints ("... Money Orders, Inc."): left out when comparing names, so that
# "QuickMart Money Orders" is not taken for a look-alike of "MoneyGram Money Order".
_COMMON_NAME_WORDS = frozenset(
    "money order orders services service financial payment systems international inc co company the".split()
)


@lru_cache(maxsize=4096)
def _is_common_word(word: str) -> bool:
    """True for a word of _COMMON_NAME_WORDS, or one OCR misspelt ("servce", "finacial")."""
    if word in _COMMON_NAME_WORDS:
        return True
    return len(word) >= 5 and any(
        SequenceMatcher(None, word, common).ratio() >= 0.8 for common in _COMMON_NAME_WORDS if len(common) >= 5
    )


def core_name(normalized: str) -> str:
    """A normalised name without the words every issuer prints, misspelt ones too ("servce");
    the whole name when nothing else is left."""
    core = " ".join(word for word in normalized.split() if not _is_common_word(word))
    return core or normalized


_BY_ALIAS: dict[str, Issuer] = {
    normalize_issuer_name(alias): issuer for issuer in ISSUERS for alias in (issuer.name, *issuer.aliases)
}
# Longest first, so "moneygram money order" is tried before "moneygram".
_ALIASES_BY_LENGTH = sorted(_BY_ALIAS, key=len, reverse=True)
_CORE_ALIASES = sorted({core_name(alias) for alias in _BY_ALIAS})


# "Fidelity Money Services": an issuer's own core name with other common words (spelt right: a
# misspelling is what a look-alike shows).
# Words an issuer's printed name may carry besides one of its aliases ("MoneyGram Payment Systems, Inc.",
# "Walmart Stores", "USPS Domestic Money Order"). Any other word next to a known name ("MoneyGram Xpress",
# "Western Union Global Transfer") makes a new name that borrows a known one: a look-alike.
_ALLOWED_EXTRA_WORDS = _COMMON_NAME_WORDS | frozenset(
    "inc llc corp corporation ltd co of and the usa us america domestic agent retail store stores mo".split()
    + "transfer transfers center centre svc".split()
)
# Before a known name: the words every issuer prints and the kind of money order ("Domestic Money Order USPS").
_LEADING_WORDS = _COMMON_NAME_WORDS | {"domestic", "international"}
CONTAINED_NAME_SIMILARITY = 0.9  # given to a new name around a known one ("MoneyGram Xpress", "Western Money Union")


def _alias_in(normalized: str) -> str | None:
    """The longest alias that appears in `normalized` as whole words, if any."""
    padded = f" {normalized} "
    return next((alias for alias in _ALIASES_BY_LENGTH if f" {alias} " in padded), None)


def _extra_words(normalized: str) -> set[str]:
    """The words of `normalized` that no alias of any issuer covers and no issuer commonly prints after its
    name. Before the name only the words every issuer prints ("the", "money order") are: "US Postal Money
    Order", "National MoneyGram" put other words in front of a known name, as a look-alike does."""
    marked = f" {normalized} "
    for alias in _ALIASES_BY_LENGTH:
        marked = marked.replace(f" {alias} ", " | ")
    leading, _, trailing = marked.partition("|")
    # "Money Order - United States Postal Service": the words every issuer prints may come first too.
    extra = {word for word in leading.split() if word not in _LEADING_WORDS}
    return extra | {
        word for word in trailing.split() if word not in _ALLOWED_EXTRA_WORDS and word != "|" and not word.isdigit()
    }


# A company's legal suffix: a government issuer ("U.S. Postal Service") never prints one, a look-alike of it may.
_COMPANY_SUFFIXES = frozenset("inc llc corp corporation ltd co company".split())


# Letters of other scripts that print like Latin ones (Cyrillic, Greek): a counterfeit's way to print a known
# name that is not it ("MoneyGrаm" with a Cyrillic a).
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁһӏАВЕКМНОРСТХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν",
    "aeopcyxijsdhlABEKMHOPCTXIJSABEZHIKMNOPTYXoiv",
)


def fold_confusables(text: str) -> str:
    """`text` with letters of other scripts that look Latin read as the Latin ones, and accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_CONFUSABLES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def prints_confusables(text: str) -> bool:
    """True when `text` reads differently once look-alike letters are folded ("MoneyGrаm"); other characters
    (a non-breaking hyphen, a curly apostrophe) are separators either way and do not count."""
    return normalize_issuer_name(fold_confusables(text)) != normalize_issuer_name(text)


def lookup_issuer(text: str | None) -> Issuer | None:
    """The issuer a printed name refers to, or None when it names no issuer of the table.

    Either the whole name is an alias, or an alias appears in it as whole words with no other
    word besides those issuers commonly print ("MoneyGram Money Orders, Inc."). An issuer's
    distinctive name with other words ("MoneyGram Xpress", "US Postal Money Services") is not
    the issuer, nor is a government issuer's name with a company suffix ("Postal Money Orders
    Inc."): `nearest_issuer` reads them as look-alikes.
    """
    if not text or prints_confusables(text):  # printed with look-alike letters: not the issuer's name
        return None
    normalized = normalize_issuer_name(text)
    if not normalized:
        return None
    if normalized in _BY_ALIAS:
        return _BY_ALIAS[normalized]
    alias = _alias_in(normalized)
    if alias is None or _extra_words(normalized):
        return None
    issuer = _BY_ALIAS[alias]
    if issuer.government and _COMPANY_SUFFIXES & set(normalized.split()):
        return None
    return issuer


def is_generic_institution(text: str | None) -> bool:
    """True for a bank or credit union issuing under its own name (not a named issuer of the table).

    A name carrying a whole issuer name ("MoneyGram Savings", "Western Union Bank") is not a bank's own name
    but borrows the issuer's: a look-alike. A shared word alone ("Western State Bank") does not count.
    """
    if lookup_issuer(text) is not None or not GENERIC_INSTITUTIONS.recognises(text):
        return False
    return _alias_in(normalize_issuer_name(text)) is None


def issuer_name_similarity(text: str | None) -> float | None:
    """How close a printed name is to the nearest known issuer name, 0..1 (1 for a known issuer).

    None when there is no name. A high value for an unknown issuer is a look-alike name.
    """
    nearest = nearest_issuer(text)
    return None if nearest is None else nearest[1]


def nearest_issuer(text: str | None) -> tuple[Issuer, float] | None:
    """(the known issuer whose name is closest to `text`, similarity 0..1); None when there is no name."""
    if not text or not normalize_issuer_name(text):
        return None
    known = lookup_issuer(text)
    if known is not None:
        return known, 1.0
    folded = fold_confusables(text)
    if prints_confusables(text):  # a known name printed with look-alike letters is as close as a name gets
        known = lookup_issuer(folded)
        if known is not None:
            return known, 1.0
        text = folded
    normalized = normalize_issuer_name(text)
    nearest = _nearest_by_core(_letters_for_digits(core_name(normalized)))
    borrowed = _borrowed_issuer(normalized)
    if borrowed is not None and nearest[1] < CONTAINED_NAME_SIMILARITY:
        return borrowed, CONTAINED_NAME_SIMILARITY  # a known name, or a word only it uses, inside a new name
    return nearest


def _borrowed_issuer(normalized: str) -> Issuer | None:
    """The issuer whose alias, or one of whose distinctive words, appears in a name that is not its own."""
    alias = _alias_in(normalized)
    if alias is not None:
        return _BY_ALIAS[alias]
    words = set(_letters_for_digits(normalized).split())
    return next((issuer for issuer in ISSUERS if words & set(issuer.distinctive_words)), None)


_DIGIT_AS_LETTER = str.maketrans("0135", "oles")
_WORD_WITH_LETTERS = re.compile(r"\b(?=\w*[a-z])\w+\b")


def _letters_for_digits(name: str) -> str:
    """'western uni0n' -> 'western union': a digit inside a word of letters compared as the letter it imitates."""
    return _WORD_WITH_LETTERS.sub(lambda word: word.group().translate(_DIGIT_AS_LETTER), name)


@lru_cache(maxsize=4096)
def _nearest_by_core(core: str) -> tuple[Issuer, float]:
    """The issuer whose core name is most similar to `core` (see `core_name`), and that similarity."""
    best, best_issuer = -1.0, ISSUERS[0]
    for alias, issuer in _BY_ALIAS.items():
        matcher = SequenceMatcher(None, core, core_name(alias))
        # The quick ratios are upper bounds of ratio(): skip aliases that cannot beat the best so far.
        if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
            similarity = matcher.ratio()
            if similarity > best:
                best, best_issuer = similarity, issuer
    return best_issuer, max(best, 0.0)


_MIN_PLACEHOLDER_DIGITS = 6


def is_placeholder_serial(serial: str | None) -> bool:
    """True when the serial's digits are one digit repeated or a running sequence ("0000000000",
    "1234567890", "9876543210"): what specimen and counterfeit money orders print, never an issued serial."""
    if serial is None:
        return False
    numbers = [int(c) for c in normalize_serial(serial) if c.isdigit()]
    if len(numbers) < _MIN_PLACEHOLDER_DIGITS:
        return False
    steps = {(b - a) % 10 for a, b in zip(numbers, numbers[1:])}
    return steps in ({0}, {1}, {9})


def matches_any_serial_format(serial: str | None) -> bool:
    """True when `serial` is in some format of the table, a bank's or credit union's included."""
    if serial is None:
        return False
    normalized = normalize_serial(serial)
    formats = [f for issuer in ISSUERS for f in issuer.serial_formats] + list(GENERIC_INSTITUTIONS.serial_formats)
    return _matches_any(formats, normalized)
