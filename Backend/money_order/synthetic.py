"""Synthetic money orders: the everyday variety of genuine ones, and the traces forgeries leave.

Genuine money orders come from the issuers of the table (issuers.json) in every series and
printing it lists, from local banks and credit unions under their own names, and from sellers
the table does not know; a few carry a serial of a series the table does not list yet. They
are bought in round figures (rent), at the issuer's or a selling agent's cap, or for odd
amounts; the amount in words is imprinted, handwritten or not printed at all; purchasers
leave their name blank; dates go back months; scans are good, poor or unrated; OCR misreads
a character. None of that is fraud, and none of it may carry a hard reason.

A fraud pattern is evidence a forger leaves: an amount above a known issuer's face-value
limit, a written amount that disagrees with the figures, a post-dated money order, an
issuer name imitating a known one, a serial from a counterfeit printing, a raised amount
behind a poor scan. An unknown issuer, a round amount, an unreadable written line on a poor
scan or a purchaser paying themself (genuine money orders show each) alone is not one.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

import numpy as np

from domain.amount_words import WrittenStyle, amount_to_words, words_to_amount, write_amount
from domain.synthetic import (
    CITIES,
    SyntheticDocumentGenerator,
    address,
    digits,
    future_date,
    money,
    other_person,
    person_name,
    pick,
    poor_scan,
)
from money_order.features import LOOKALIKE_SIMILARITY
from money_order.issuers import (
    GENERIC_INSTITUTIONS,
    ISSUERS,
    Issuer,
    SerialFormat,
    core_name,
    is_generic_institution,
    is_placeholder_serial,
    issuer_name_similarity,
    lookup_issuer,
    matches_any_serial_format,
    normalize_issuer_name,
    normalize_serial,
)

# Shares of genuine money orders by who issued them: issuers of the table, banks and credit unions under
# their own names, sellers the table does not know.
ISSUER_KIND_SHARES = {"table": 0.68, "institution": 0.2, "unlisted": 0.12}
ISSUER_WEIGHTS = {
    "usps": 0.3,
    "moneygram": 0.17,
    "western_union": 0.14,
    "walmart": 0.09,
    "seven_eleven": 0.05,
    "ria": 0.04,
    "kroger": 0.04,
    "travelers_express": 0.03,
    "continental_express": 0.03,
    "fidelity_express": 0.04,
    "comdata": 0.04,
    "american_express": 0.03,
}
INSTITUTION_PREFIXES = (
    "First Community",
    "Lakeside",
    "Heritage",
    "Citizens",
    "Farmers & Merchants",
    "Pioneer",
    "Summit",
    "Riverbend",
    "Peoples",
    "Granite State",
    "Prairie",
    "Harbor",
)
INSTITUTION_SUFFIXES = (
    "Bank",
    "Bank, N.A.",
    "National Bank",
    "Savings Bank",
    "State Bank",
    "Federal Credit Union",
    "Credit Union",
    "FCU",
    "Bank & Trust Company",
)
INSTITUTION_LIMITS = (1000.0, 1500.0, 2000.0, 2500.0, 3000.0)
# Sellers the table does not list: regional chains and check cashers issuing under their own name.
UNLISTED_ISSUERS = (
    "QuickMart Money Orders",
    "Pronto Money Services",
    "Pay-O-Matic",
    "Sigue Money Order",
    "Dolex Money Order",
    "Nationwide Check Cashing",
    "Ace Cash Express",
    "Family Fare Money Order",
    "Cumberland Farms",
    "Northgate Market",
    "H-E-B",
    "Speedway Money Order",
)
UNLISTED_LIMITS = (500.0, 1000.0)
# Parts of made-up store and check-casher names, so that unknown names are not a short list the models learn.
UNLISTED_PARTS = (
    ("Quick", "Sun", "Lucky", "Corner", "Metro", "Green", "Star", "Valley", "Town", "Pioneer", "Golden", "Bay"),
    ("Mart", "Stop", "Market", "Foods", "Pantry", "Cash", "Check Cashing", "Grocers", "Pharmacy", "Fuel"),
    ("", "", " Money Orders", " Money Services", " Inc.", " Financial"),
)
BUSINESS_PAYEES = (
    "Oakwood Apartments LLC",
    "Maple Court Properties",
    "City of Springfield Utilities",
    "Greenview Property Management",
    "County Tax Collector",
    "Sunrise Storage",
    "Department of Motor Vehicles",
)
AGENT_KINDS = ("Post Office", "Grocery", "Pharmacy", "Supercenter", "Convenience Store", "Check Cashing", "Branch")
RENT_AMOUNTS = (100, 150, 200, 250, 300, 350, 400, 450, 500, 550, 600, 650, 700, 725, 750, 800, 850, 900, 950, 1000)
POOR_SCAN = 0.6  # text quality below which OCR loses more fields (LOW_TEXT_QUALITY's bound)
UNLISTED_SERIAL_SHARE = 0.04  # a series of a known issuer that the table does not list yet
# What OCR makes of a digit in a serial (normalize_serial reads it back). Issuer names are not misread here:
# a digit in a name is what a look-alike prints (ISSUER_LOOKALIKE), too strong a sign to teach as benign.
SERIAL_MISREAD = {"0": "O", "1": "I"}
# Letters a counterfeit printing puts in a serial: not O or I, which normalize_serial reads back as OCR's 0 and 1.
_FORGED_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


# --- issuers and serials --------------------------------------------------------------------------


def issuer_by_key(key: str) -> Issuer:
    return next(issuer for issuer in ISSUERS if issuer.key == key)


def pick_table_issuer(rng: np.random.Generator) -> Issuer:
    """An issuer of the table, as often as ISSUER_WEIGHTS says (issuers it does not name share what is left)."""
    weights = np.array([ISSUER_WEIGHTS.get(issuer.key, 0.01) for issuer in ISSUERS])
    return ISSUERS[int(rng.choice(len(ISSUERS), p=weights / weights.sum()))]


def layout_serial(layout: str, rng: np.random.Generator) -> str:
    """A serial printed in `layout` ("#" a digit, any other character as printed)."""
    drawn = iter(digits(rng, layout.count("#")))
    return "".join(next(drawn) if c == "#" else c for c in layout)


def serial_in(formats: tuple[SerialFormat, ...], rng: np.random.Generator) -> str:
    """A serial of one of `formats`, in one of that format's printed layouts."""
    serial_format = formats[int(rng.integers(len(formats)))]
    return layout_serial(pick(rng, serial_format.examples), rng)


MAIN_SERIES_SHARE = 0.7  # most of an issuer's money orders are of its first (current) series


def serial_for(issuer: Issuer, rng: np.random.Generator) -> str:
    """A serial in one of the issuer's series and printed layouts: the first, current series most often."""
    if len(issuer.serial_formats) > 1 and rng.random() < MAIN_SERIES_SHARE:
        return serial_in(issuer.serial_formats[:1], rng)
    return serial_in(issuer.serial_formats, rng)


def plain_serial(rng: np.random.Generator, low: int = 8, high: int = 12) -> str:
    """Digits only, `low` to `high` of them, sometimes grouped with a space or a dash."""
    serial = digits(rng, int(rng.integers(low, high + 1)))
    if rng.random() < 0.3:
        cut = int(rng.integers(2, len(serial) - 2))
        serial = f"{serial[:cut]}{pick(rng, (' ', '-'))}{serial[cut:]}"
    return serial


def unlisted_series_serial(issuer: Issuer, rng: np.random.Generator) -> str:
    """A genuine serial of a series the table does not list for `issuer`: 8 to 12 digits in none of its formats."""
    for _ in range(50):
        serial = plain_serial(rng)
        if not issuer.serial_matches(serial):
            return serial
    return serial_for(issuer, rng)


def counterfeit_serial(issuer: Issuer | None, rng: np.random.Generator) -> str:
    """A serial of a counterfeit printing: in none of the issuer's formats (no issuer: in none of the table)."""
    for _ in range(50):
        kind = rng.random()
        if kind < 0.35:  # a length the issuer never prints
            serial = digits(rng, int(rng.choice([5, 6, 7, 13, 14, 15, 16])))
        elif kind < 0.75:  # letters where the issuer prints digits
            chars = list(normalize_serial(serial_for(issuer, rng)) if issuer else digits(rng, 10))
            for position in rng.choice(range(2, len(chars)), size=int(rng.integers(1, 3)), replace=False):
                chars[int(position)] = pick(rng, _FORGED_LETTERS)
            serial = "".join(chars)
        elif kind < 0.9:  # a made-up reference number
            serial = f"{pick(rng, ('MO', 'SN', 'NO'))}-{digits(rng, 4)}-{pick(rng, 'ABCDEFGH')}{digits(rng, 3)}"
        else:  # a specimen's placeholder digits, in the issuer's length
            length = len(normalize_serial(serial_for(issuer, rng))) if issuer else 10
            start, step = int(rng.integers(10)), int(rng.choice([0, 1, 9]))  # repeated, running up or down
            serial = "".join(str((start + i * step) % 10) for i in range(length))
        if is_placeholder_serial(serial) or not (
            issuer.serial_matches(serial) if issuer else matches_any_serial_format(serial)
        ):
            return serial
    return "MO-0000-A000"


def institution_name(rng: np.random.Generator) -> str:
    """A local bank or credit union issuing money orders under its own name."""
    return f"{pick(rng, INSTITUTION_PREFIXES)} {pick(rng, INSTITUTION_SUFFIXES)}"


PRINTED_SUFFIXES = (", Inc.", " Money Order", " Co.", " Domestic Money Order", " Stores")
GOVERNMENT_SUFFIXES = (" Money Order", " Domestic Money Order")
COMPANY_SUFFIXES = (", Inc.", " Inc.", " Co.", " Company", " LLC", " Corp.")
CYRILLIC_LOOKALIKES = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "y": "у",
    "x": "х",
    "i": "і",
    "M": "М",
    "O": "О",
}
BANK_WORDS = ("Bank", "Savings Bank", "Credit Union", "Bank & Trust", "Savings")
OFFICIAL_SOUNDING = ("National", "Federal", "United", "American", "Global", "Secure")
BORROWING_WORDS = ("Express", "Xpress", "Global", "Direct", "Financial Group", "Secure", "Online", "Plus", "Trust")


def printed_name(issuer: Issuer, rng: np.random.Generator) -> str:
    """The issuer's name as one printing shows it: its name or an alias, sometimes with a word issuers commonly
    print after it (", Inc.", "Money Order"), sometimes upper case."""
    printed = pick(rng, (issuer.name, *issuer.aliases))
    if rng.random() < 0.15:
        # A government issuer prints no company suffix: with one its name is a look-alike.
        suffixes = GOVERNMENT_SUFFIXES if issuer.government else PRINTED_SUFFIXES
        printed += pick(rng, suffixes)
    return printed.upper() if rng.random() < 0.2 else printed


HOMOGLYPHS = {"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "S": "5", "s": "5", "e": "3", "m": "rn", "w": "vv"}


def _edit_name(name: str, rng: np.random.Generator) -> str:
    """`name` with one letter dropped, doubled, swapped with the next, replaced, or printed as a look-alike glyph."""
    chars = list(name)
    if len(chars) < 3:
        return name + name[-1]
    at = int(rng.integers(1, len(chars) - 1))
    edit = rng.random()
    if edit < 0.2:
        del chars[at]
    elif edit < 0.4:
        chars.insert(at, chars[at])
    elif edit < 0.6:
        chars[at], chars[at + 1] = chars[at + 1], chars[at]
    elif edit < 0.75:
        chars[at] = pick(rng, "aeimnrtuv")
    else:
        glyphs = [i for i, c in enumerate(chars) if c in HOMOGLYPHS]
        if glyphs:
            at = glyphs[int(rng.integers(len(glyphs)))]
            chars[at] = HOMOGLYPHS[chars[at]]
    return "".join(chars)


def obvious_lookalike(issuer: Issuer, name: str, rng: np.random.Generator) -> str:
    """An imitation a careful reader spots: a word pushed into the name ("Western Money Union"), a company
    suffix on a government issuer ("Postal Money Orders Inc."), the name run together or split
    ("WesternUnion", "Money Gramm"), letters doubled twice, or a bank's words after it ("MoneyGram Savings")."""
    words = name.split()
    kind = rng.random()
    if kind < 0.25 and len(words) > 1:
        at = int(rng.integers(1, len(words)))
        return " ".join([*words[:at], pick(rng, ("Money", "Postal", "Express", "Order", "National")), *words[at:]])
    if kind < 0.45 and issuer.government:
        return f"{pick(rng, (name, *issuer.aliases))}{pick(rng, ('', ' Money Orders'))}{pick(rng, COMPANY_SUFFIXES)}"
    if kind < 0.52:  # Latin letters swapped for other scripts' look-alikes: "MoneyGrаm" with a Cyrillic a
        return "".join(CYRILLIC_LOOKALIKES.get(c, c) if rng.random() < 0.3 else c for c in name)
    if kind < 0.6:
        glued = name.replace(" ", "") if len(words) > 1 else f"{name[: len(name) // 2]} {name[len(name) // 2 :]}"
        return glued + glued[-1] if rng.random() < 0.5 else glued
    if kind < 0.8:
        doubled = list(name)
        for at in sorted(rng.choice(range(1, len(name)), size=2, replace=False), reverse=True):
            doubled.insert(int(at), name[int(at)])
        return "".join(doubled)
    return f"{name} {pick(rng, BANK_WORDS)}"


def lookalike_name(rng: np.random.Generator) -> str | None:
    """A known issuer's name (or alias) with one or two edits (see `_edit_name`) or a word borrowing it: not in
    the table, not a bank's name, and at least LOOKALIKE_SIMILARITY similar to a name that is. None when no
    candidate qualified."""
    for _ in range(40):
        issuer = pick_table_issuer(rng)
        name = pick(rng, (issuer.name, *issuer.aliases))
        kind = rng.random()
        if kind < 0.3:  # the obvious imitations (see `obvious_lookalike`)
            candidate = obvious_lookalike(issuer, name, rng)
        elif kind < 0.4:  # a known name borrowed into a new one: "MoneyGram Xpress"
            candidate = f"{name} {pick(rng, BORROWING_WORDS)}"
        elif kind < 0.48 and issuer.distinctive_words:  # a word only that issuer uses: "National Postal Orders"
            word = pick(rng, issuer.distinctive_words).title()
            candidate = f"{pick(rng, OFFICIAL_SOUNDING)} {word} {pick(rng, ('Money Orders', 'Services', 'Remittance'))}"
        elif kind < 0.56:  # the issuer's own words with others: "US Postal Money Services"
            core = core_name(normalize_issuer_name(issuer.name)).title()
            candidate = (
                f"{core} {pick(rng, ('Money Services', 'Financial Services', 'Money Orders Co', 'Payment Orders'))}"
            )
        else:
            candidate = _edit_name(name, rng)
            if kind > 0.85:
                candidate = _edit_name(candidate, rng)
        if rng.random() < 0.2:
            candidate = candidate.upper()
        similarity = issuer_name_similarity(candidate) or 0.0
        if lookup_issuer(candidate) is None and similarity >= LOOKALIKE_SIMILARITY:
            if not is_generic_institution(candidate):
                return candidate
    return None


# --- amounts --------------------------------------------------------------------------------------


def genuine_amount(rng: np.random.Generator, cap: float) -> float:
    """A face value as people buy them, at most `cap` (the issuer's or the selling agent's limit).

    Rent and deposits in round figures, the whole cap, just under it, small fees, or any amount with cents.
    """
    kind = rng.random()
    if kind < 0.3:
        rents = [float(r) for r in RENT_AMOUNTS if r <= cap] or [float(cap)]
        return pick_amount(rng, rents)
    if kind < 0.42:
        return float(cap)  # the most one money order carries: a larger bill is paid with several
    if kind < 0.5:
        return float(round(cap - float(rng.choice([1, 5, 10, 20, 25, 50])), 2))
    if kind < 0.6:
        return money(rng, 5, min(100, cap))
    return money(rng, 20, cap)


def pick_amount(rng: np.random.Generator, amounts: list[float]) -> float:
    return amounts[int(rng.integers(len(amounts)))]


def written_amount(rng: np.random.Generator, amount: float) -> str | None:
    """The amount in words: imprinted by the issuer's printer, handwritten by the purchaser, or not printed."""
    kind = rng.random()
    if kind < 0.25:
        return None
    style = imprinted_style(rng) if kind < 0.7 else handwritten_style(rng)
    return write_amount(amount, style)


def imprinted_style(rng: np.random.Generator) -> WrittenStyle:
    """How an issuer's printer sets the amount in words ("***FIVE HUNDRED AND 00/100 DOLLARS***")."""
    return WrittenStyle(
        cents=pick(rng, ("fraction", "fraction", "digits")),
        zero_cents=pick(rng, ("00", "00", "xx", "no")),
        dollars_word=pick(rng, ("end", "before_cents")),
        case=pick(rng, ("title", "upper", "upper")),
        padding=pick(rng, ("", "", "***", "**")),
    )


def handwritten_style(rng: np.random.Generator) -> WrittenStyle:
    """How a purchaser writes it by hand ("five hundred & no/100", "Twelve hundred fifty dollars")."""
    joiner = pick(rng, ("and", "and", "&", ""))
    # Without a joiner only a fraction keeps the cents apart ("Fifty 00/100"; "fifty ten cents" reads as 60).
    cents = "fraction" if joiner == "" else pick(rng, ("fraction", "fraction", "digits", "words", "omitted"))
    return WrittenStyle(
        dollars=pick(rng, ("words", "words", "hundreds", "numeral")),
        cents=cents,
        zero_cents=pick(rng, ("00", "no", "xx", "--")),
        joiner=joiner,
        dollars_word=pick(rng, ("end", "before_cents", "none")),
        hyphen=pick(rng, ("-", "-", " ")),
        case=pick(rng, ("lower", "sentence", "title", "upper")),
        suffix=pick(rng, ("", "", "", "only")),
    )


def altered_figure(amount: float, rng: np.random.Generator) -> float:
    """The figure a forger prints next to a written line reading `amount`: a digit added in front
    (45.10 -> 945.10), a raise by a factor, a small raise in round steps (500 -> 550), digits swapped
    (450 -> 540), the cents changed, or a lower figure where the written line itself was raised."""
    kind = rng.random()
    if kind < 0.25:
        return float(f"{int(rng.integers(1, 10))}{amount:.2f}")
    if kind < 0.45:
        return round(amount * float(rng.uniform(1.3, 4.0)), 2)
    if kind < 0.65:
        return round(amount + float(rng.choice([10, 20, 25, 50, 100, 200])), 2)
    if kind < 0.75:
        whole = f"{int(amount)}"
        if len(whole) >= 2 and whole[-2] != whole[-1]:
            return float(f"{whole[:-2]}{whole[-1]}{whole[-2]}") + round(amount % 1, 2)
        return round(amount * 10, 2)
    if kind < 0.85:
        return round(int(amount) + float(rng.choice([0.5, 0.75, 0.99, 0.25])), 2)
    return round(amount / float(rng.choice([2.0, 4.0, 10.0])), 2)  # the written line raised, not the figure


def written_like(amount: float, written: str | None) -> str | None:
    """The written amount for `amount`, in the same case style as `written`; None stays None."""
    if written is None:
        return None
    words = amount_to_words(amount)
    if written.isupper():
        return words.upper()
    return words.lower() if written.islower() else words


def limit_of(doc: dict[str, Any]) -> float | None:
    """The face-value limit of the document's issuer; None when it is not an issuer of the table."""
    issuer = lookup_issuer(doc.get("issuer"))
    return issuer.face_value_limit if issuer else None


# --- OCR, dates, scans ----------------------------------------------------------------------------


def misread(text: str, confusions: dict[str, str], rng: np.random.Generator) -> str:
    """`text` with one character OCR confused (per `confusions`), when it has one."""
    positions = [i for i, c in enumerate(text) if c in confusions and i > 0 and text[i - 1].isalnum()]
    if not positions:
        return text
    at = positions[int(rng.integers(len(positions)))]
    return text[:at] + confusions[text[at]] + text[at + 1 :]


def smudged(written: str, rng: np.random.Generator) -> str:
    """`written` with letters of its number words blotted out, past reading as an amount."""
    words = [i for i, c in enumerate(written) if c.isalpha()]
    chars = list(written)
    for position in rng.choice(words, size=min(len(words), 4), replace=False):
        chars[int(position)] = pick(rng, "?%")
    return "".join(chars)


# What OCR makes of a poor scan's characters: in names a letter for a look-alike glyph, in serials a digit for
# a letter. On a good scan these are a forger's marks; on a poor one they are the scan's.
NAME_MISREAD = {"o": "0", "l": "1", "I": "l", "m": "rn", "n": "h", "e": "c", "S": "5", "a": "o", "i": "l"}
SERIAL_SCAN_MISREAD = {"8": "B", "5": "S", "0": "O", "1": "I", "2": "Z", "6": "G"}


def poor_scan_misreads(doc: dict[str, Any], rng: np.random.Generator) -> None:
    """What OCR makes of a genuine poor scan: sometimes the written line unreadable, a letter of the issuer's
    name or a digit of the serial misread. Nothing was altered."""
    if doc["amount_written"] and rng.random() < 0.3:
        doc["amount_written"] = smudged(doc["amount_written"], rng)
    if doc["issuer"] and rng.random() < 0.25:
        doc["issuer"] = misread(doc["issuer"], NAME_MISREAD, rng)
    if doc["serial_number"] and rng.random() < 0.2:
        doc["serial_number"] = misread(doc["serial_number"], SERIAL_SCAN_MISREAD, rng)


def issue_date(rng: np.random.Generator, today: date) -> date:
    """Mostly bought days before being presented, sometimes months (money orders do not expire)."""
    kind = rng.random()
    if kind < 0.7:
        days = int(rng.integers(0, 31))
    elif kind < 0.92:
        days = int(rng.integers(31, 121))
    else:
        days = int(rng.integers(121, 366))
    return today - timedelta(days=days)


def genuine_text_quality(rng: np.random.Generator) -> float | None:
    """Ordinary scans, phone photos of poorer quality, one in ten poor (a fax, a dark photo), some unrated."""
    kind = rng.random()
    if kind < 0.07:
        return None
    if kind < 0.17:  # a poor photo or fax: low quality alone is no forgery
        return round(float(rng.uniform(0.1, 0.6)), 3)
    if kind < 0.27:
        return round(float(rng.uniform(0.6, 0.75)), 3)
    return round(float(rng.uniform(0.75, 1.0)), 3)


# --- the generator --------------------------------------------------------------------------------


def _genuine_issuer(rng: np.random.Generator) -> tuple[str, str, float, float]:
    """(printed issuer name, serial, face-value cap of this sale, the issuer's own limit) for a genuine sale."""
    kind = rng.random()
    if kind < ISSUER_KIND_SHARES["table"]:
        issuer = pick_table_issuer(rng)
        serial = (
            unlisted_series_serial(issuer, rng) if rng.random() < UNLISTED_SERIAL_SHARE else serial_for(issuer, rng)
        )
        # Some agents sell only up to a lower cap; the rest sell up to the issuer's limit.
        agent_cap = issuer.agent_limits and rng.random() < 0.3
        cap = float(rng.choice(issuer.agent_limits)) if agent_cap else issuer.face_value_limit
        return printed_name(issuer, rng), serial, cap, issuer.face_value_limit
    if kind < ISSUER_KIND_SHARES["table"] + ISSUER_KIND_SHARES["institution"]:
        name = institution_name(rng)
        serial = serial_in(GENERIC_INSTITUTIONS.serial_formats, rng) if rng.random() < 0.5 else plain_serial(rng)
        limit = float(rng.choice(INSTITUTION_LIMITS))
        return (name.upper() if rng.random() < 0.2 else name), serial, limit, limit
    limit = float(rng.choice(UNLISTED_LIMITS))
    return unlisted_name(rng), plain_serial(rng), limit, limit


def unlisted_name(rng: np.random.Generator) -> str:
    """A seller the table does not list: a known one of UNLISTED_ISSUERS or a made-up store name (not a look-alike)."""
    if rng.random() < 0.5:
        return pick(rng, UNLISTED_ISSUERS)
    for _ in range(20):
        name = "".join(pick(rng, part) if i else pick(rng, part) + " " for i, part in enumerate(UNLISTED_PARTS))
        name = name.replace("  ", " ").strip()
        similarity = issuer_name_similarity(name) or 0.0
        if lookup_issuer(name) is None and not is_generic_institution(name) and similarity < LOOKALIKE_SIMILARITY:
            return name
    return pick(rng, UNLISTED_ISSUERS)


def _purchased_amount(doc: dict[str, Any], rng: np.random.Generator) -> float:
    """The amount before a raise; a missing or unreadable written line is filled with it, as it still states
    what was bought."""
    amount = doc["amount"] if doc["amount"] is not None else money(rng, 20, 300)
    if doc["amount_written"] is None or words_to_amount(doc["amount_written"]) is None:
        doc["amount_written"] = amount_to_words(amount)
    return amount


def _known_issuer(doc: dict[str, Any], rng: np.random.Generator) -> Issuer:
    """The document's issuer when it is in the table; else a counterfeit of one is printed (name and serial)."""
    issuer = lookup_issuer(doc.get("issuer"))
    if issuer is None:
        issuer = pick_table_issuer(rng)
        doc["issuer"] = printed_name(issuer, rng)
        doc["serial_number"] = serial_for(issuer, rng)
    return issuer


class MoneyOrderGenerator(SyntheticDocumentGenerator):
    def genuine(self, rng: np.random.Generator, today: date) -> dict[str, Any]:
        issuer, serial, cap, _ = _genuine_issuer(rng)
        amount = genuine_amount(rng, cap)
        purchaser = person_name(rng)
        payee = pick(rng, BUSINESS_PAYEES) if rng.random() < 0.35 else other_person(rng, purchaser)
        doc = {
            "issuer": issuer,
            "serial_number": serial,
            "amount": float(amount),
            "amount_written": written_amount(rng, amount),
            "purchaser_name": purchaser if rng.random() >= 0.08 else None,  # left blank by the purchaser
            "purchaser_address": address(rng) if rng.random() >= 0.25 else None,
            "payee_name": payee,
            "issue_date": issue_date(rng, today),
            "agent_location": f"{pick(rng, AGENT_KINDS)} #{digits(rng, 4)}, {pick(rng, CITIES)}"
            if rng.random() >= 0.3
            else None,
            "text_quality": genuine_text_quality(rng),
        }
        if rng.random() < 0.03:
            doc["serial_number"] = misread(doc["serial_number"], SERIAL_MISREAD, rng)
        if doc["text_quality"] is not None and doc["text_quality"] < POOR_SCAN:
            poor_scan_misreads(doc, rng)
        if doc["purchaser_name"] and rng.random() < 0.015:  # bought payable to oneself, to deposit elsewhere
            doc["payee_name"] = doc["purchaser_name"]
        return doc

    def ocr_losses(self, document: dict[str, Any], rng: np.random.Generator, protected: Collection[str] = ()) -> None:
        """The shared OCR losses, and on a poor scan (quality below 0.6) often one more field: OCR loses
        more of a bad copy, genuine or not (never a field a fraud pattern changed)."""
        super().ocr_losses(document, rng, protected)
        quality = document.get("text_quality")
        if isinstance(quality, float) and quality < POOR_SCAN and rng.random() < 0.4:
            candidates = sorted(
                name for name, value in document.items() if value not in (None, "") and name not in protected
            )
            candidates = [name for name in candidates if name != "text_quality"]
            if candidates:
                document[pick(rng, candidates)] = None

    # Every pattern must cope with fields an earlier pattern (or OCR) set to None.

    @staticmethod
    def _amount_over_limit(doc, rng, today):
        # A face value printed above the most the issuer sells; the written line forged to match. On a bank's
        # or an unlisted seller's money order, whose limit is unknown: above what money orders usually carry.
        issuer = lookup_issuer(doc.get("issuer"))
        if issuer is None and doc.get("issuer") and rng.random() < 0.5:
            limit = GENERIC_INSTITUTIONS.usual_max_face_value
        else:
            limit = _known_issuer(doc, rng).face_value_limit
        if rng.random() < 0.5:  # subtle: a little above, often round
            amount = float(pick_amount(rng, [limit + step for step in (1, 50, 100, 150, 200, 250, 500)]))
        else:
            amount = money(rng, limit * 1.05, limit * 5)
        doc["amount"] = amount
        doc["amount_written"] = written_like(amount, doc["amount_written"])

    @staticmethod
    def _counterfeit_serial(doc, rng, today):
        doc["serial_number"] = counterfeit_serial(lookup_issuer(doc.get("issuer")), rng)

    @staticmethod
    def _lookalike_issuer(doc, rng, today):
        # A name imitating a known issuer's; the serial copied from a real money order of it.
        name = lookalike_name(rng)
        doc["issuer"] = name if name is not None else "Westem Union"

    @staticmethod
    def _altered_amount(doc, rng, today):
        # The figures or the written line altered: the two no longer agree (see `altered_figure`).
        amount = _purchased_amount(doc, rng)
        altered = altered_figure(amount, rng)
        doc["amount"] = altered if altered != amount else round(amount + 100.0, 2)

    @staticmethod
    def _raised_amount(doc, rng, today):
        # What a poor scan is sent to hide: the figure raised a little. The written line still reads the
        # purchased amount; one smudged past reading would be no evidence, as genuine poor scans show that too.
        amount = _purchased_amount(doc, rng)
        doc["amount"] = round(amount * float(rng.uniform(1.05, 1.25)), 2)

    fraud_patterns = {
        "amount_over_limit": _amount_over_limit,
        "counterfeit_serial": _counterfeit_serial,
        "lookalike_issuer": _lookalike_issuer,
        "altered_amount": _altered_amount,
        "future_date": future_date("issue_date", days=(1, 181)),
        "poor_scan": poor_scan(_raised_amount),
    }
