"""Money orders: postal, money-service, bank, credit-union and retailer money orders.

Conventions:
- each issuer has a face-value limit ($1,000 for most, $500 for some money services and retailers,
  more at a few banks), and some agents sell only up to a lower limit (often $500);
- serial numbers differ by issuer and series: 8 to 12 digits, some with a series prefix, printed
  plain, grouped, with a dash before the check digit or with "No.";
- amounts: rent in round figures (a rent above the limit is paid with several orders, so exactly the
  limit is common), round sums, and bills and fees with cents;
- the amount in words is imprinted ("FOUR HUNDRED FIFTY DOLLARS AND 00 CENTS"), handwritten by the
  purchaser on some forms, or absent on forms that print the figure only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from quality.checks import COMMUNITY_WORDS
from quality.common import (
    LAST_NAMES,
    OBVIOUS,
    SUBTLE,
    Draft,
    Spelling,
    amount_in_words,
    apply_ocr,
    business_name,
    cents,
    chance,
    nearby_amount,
    person_name,
    pick,
    place,
    street_address,
)

DOC_TYPE = "money_order"
TEXT_FIELDS = ("issuer", "purchaser_name", "purchaser_address", "payee_name", "agent_location")


@dataclass(frozen=True)
class Issuer:
    key: str
    kind: str  # postal, money_service, bank, credit_union, retailer
    names: tuple[str, ...]  # as printed and read
    limit: int  # face value limit, dollars
    series: tuple[tuple[str, int, float], ...]  # (leading digits of the series, total digits, weight)
    words: float  # share of its forms with the amount in words
    agents: tuple[str, ...]  # agent location templates
    lower_agent_limit: float = 0.0  # share of its agents that sell only up to $500


ISSUERS = (
    Issuer(
        "usps",
        "postal",
        ("United States Postal Service", "USPS", "U.S. Postal Service", "POSTAL MONEY ORDER", "US Postal Service"),
        1000,
        (("", 11, 0.85), ("", 10, 0.15)),
        0.8,
        ("{city} Main Post Office, {state}", "USPS {city} {state} {zip}", "Post Office {zip}"),
    ),
    Issuer(
        "western_union",
        "money_service",
        ("Western Union", "WESTERN UNION", "Western Union Financial Services, Inc.", "Western Union Money Order"),
        1000,
        (("", 10, 0.55), ("", 11, 0.25), ("19", 11, 0.2)),
        0.95,
        ("CVS Pharmacy #{n4} {city}, {state}", "Kroger #{n3}", "Family Dollar {city}", "ACE Cash Express #{n4}"),
        0.3,
    ),
    Issuer(
        "moneygram",
        "money_service",
        ("MoneyGram", "MONEYGRAM", "MoneyGram Payment Systems, Inc.", "MoneyGram International"),
        1000,
        (("", 10, 0.5), ("8", 10, 0.2), ("22", 11, 0.3)),
        0.9,
        ("Walmart Supercenter #{n4} {city}, {state}", "7-Eleven #{n5}", "Speedway #{n4}", "CVS/pharmacy #{n4}"),
        0.25,
    ),
    Issuer(
        "ria",
        "money_service",
        ("Ria Money Transfer", "Ria Financial Services", "RIA"),
        1000,
        (("", 12, 1.0),),
        0.9,
        ("Ria Store {city}", "La Bodeguita {city}, {state}"),
        0.4,
    ),
    Issuer(
        "global_express",
        "money_service",
        ("Global Express Money Orders", "GLOBAL EXPRESS"),
        500,
        (("", 9, 1.0),),
        0.85,
        ("Quick Mart {city}", "Check Cashing Plus {city}, {state}"),
    ),
    Issuer(
        "continental_express",
        "money_service",
        ("Continental Express Money Order Co.", "Continental Express"),
        500,
        (("", 8, 0.6), ("0", 9, 0.4)),
        0.85,
        ("Food Mart {city}", "Pawn & Loan {city}, {state}"),
    ),
    Issuer(
        "wells_fargo",
        "bank",
        ("Wells Fargo Bank, N.A.", "Wells Fargo", "WELLS FARGO BANK"),
        1000,
        (("", 10, 1.0),),
        0.95,
        ("Wells Fargo {city} Branch", "{city}, {state}"),
    ),
    Issuer(
        "us_bank",
        "bank",
        ("U.S. Bank", "U.S. Bank National Association"),
        1000,
        (("", 10, 0.7), ("", 12, 0.3)),
        0.95,
        ("U.S. Bank {city}", "{city} {state}"),
    ),
    Issuer("td_bank", "bank", ("TD Bank", "TD Bank, N.A."), 3000, (("", 10, 1.0),), 0.95, ("TD Bank {city}",)),
    Issuer("regions", "bank", ("Regions Bank",), 1000, (("", 9, 1.0),), 0.95, ("Regions {city}, {state}",)),
    Issuer("pnc", "bank", ("PNC Bank", "PNC BANK, N.A."), 1000, (("", 10, 1.0),), 0.95, ("PNC {city} Office",)),
    Issuer(
        "navy_federal",
        "credit_union",
        ("Navy Federal Credit Union", "NAVY FEDERAL CREDIT UNION"),
        1000,
        (("", 9, 0.6), ("", 10, 0.4)),
        0.9,
        ("Navy Federal {city} Branch",),
    ),
    Issuer("penfed", "credit_union", ("PenFed Credit Union",), 1000, (("", 10, 1.0),), 0.9, ("PenFed {city}",)),
    Issuer("golden1", "credit_union", ("Golden 1 Credit Union",), 1000, (("", 9, 1.0),), 0.9, ("Golden 1 {city}",)),
    Issuer(
        "community_cu",
        "credit_union",
        ("{word} Federal Credit Union", "{word} Credit Union"),
        1000,
        (("", 8, 0.5), ("", 9, 0.5)),
        0.8,
        ("{city} Branch", "Main Office"),
        0.3,
    ),
    Issuer(
        "walmart",
        "retailer",
        ("Walmart", "Walmart Money Order", "WALMART MONEY SERVICES"),
        1000,
        (("", 10, 0.6), ("", 11, 0.4)),
        0.9,
        ("Walmart Supercenter #{n4} {city}, {state}", "Walmart #{n4}"),
    ),
    Issuer(
        "kroger",
        "retailer",
        ("Kroger", "Kroger Money Services"),
        1000,
        (("", 10, 1.0),),
        0.85,
        ("Kroger #{n3} {city}",),
    ),
    Issuer(
        "seven_eleven",
        "retailer",
        ("7-Eleven", "7-ELEVEN MONEY ORDER"),
        500,
        (("", 10, 1.0),),
        0.85,
        ("7-Eleven #{n5} {city}, {state}",),
    ),
    Issuer("cvs", "retailer", ("CVS Pharmacy", "CVS/pharmacy"), 500, (("", 10, 1.0),), 0.85, ("CVS #{n4} {city}",)),
)
ISSUER_WEIGHTS = {
    "usps": 0.24,
    "western_union": 0.15,
    "moneygram": 0.17,
    "walmart": 0.08,
    "ria": 0.03,
    "global_express": 0.02,
    "continental_express": 0.02,
    "kroger": 0.03,
    "seven_eleven": 0.03,
    "cvs": 0.02,
    "wells_fargo": 0.04,
    "us_bank": 0.03,
    "td_bank": 0.02,
    "regions": 0.02,
    "pnc": 0.02,
    "navy_federal": 0.03,
    "penfed": 0.01,
    "golden1": 0.01,
    "community_cu": 0.03,
}
ISSUER_BY_KEY = {i.key: i for i in ISSUERS}
LOOKALIKE_SUBTLE = {
    "usps": ("U.S. Postal Servise", "Unites States Postal Service", "US Postal Sevice", "USPS Postal Money Order Co"),
    "western_union": ("Western Unoin", "Westerm Union", "Western Union Financial Service Inc", "WESTERN UNI0N"),
    "moneygram": ("MoneyGramm", "Money Gram Intl", "MoneyGran", "MONEY-GRAM"),
    "wells_fargo": ("Wells Fargo Banc", "Wels Fargo Bank", "Wells Fargo Money Orders LLC"),
}
LOOKALIKE_OBVIOUS = (
    "Western Union Federal Reserve Bank",
    "International Postal Money Order Bureau",
    "Global MoneyGram Trust Company",
    "US Treasury Money Order Department",
    "First Federal Money Order Co.",
    "Universal Money Orders Ltd",
    "PayPal Money Order",
    "Amazon Money Order Services",
)


def serial_number(rng: random.Random, issuer: Issuer, tags: list[str]) -> tuple[str, int]:
    """(serial as printed, number of digits)."""
    lead, length, _ = pick(rng, issuer.series, [s[2] for s in issuer.series])
    digits = lead + "".join(str(rng.randrange(10)) for _ in range(length - len(lead)))
    if digits[0] == "0" and not lead:
        digits = str(rng.randint(1, 9)) + digits[1:]
    tags.append(f"serial_digits_{length}")
    return _print_serial(rng, digits, tags), length


def _print_serial(rng: random.Random, digits: str, tags: list[str]) -> str:
    style = pick(rng, ["plain", "grouped", "check_digit_dash", "number_sign"], [0.72, 0.12, 0.12, 0.04])
    tags.append(f"serial_printed_{style}")
    if style == "grouped":
        return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    if style == "check_digit_dash":
        return f"{digits[:-1]}-{digits[-1]}"
    if style == "number_sign":
        return f"No. {digits}"
    return digits


def _payee(rng: random.Random, city: str) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.4:
        word = pick(rng, ["Oak Ave", "Sunrise", "Parkside", "Maple Grove", "Lakeview", "Elm Street"])
        return pick(rng, [f"{word} Apartments", f"{word} Properties LLC", person_name(rng)]), "rent"
    if roll < 0.65:
        return person_name(rng), "person"
    if roll < 0.8:
        return business_name(rng), "bill"
    return pick(
        rng,
        [
            "Department of Motor Vehicles",
            f"Clerk of the {pick(rng, LAST_NAMES)} County Court",
            "U.S. Department of State",
            "U.S. Citizenship and Immigration Services",
            "United States Treasury",
            f"City of {city}",
        ],
    ), "fee"


def _amount(rng: random.Random, purpose: str, limit: int, tags: list[str]) -> int:
    if purpose == "rent" and chance(rng, 0.3):
        tags.append("amount_at_limit")  # rent above the limit is paid with several orders
        return limit * 100
    if purpose == "rent" or chance(rng, 0.3):
        tags.append("round_amount")
        return rng.randrange(50, limit + 1, pick(rng, [5, 25, 50])) * 100 if limit >= 50 else limit * 100
    if purpose == "fee":  # filing, licence and passport fees
        return pick(
            rng, [fee for fee in (2500, 3500, 4550, 6000, 8800, 11000, 13000, 16500, 54500) if fee <= limit * 100]
        )
    return min(limit * 100, max(500, cents(rng.lognormvariate(5.0, 0.8))))


def draft(rng: random.Random, today: date) -> tuple[Draft, dict]:
    key = pick(rng, list(ISSUER_WEIGHTS), list(ISSUER_WEIGHTS.values()))
    issuer = ISSUER_BY_KEY[key]
    tags = [f"issuer_{key}", f"issuer_kind_{issuer.kind}"]
    name = pick(rng, issuer.names).format(word=pick(rng, COMMUNITY_WORDS))
    limit = issuer.limit
    if chance(rng, issuer.lower_agent_limit):
        limit = min(limit, 500)
        tags.append("agent_limit_500")
    tags.append(f"face_limit_{limit}")
    serial, _ = serial_number(rng, issuer, tags)
    city, state, zip_code = place(rng)
    payee, purpose = _payee(rng, city)
    amount = _amount(rng, purpose, limit, tags)
    back = rng.randint(0, 7) if chance(rng, 0.55) else rng.randint(8, 30) if chance(rng, 0.78) else rng.randint(31, 120)
    agent = None
    if chance(rng, 0.7):
        agent = pick(rng, issuer.agents).format(
            city=city,
            state=state,
            zip=zip_code,
            n3=rng.randint(100, 999),
            n4=rng.randint(1000, 9999),
            n5=rng.randint(10000, 39999),
        )
    purchaser = person_name(rng)
    if chance(rng, 0.03):
        purchaser = None  # the buyer never filled it in
        tags.append("purchaser_left_blank")
    words = chance(rng, issuer.words)
    voice = "handwritten" if chance(rng, 0.12) else "imprint"
    tags.append(f"words_{voice}" if words else "no_amount_in_words")
    values = {
        "issuer": name,
        "serial_number": serial,
        "amount": amount,
        "words_amount": amount if words else None,
        "purchaser_name": purchaser,
        "purchaser_address": street_address(rng, city, state, zip_code) if purchaser and chance(rng, 0.65) else None,
        "payee_name": payee,
        "issue_date": today - timedelta(days=back),
        "agent_location": agent,
    }
    return Draft(values, tags), {"issuer": issuer, "voice": voice, "today": today}


# fraud -------------------------------------------------------------------------------------------

PATTERNS = {
    "over_face_value_limit": (SUBTLE, OBVIOUS),
    "written_amount_mismatch": (SUBTLE, OBVIOUS),
    "future_issue_date": (SUBTLE, OBVIOUS),
    "lookalike_issuer": (SUBTLE, OBVIOUS),
    "serial_malformed": (SUBTLE, OBVIOUS),
}
EXCLUSIVE = {frozenset({"over_face_value_limit", "written_amount_mismatch"})}


def apply_fraud(rng: random.Random, d: Draft, context: dict, pattern: str, level: str) -> None:
    v, subtle, issuer, today = d.values, level == SUBTLE, context["issuer"], context["today"]
    if pattern == "over_face_value_limit":
        limit = issuer.limit * 100
        v["amount"] = (
            rng.randint(limit + 1, limit * 3 // 2)
            if subtle
            else rng.randint(2, 10) * limit - pick(rng, [0, 0, 5000, 2500])
        )
        if chance(rng, 0.5):
            v["amount"] = v["amount"] // 100 * 100
        v["words_amount"] = v["amount"]
        d.touched |= {"amount", "amount_written", "issuer"}
    elif pattern == "written_amount_mismatch":
        v["words_amount"] = nearby_amount(rng, v["amount"]) if subtle else v["amount"] * pick(rng, [10, 3, 5])
        d.touched |= {"amount", "amount_written"}
    elif pattern == "future_issue_date":
        v["issue_date"] = today + timedelta(days=rng.randint(2, 20) if subtle else rng.randint(60, 500))
        d.touched |= {"issue_date"}
    elif pattern == "lookalike_issuer":
        if subtle:
            key = issuer.key if issuer.key in LOOKALIKE_SUBTLE else pick(rng, list(LOOKALIKE_SUBTLE))
            v["issuer"] = pick(rng, LOOKALIKE_SUBTLE[key])
        else:
            v["issuer"] = pick(rng, LOOKALIKE_OBVIOUS)
        d.touched |= {"issuer"}
    elif pattern == "serial_malformed":
        expected = max(s[1] for s in issuer.series)
        if subtle:  # the right kind of number with the wrong number of digits for its issuer
            length = pick(rng, [n for n in (expected - 3, expected - 2, expected + 2, expected + 3) if n >= 6])
            v["serial_number"] = str(rng.randint(10 ** (length - 1), 10**length - 1))
        else:
            v["serial_number"] = pick(
                rng,
                [
                    "0" * expected,
                    "1234567890"[:expected] if expected <= 10 else "12345678901",
                    "A1B2C3D4E5",
                    f"MO-{rng.randint(100, 999)}",
                    "".join(pick(rng, "ABCDEFGHJKXZ") for _ in range(8)),
                ],
            )
        d.touched |= {"serial_number", "issuer"}
    else:
        raise ValueError(f"unknown money order pattern {pattern}")


# rendering ---------------------------------------------------------------------------------------


def render(rng: random.Random, d: Draft, context: dict) -> dict:
    v, spell, tags = d.values, Spelling(rng), d.variation
    words = v["words_amount"]
    if words is None and "amount_written" in d.touched:
        words = v["amount"]
    doc = {
        "issuer": v["issuer"],
        "serial_number": v["serial_number"],
        "amount": spell.amount(v["amount"]),
        "amount_written": amount_in_words(words, rng, context["voice"], tags) if words is not None else None,
        "purchaser_name": v["purchaser_name"],
        "purchaser_address": v["purchaser_address"],
        "payee_name": v["payee_name"],
        "issue_date": spell.date(v["issue_date"]),
        "agent_location": v["agent_location"],
    }
    doc = {k: val for k, val in doc.items() if val is not None}
    return apply_ocr(
        doc,
        rng,
        tags,
        protected=d.touched,
        amount_fields=("amount",),
        text_fields=TEXT_FIELDS,
        digit_fields=("serial_number",),
    )
