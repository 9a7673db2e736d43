"""What every document type of the quality set shares: the labelled case, money in cents, the ways OCR
spells amounts and dates, amounts in words, people and places, and OCR's dropped and misread fields.

Money is held in integer cents until a document is rendered, so no sum drifts by a float rounding.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

SUBTLE, OBVIOUS = "subtle", "obvious"


@dataclass(frozen=True)
class Case:
    """One labelled document as the OCR step would send it to the API."""

    doc_type: str
    document: dict[str, Any]
    is_fraud: bool
    patterns: tuple[str, ...] = ()
    subtlety: str | None = None  # "subtle" or "obvious" for fraud, None for genuine
    variation: tuple[str, ...] = ()  # benign variations the document carries (fraud is built on a genuine one)


@dataclass
class Draft:
    """A document being built: its field values (cents, dates, text), what made it vary, what fraud touched."""

    values: dict[str, Any]
    variation: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # fields a fraud pattern changed: OCR noise leaves them be


def pick(rng: random.Random, options: Sequence, weights: Sequence[float] | None = None):
    return rng.choices(options, weights=weights, k=1)[0]


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def cents(dollars: float) -> int:
    return int(round(dollars * 100))


def half_up(value: float) -> int:
    """Round a cent amount held as a float the way payroll does: half a cent up."""
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)


# spellings ---------------------------------------------------------------------------------------

# (name, weight): how OCR engines and spreadsheets export amounts and dates. All are spellings the API reads.
AMOUNT_STYLES = (
    ("number", 0.40),
    ("dollar_comma", 0.25),
    ("comma", 0.12),
    ("plain", 0.09),
    ("dollar_plain", 0.05),
    ("dollar_space", 0.05),
    ("usd_suffix", 0.04),
)
DATE_STYLES = (
    ("iso", 0.45),
    ("us", 0.32),
    ("us_short", 0.14),
    ("iso_time", 0.04),
    ("iso_zulu", 0.02),
    ("iso_space", 0.03),
)


def _format_positive(value: int, style: str) -> float | int | str:
    whole, part = divmod(value, 100)
    with_commas, plain = f"{whole:,}.{part:02d}", f"{whole}.{part:02d}"
    if style == "number":
        return whole if part == 0 and value % 300 == 0 else round(value / 100, 2)  # a third of whole amounts as ints
    return {
        "dollar_comma": f"${with_commas}",
        "comma": with_commas,
        "plain": plain,
        "dollar_plain": f"${plain}",
        "dollar_space": f"$ {with_commas}",
        "usd_suffix": f"{with_commas} USD",
    }[style]


def _format_negative(value: int, style: str, parentheses: bool) -> float | int | str:
    positive = _format_positive(value, style)
    if isinstance(positive, (int, float)):
        return -positive
    if parentheses and style in ("dollar_comma", "comma", "plain", "dollar_plain"):
        return f"({positive})"
    if style == "dollar_space":
        return "-" + positive
    if positive.startswith("$"):
        return "-" + positive if style == "dollar_plain" or value % 2 else "$-" + positive[1:]
    return "-" + positive


def _format_date(day: date, style: str) -> str:
    if style == "iso":
        return day.isoformat()
    if style == "us":
        return f"{day.month:02d}/{day.day:02d}/{day.year}"
    if style == "us_short":
        return f"{day.month}/{day.day}/{day.year}"
    if style == "iso_time":
        return f"{day.isoformat()}T00:00:00"
    if style == "iso_zulu":
        return f"{day.isoformat()}T00:00:00Z"
    return f"{day.isoformat()} 00:00:00"


class Spelling:
    """How one document spells amounts and dates: one house style, with a field now and then in another
    (OCR reads each zone of a page on its own)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.amount_style = pick(rng, [s for s, _ in AMOUNT_STYLES], [w for _, w in AMOUNT_STYLES])
        self.date_style = pick(rng, [s for s, _ in DATE_STYLES], [w for _, w in DATE_STYLES])
        self.parentheses = chance(rng, 0.3)  # accounting negatives, "(45.00)"
        self.explicit_plus = chance(rng, 0.08)  # "+2,143.56" for credits on some statements

    def amount(self, value: int | None, signed: bool = False) -> float | int | str | None:
        if value is None:
            return None
        style = self.amount_style
        if chance(self.rng, 0.08):
            style = pick(self.rng, [s for s, _ in AMOUNT_STYLES])
        if value < 0:
            return _format_negative(-value, style, self.parentheses)
        spelled = _format_positive(value, style)
        if signed and self.explicit_plus and isinstance(spelled, str) and value > 0 and style != "dollar_space":
            return "+" + spelled
        return spelled

    def date(self, day: date | None) -> str | None:
        if day is None:
            return None
        style = self.date_style if not chance(self.rng, 0.05) else pick(self.rng, [s for s, _ in DATE_STYLES])
        return _format_date(day, style)


# amounts in words --------------------------------------------------------------------------------

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _under_hundred(n: int, hyphen: bool) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    tens, ones = divmod(n, 10)
    if not ones:
        return [_TENS[tens]]
    return [f"{_TENS[tens]}-{_ONES[ones]}"] if hyphen else [_TENS[tens], _ONES[ones]]


def _under_thousand(n: int, hyphen: bool, british: bool) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [_ONES[hundreds], "hundred"] if hundreds else []
    if rest:
        if hundreds and british:
            words.append("and")
        words += _under_hundred(rest, hyphen)
    return words


def number_words(
    n: int, hyphen: bool = True, british: bool = False, hundreds: bool = False, commas: bool = False
) -> str:
    """A whole number in English words, lower case: "one thousand two hundred fifty".

    hundreds: "twelve hundred fifty" for 1100-9999 when that is how people say it;
    british: "one hundred and fifty"; commas: "one thousand, two hundred fifty".
    """
    if n == 0:
        return "zero"
    if hundreds and 1100 <= n < 10000 and (n // 100) % 10:
        high, rest = divmod(n, 100)
        words = _under_hundred(high, hyphen) + ["hundred"]
        if rest:
            words += (["and"] if british else []) + _under_hundred(rest, hyphen)
        return " ".join(words)
    groups = []
    for scale, name in ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"), (1, "")):
        chunk, n = divmod(n, scale)
        if chunk:
            words = _under_thousand(chunk, hyphen, british and scale == 1)
            if scale == 1 and british and groups and chunk < 100:
                words = ["and", *words]
            groups.append(" ".join(words + ([name] if name else [])))
    return (", " if commas else " ").join(groups)


def _case(text: str, casing: str) -> str:
    if casing == "upper":
        return text.upper()
    if casing == "lower":
        return text
    if casing == "sentence":
        return text[:1].upper() + text[1:]
    return " ".join("-".join(part.capitalize() for part in word.split("-")) for word in text.split(" "))


def amount_in_words(value: int, rng: random.Random, voice: str = "handwritten", tags: list[str] | None = None) -> str:
    """An amount as a person writes it on a check's legal line, a check printer prints it, or a money order
    imprints it. `voice` is handwritten, printed or imprint; the spelling's traits are added to `tags`."""
    tags = [] if tags is None else tags
    dollars, part = divmod(value, 100)
    hyphen = chance(rng, 0.75 if voice == "handwritten" else 0.6)
    british, commas = chance(rng, 0.06), chance(rng, 0.04)
    hundreds = voice == "handwritten" and chance(rng, 0.35) and 1100 <= dollars < 10000 and (dollars // 100) % 10 > 0
    words = number_words(dollars, hyphen=hyphen, british=british, hundreds=hundreds, commas=commas)
    tags += [t for t, on in (("words_hundreds_style", hundreds), ("words_british_and", british)) if on]
    if commas:
        tags.append("words_commas")
    cents_words = number_words(part, hyphen=hyphen) if part else ""
    if voice == "handwritten":
        casing = pick(rng, ["title", "sentence", "lower", "upper"], [0.45, 0.3, 0.15, 0.1])
        if part == 0:
            tail = pick(
                rng,
                ["and 00/100", "and no/100", "and xx/100", "& 00/100", "dollars and 00/100", "dollars", "dollars only"],
                [0.38, 0.08, 0.1, 0.08, 0.2, 0.1, 0.06],
            )
        else:
            tail = pick(
                rng,
                [f"and {part:02d}/100", f"& {part:02d}/100", f"dollars and {part:02d}/100", f"and {part:02d} cents"],
                [0.55, 0.1, 0.3, 0.05],
            )
        suffix = " dollars" if tail.startswith(("and", "&")) and chance(rng, 0.35) else ""
        text = _case(f"{words} {tail}{suffix}", casing)
        text = text.replace("Xx/100", "XX/100").replace("No/100", "NO/100") if chance(rng, 0.5) else text
        if "xx/100" in tail or "no/100" in tail:
            tags.append("words_letters_for_zero_cents")
        if tail in ("dollars", "dollars only"):
            tags.append("words_no_cents")
        if chance(rng, 0.12):
            text = f"{text} ----" if chance(rng, 0.5) else f"~~ {text} ~~"
            tags.append("words_filler")
        return text
    if voice == "printed":
        casing = pick(rng, ["upper", "title"], [0.65, 0.35])
        if part == 0:
            tail = pick(
                rng, ["and 00/100 dollars", "dollars and 00 cents", "and no/100 dollars", "dollars and no cents"]
            )
        else:
            tail = pick(
                rng,
                [f"and {part:02d}/100 dollars", f"dollars and {part:02d} cents", f"dollars and {cents_words} cents"],
                [0.5, 0.35, 0.15],
            )
        text = _case(f"{words} {tail}", casing).replace("No/100", "NO/100")
        if "cents" in tail and part and not tail.startswith(f"dollars and {part:02d}"):
            tags.append("words_cents_in_words")
        if chance(rng, 0.4):
            stars = "*" * rng.randint(3, 8)
            text = f"{stars}{text}{stars}" if chance(rng, 0.5) else f"{text}{stars}"
            tags.append("words_filler")
        return text
    # money order imprint
    tail = pick(
        rng,
        ["dollars and 00 cents" if not part else f"dollars and {part:02d} cents", f"and {part:02d}/100 dollars", "dol"],
        [0.5, 0.4, 0.1],
    )
    if tail == "dol":
        tail = f"dol {part:02d} cts"
        tags.append("words_abbreviated")
    return _case(f"{words} {tail}", pick(rng, ["upper", "title"], [0.8, 0.2]))


_TEEN_SWAP = {50: 15, 60: 16, 70: 17, 80: 18, 90: 19, 40: 14, 15: 50, 16: 60, 17: 70, 18: 80, 19: 90, 14: 40}


def nearby_amount(rng: random.Random, value: int) -> int:
    """A different amount a careless reader might take for `value`: other cents, a teen for a ty, a swap."""
    dollars, part = divmod(value, 100)
    options = []
    options.append(dollars * 100 + (part + pick(rng, [5, 10, 25, 50])) % 100)
    if dollars % 100 in _TEEN_SWAP:
        options.append((dollars - dollars % 100 + _TEEN_SWAP[dollars % 100]) * 100 + part)
    text = str(dollars)
    if len(text) >= 3 and text[-2] != text[-3]:
        options.append(int(text[:-3] + text[-2] + text[-3] + text[-1]) * 100 + part)
    options.append(value + pick(rng, [-1, 1]) * pick(rng, [1, 2, 5, 10, 20]) * 100)
    options = [o for o in options if o != value and o > 0]
    return pick(rng, options)


# people and places -------------------------------------------------------------------------------

FIRST_NAMES = (
    "Maria James Aisha Wei Carlos Priya Tyrone Olga Mohammed Hannah Diego Keiko Samuel Fatima Liam Grace "
    "Dmitri Lakshmi Andre Chloe Hiroshi Ngozi Patrick Yesenia Bogdan Mei Jamal Rosa Ethan Ingrid Kwame Sofia "
    "Raj Brittany Tomasz Esperanza Daniel Amara Victor Leilani Omar Kathleen Juan Thuy Marcus Svetlana Noah "
    "Imani Gustavo Beatriz Connor Zainab Elijah Ayumi Luis Deborah Arjun Shanice Mateo Helga Abdul Nadia"
).split()
LAST_NAMES = tuple(
    (
        "Garcia|Smith|Okafor|Nguyen|Patel|Johnson|Kowalski|Hernandez|Chen|Williams|Rossi|Abdullah|Brown|Kim|"
        "Jones|Silva|O'Brien|Yamamoto|Miller|Davis|Rodriguez|Martinez|Ivanova|Wilson|Anderson|Thomas|Taylor|Moore|"
        "Jackson|Lee|Perez|Thompson|White|Harris|Sanchez|Clark|Ramirez|Lewis|Robinson|Walker|Young|Allen|King|"
        "Wright|Scott|Torres|Hill|Flores|Green|Adams|Nelson|Baker|Mensah|Campbell|Mitchell|Roberts|Carter|Phillips|"
        "Evans|Turner|Diaz|Parker|Cruz|Edwards|Collins|Reyes|Stewart|Morris|Morales|Murphy|Cook|Rogers|Gutierrez|"
        "Van der Berg|St. Clair|Nakamura|Schmidt|Haddad|Delacroix|Fitzgerald|Mbeki|Castillo|Lindqvist|De la Cruz"
    ).split("|")
)
MIDDLE_INITIALS = "ABCDEFGHJKLMNPRSTW"

BUSINESS_WORDS = (
    "Northwind Summit Harbor Blue Ridge Pinecrest Meridian Keystone Redwood Lakeshore Granite Silverline "
    "Prairie Cobalt Evergreen Ironwood Bayside Crescent Horizon Maple Canyon Beacon Sterling Oakmont Riverbend "
    "Pioneer Falcon Coastal Heritage Magnolia Frontier Copperfield Willow Atlas Cardinal Juniper Liberty"
).split()
BUSINESS_KINDS = tuple(
    (
        "Logistics|Dental Group|Construction|Manufacturing|Health Partners|Foods|Auto Repair|Staffing|Realty|"
        "Landscaping|Electric|Plumbing & Heating|Software|Pharmacy|Hospitality|Freight|Insurance Agency|Bakery|"
        "Machine Works|Medical Center|Property Management|Analytics|Printing|Veterinary Clinic|Roofing|Academy"
    ).split("|")
)
BUSINESS_SUFFIXES = ("Inc.", "LLC", "Corp.", "Co.", "Ltd.", "PLLC", "LLP", "Inc", "L.L.C.", "Corporation", "Group", "")
CHAIN_EMPLOYERS = (
    "Walmart Inc.",
    "Target Corporation",
    "The Home Depot",
    "Kroger Co.",
    "Amazon.com Services LLC",
    "UPS",
    "Starbucks Corporation",
    "HCA Healthcare",
    "Costco Wholesale",
    "Lowe's Home Centers, LLC",
    "FedEx Ground Package System",
    "Mayo Clinic",
    "Kaiser Foundation Hospitals",
    "Walgreen Co.",
    "Dollar General Corporation",
    "Publix Super Markets, Inc.",
)
STREET_NAMES = (
    "Main Maple Oak Cedar Elm Washington Lake Hill Park Pine Sunset Lincoln Jackson Highland Church Spring "
    "Ridge Mill Center Union Franklin River Valley Broadway Market Meadow Forest Madison Chestnut"
).split()
STREET_KINDS = ("St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Way", "Ct", "Pkwy", "Street", "Avenue", "Hwy")
# (city, state, ZIP prefix)
CITIES = (
    ("Houston", "TX", "770"),
    ("Dallas", "TX", "752"),
    ("Austin", "TX", "787"),
    ("San Antonio", "TX", "782"),
    ("Miami", "FL", "331"),
    ("Tampa", "FL", "336"),
    ("Orlando", "FL", "328"),
    ("Jacksonville", "FL", "322"),
    ("Seattle", "WA", "981"),
    ("Spokane", "WA", "992"),
    ("Las Vegas", "NV", "891"),
    ("Nashville", "TN", "372"),
    ("Memphis", "TN", "381"),
    ("Sioux Falls", "SD", "571"),
    ("Cheyenne", "WY", "820"),
    ("Anchorage", "AK", "995"),
    ("Manchester", "NH", "031"),
    ("Los Angeles", "CA", "900"),
    ("San Diego", "CA", "921"),
    ("Sacramento", "CA", "958"),
    ("Fresno", "CA", "937"),
    ("New York", "NY", "100"),
    ("Buffalo", "NY", "142"),
    ("Newark", "NJ", "071"),
    ("Philadelphia", "PA", "191"),
    ("Pittsburgh", "PA", "152"),
    ("Chicago", "IL", "606"),
    ("Springfield", "IL", "627"),
    ("Detroit", "MI", "482"),
    ("Grand Rapids", "MI", "495"),
    ("Columbus", "OH", "432"),
    ("Cleveland", "OH", "441"),
    ("Indianapolis", "IN", "462"),
    ("Charlotte", "NC", "282"),
    ("Raleigh", "NC", "276"),
    ("Denver", "CO", "802"),
    ("Salt Lake City", "UT", "841"),
    ("Boston", "MA", "021"),
    ("Phoenix", "AZ", "850"),
    ("Atlanta", "GA", "303"),
    ("Louisville", "KY", "402"),
    ("Boise", "ID", "837"),
    ("Richmond", "VA", "232"),
    ("Minneapolis", "MN", "554"),
    ("Portland", "OR", "972"),
    ("Baltimore", "MD", "212"),
    ("Milwaukee", "WI", "532"),
    ("Kansas City", "MO", "641"),
)


def person_name(rng: random.Random, formal: bool = False) -> str:
    first, last = pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES)
    roll = rng.random()
    if roll < 0.18:
        name = f"{first} {pick(rng, MIDDLE_INITIALS)}. {last}"
    elif roll < 0.22:
        name = f"{first} {last}-{pick(rng, LAST_NAMES)}"
    elif roll < 0.25:
        name = f"{first} {last} {pick(rng, ['Jr.', 'Sr.', 'II', 'III'])}"
    else:
        name = f"{first} {last}"
    if formal and chance(rng, 0.25):  # payroll systems print LAST, FIRST in capitals
        name = f"{last.upper()}, {first.upper()}"
    elif chance(rng, 0.08):
        name = name.upper()
    return name


def business_name(rng: random.Random, chains: bool = True) -> str:
    if chains and chance(rng, 0.15):
        return pick(rng, CHAIN_EMPLOYERS)
    words = pick(rng, BUSINESS_WORDS)
    if chance(rng, 0.25):
        words = f"{words} {pick(rng, BUSINESS_WORDS)}"
    if chance(rng, 0.1):
        words = f"{pick(rng, LAST_NAMES)} & {pick(rng, ['Sons', 'Associates', 'Partners', pick(rng, LAST_NAMES)])}"
    name = f"{words} {pick(rng, BUSINESS_KINDS)} {pick(rng, BUSINESS_SUFFIXES)}".strip()
    return name.upper() if chance(rng, 0.1) else name


def place(rng: random.Random, states: Iterable[str] | None = None) -> tuple[str, str, str]:
    options = [c for c in CITIES if states is None or c[1] in set(states)]
    city, state, prefix = pick(rng, options)
    return city, state, f"{prefix}{rng.randint(1, 99):02d}"


def street_address(rng: random.Random, city: str, state: str, zip_code: str) -> str:
    street = f"{rng.randint(1, 19999)} {pick(rng, STREET_NAMES)} {pick(rng, STREET_KINDS)}"
    if chance(rng, 0.2):
        street += pick(rng, [f" Suite {rng.randint(100, 950)}", f" Apt {rng.randint(1, 40)}{pick(rng, 'ABCD')}"])
    if chance(rng, 0.1):
        zip_code = f"{zip_code}-{rng.randint(1000, 9999)}"
    separator = pick(rng, [", ", "\n", " "], [0.7, 0.2, 0.1])
    return f"{street}{separator}{city}, {state} {zip_code}"


def shift_weekend(day: date, later: bool = False) -> date:
    """The business day a payment falls on: Saturday and Sunday move to the Friday before (or Monday after)."""
    while day.weekday() >= 5:
        day += timedelta(days=1 if later else -1)
    return day


def month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last = month_end(date(year, month + 1, 1)).day
    return date(year, month + 1, min(day.day, last))


# OCR noise ---------------------------------------------------------------------------------------

_LOOKALIKE_DIGITS = {"0": "8", "1": "7", "3": "8", "5": "6", "6": "5", "7": "1", "8": "3", "9": "4", "2": "7", "4": "9"}
_LOOKALIKE_TEXT = (("rn", "m"), ("l", "1"), ("O", "0"), ("S", "5"), ("B", "8"), ("e", "c"), ("I", "l"), ("cl", "d"))


def misread_digit(text: str, rng: random.Random, positions: Sequence[int] | None = None) -> str:
    """One digit of `text` read as a similar-looking one."""
    spots = [i for i, ch in enumerate(text) if ch.isdigit()] if positions is None else list(positions)
    if not spots:
        return text
    i = pick(rng, spots)
    return text[:i] + _LOOKALIKE_DIGITS[text[i]] + text[i + 1 :]


def misread_text(text: str, rng: random.Random) -> str:
    options = [(a, b) for a, b in _LOOKALIKE_TEXT if a in text]
    if not options:
        return text
    a, b = pick(rng, options)
    return text.replace(a, b, 1)


@dataclass(frozen=True)
class OcrProfile:
    """How often OCR loses or garbles fields: one dropped field in p_drop_one of documents, a poor scan
    (2-4 fields gone, low quality) in p_poor_scan, one misread field in p_misread."""

    p_drop_one: float = 0.045
    p_poor_scan: float = 0.015
    p_misread: float = 0.02
    p_no_quality: float = 0.05


OCR = OcrProfile()


def apply_ocr(
    doc: dict[str, Any],
    rng: random.Random,
    variation: list[str],
    protected: set[str],
    amount_fields: Iterable[str] = (),
    text_fields: Iterable[str] = (),
    digit_fields: Iterable[str] = (),
    profile: OcrProfile = OCR,
) -> dict[str, Any]:
    """Drop and misread fields of a rendered document the way OCR does, and set its text_quality.

    Fields in `protected` (those a fraud pattern changed) are left as they are, so a fraud label always
    has its evidence in the document. Dropped fields are left out, sent as null or as "" (all mean
    "not extracted" to the API); a misread keeps the value readable (a digit for a look-alike digit).
    """
    quality = rng.uniform(0.82, 0.99)
    droppable = [k for k, v in doc.items() if k != "text_quality" and k not in protected and v not in (None, "")]
    roll = rng.random()
    dropped: list[str] = []
    if roll < profile.p_poor_scan and len(droppable) > 4:
        dropped = rng.sample(droppable, rng.randint(2, 4))
        quality = rng.uniform(0.42, 0.72)
        variation.append("ocr_poor_scan")
    elif roll < profile.p_poor_scan + profile.p_drop_one and droppable:
        dropped = [pick(rng, droppable)]
        quality = min(quality, rng.uniform(0.7, 0.95))
    for name in dropped:
        how = pick(rng, ["omit", "null", "empty"], [0.55, 0.3, 0.15])
        if how == "omit":
            del doc[name]
        elif how == "null" or isinstance(doc[name], list):
            doc[name] = None
        else:
            doc[name] = ""
        variation.append(f"ocr_dropped:{name}")
    if chance(rng, profile.p_misread):
        amount_fields, text_fields, digit_fields = set(amount_fields), set(text_fields), set(digit_fields)
        candidates = [
            k
            for k, v in doc.items()
            if k not in protected
            and v not in (None, "")
            and k in amount_fields | text_fields | digit_fields
            and not isinstance(v, bool)
        ]
        if candidates:
            name = pick(rng, candidates)
            value = doc[name]
            if name in text_fields:
                changed = misread_text(value, rng)
            elif name in amount_fields:
                text = value if isinstance(value, str) else f"{value:.2f}"
                changed = misread_digit(text, rng)
            elif isinstance(value, str):
                changed = misread_digit(value, rng)
            else:  # an integer identifier; a look-alike is never 0, so it keeps its number of digits
                changed = int(misread_digit(str(value), rng))
            if changed != value:
                doc[name] = changed
                quality = min(quality, rng.uniform(0.6, 0.86))
                variation.append(f"ocr_misread:{name}")
    if chance(rng, profile.p_no_quality):
        variation.append("no_text_quality")
    else:
        rounded = round(quality, 2)
        doc["text_quality"] = str(rounded) if chance(rng, 0.05) else rounded
    return doc
