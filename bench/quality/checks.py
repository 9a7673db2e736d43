"""Checks: personal and business checks with their MICR line as OCR reads it.

Conventions:
- ABA routing numbers pass the 3-7-1 checksum; the first two digits are a Federal Reserve district
  (01-12 banks, 21-32 thrifts and credit unions). Large banks use published routing numbers,
  community banks and credit unions get a fixed made-up one each;
- MICR: personal checks print transit, account and on-us symbol, then the check number
  (a fifth of banks print the number before the account); business checks lead with the check
  number zero-padded in the auxiliary on-us field. OCR keeps the E-13B symbols as Unicode (45%),
  as the letters A/C/D or T/O, as punctuation, or loses them; a processed check has the amount encoded;
- personal checks (55%) are handwritten: amounts in words in every way people write them
  ("Twelve Hundred Fifty and 00/100", "xx/100", "Dollars only", hyphens or not); business checks are
  printed ("***ONE THOUSAND ... AND 00/100 DOLLARS***");
- new accounts (starter checks) have check numbers from 101 (personal) or 1001 (business); round
  amounts (rent, gifts, retainers) on about a third of personal checks.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from quality.common import (
    FIRST_NAMES,
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

DOC_TYPE = "check"
TEXT_FIELDS = ("bank_name", "payer_name", "payer_address", "payee_name", "memo")
DIGIT_FIELDS = ("routing_number", "account_number", "check_number")


def aba_check_digit(first8: str) -> str:
    d = [int(c) for c in first8]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])
    return str((10 - total % 10) % 10)


def aba_valid(routing: str) -> bool:
    return len(routing) == 9 and routing.isdigit() and aba_check_digit(routing[:8]) == routing[8]


# (legal name, how it appears on the check, published routing numbers, account number lengths)
LARGE_BANKS = (
    ("JPMorgan Chase Bank, N.A.", ("Chase", "JPMorgan Chase Bank, N.A.", "CHASE"), ("021000021",), (9, 10)),
    ("Bank of America, N.A.", ("Bank of America", "BANK OF AMERICA, N.A."), ("026009593",), (12,)),
    ("Wells Fargo Bank, N.A.", ("Wells Fargo Bank", "Wells Fargo", "WELLS FARGO BANK, N.A."), ("121000248",), (10,)),
    ("Citibank, N.A.", ("Citibank", "Citibank, N.A.", "citi"), ("021000089",), (8, 9, 10)),
    ("U.S. Bank", ("U.S. Bank", "US Bank National Association"), ("091000022",), (12,)),
    ("PNC Bank", ("PNC Bank", "PNC BANK, N.A."), ("043000096",), (10,)),
    ("TD Bank", ("TD Bank", "TD Bank, N.A."), ("031201360",), (10,)),
    ("Capital One", ("Capital One", "Capital One, N.A."), ("051405515",), (10,)),
    ("Truist Bank", ("Truist", "Truist Bank"), ("061000104",), (13,)),
    ("Fifth Third Bank", ("Fifth Third Bank", "5/3 Bank"), ("042000314",), (10,)),
    ("Regions Bank", ("Regions Bank", "Regions"), ("062005690",), (10,)),
    ("KeyBank", ("KeyBank", "KeyBank National Association"), ("041001039",), (12,)),
    ("Huntington National Bank", ("Huntington", "The Huntington National Bank"), ("044000024",), (10, 12)),
    ("Citizens Bank", ("Citizens Bank", "Citizens Bank, N.A."), ("011500120",), (10,)),
    ("Navy Federal Credit Union", ("Navy Federal Credit Union", "NAVY FEDERAL CU"), ("256074974",), (10,)),
)
COMMUNITY_KINDS = (
    ("Community Bank", "bank"),
    ("State Bank", "bank"),
    ("National Bank", "bank"),
    ("Bank & Trust", "bank"),
    ("Savings Bank", "thrift"),
    ("Federal Credit Union", "thrift"),
    ("Credit Union", "thrift"),
    ("Savings & Loan", "thrift"),
)
COMMUNITY_WORDS = (
    "First Citizens|Farmers|Peoples|Lakeside|Heartland|Pioneer|Frontier|Mountain West|Bay Area|Gulf Coast|"
    "Valley|Tri-County|Hometown|Security|Liberty|Cornerstone|Union|Members First|Teachers|Firefighters"
).split("|")
assert all(aba_valid(r) for bank in LARGE_BANKS for r in bank[2]), "a published routing number fails its checksum"


def routing_for(name: str, kind: str, seed: str = "", prefix: str = "") -> str:
    """A fixed, valid routing number for a made-up institution or another office of a bank (the same for the
    same name and seed); `prefix` keeps a bank's district and processing center."""
    rng = random.Random(f"routing:{name}:{seed}")
    district = rng.randint(1, 12) + (20 if kind == "thrift" else 0)
    first8 = (prefix or f"{district:02d}") + "".join(str(rng.randrange(10)) for _ in range(8 - max(2, len(prefix))))
    return first8 + aba_check_digit(first8)


def _bank(rng: random.Random) -> tuple[str, str, int]:
    """(name as printed, routing number, account number length)."""
    if chance(rng, 0.62):
        legal, printed, routings, lengths = pick(rng, LARGE_BANKS)
        routing = pick(rng, routings)
        if chance(rng, 0.4):  # another of the bank's routing numbers (one per state or region)
            routing = routing_for(legal, "bank", str(rng.randrange(6)), prefix=routing[:4])
        return pick(rng, printed), routing, pick(rng, lengths)
    kind_name, kind = pick(rng, COMMUNITY_KINDS)
    name = f"{pick(rng, COMMUNITY_WORDS)} {kind_name}"
    return name, routing_for(name, kind), rng.randint(8, 14) if kind == "thrift" else rng.randint(8, 12)


# payees and memos --------------------------------------------------------------------------------


def _personal_payee(rng: random.Random, city: str) -> tuple[str, str]:
    roll = rng.random()
    word = pick(rng, ["Oak Ave", "Maple Court", "Riverside", "Parkview", "Willow Creek", "Summit", "Cedar Ridge"])
    if roll < 0.22:
        return f"{word} {pick(rng, ['Apartments', 'Property Management', 'Realty LLC', 'Homes'])}", "rent"
    if roll < 0.45:
        return pick(
            rng,
            [
                f"City of {city} Utilities",
                "Duke Energy",
                "Xfinity",
                "AT&T",
                "Spectrum",
                "State Farm",
                "GEICO",
                f"{city} Water Department",
                "Pacific Gas & Electric",
                "ConEdison",
            ],
        ), "bill"
    if roll < 0.55:
        return pick(
            rng,
            [
                "United States Treasury",
                "Department of Motor Vehicles",
                f"{pick(rng, LAST_NAMES)} County Tax Collector",
                f"{pick(rng, ['Lincoln', 'Jefferson', 'Roosevelt'])} Elementary PTA",
                f"Troop {rng.randint(10, 999)}",
                "St. Mary's Church",
            ],
        ), "bill"
    if roll < 0.65:
        return (
            f"{pick(rng, LAST_NAMES)} {pick(rng, ['Lawn Care', 'Plumbing', 'Dental', 'Pediatrics', 'Roofing'])}",
            "bill",
        )
    if roll < 0.66:
        return pick(rng, ["Cash", "CASH"]), "cash"
    return person_name(rng), "person"


def _memo(rng: random.Random, purpose: str, day: date) -> str | None:
    if chance(rng, 0.45):
        return None
    month = day.strftime(pick(rng, ["%B", "%b", "%m/%y"]))
    options = {
        "rent": [f"Rent {month}", f"{month} rent", f"Unit {rng.randint(1, 40)}{pick(rng, 'ABC')} rent", "rent"],
        "bill": [f"Acct # {rng.randint(10000, 9999999)}", f"Inv {rng.randint(100, 99999)}", f"{month}", "deposit"],
        "cash": ["", "petty cash"],
        "person": ["Birthday!", "thank you", "for lawn care", "babysitting", "loan", f"{month}", "Happy graduation"],
        "business": [f"Inv {rng.randint(1000, 999999)}", f"PO {rng.randint(1000, 99999)}", "Payroll", "Refund"],
    }[purpose]
    return pick(rng, options) or None


def _personal_amount(rng: random.Random, purpose: str, tags: list[str]) -> int:
    if purpose == "rent":
        tags.append("round_amount")
        return rng.randrange(650, 3600, 25) * 100 if chance(rng, 0.8) else cents(rng.uniform(600, 3500))
    if purpose == "cash" or (purpose == "person" and chance(rng, 0.6)):
        tags.append("round_amount")
        return pick(rng, [20, 25, 40, 50, 60, 75, 100, 150, 200, 250, 300, 500, 1000]) * 100
    if chance(rng, 0.1):
        tags.append("round_amount")
        return rng.randrange(10, 2000, 10) * 100
    return max(500, cents(rng.lognormvariate(4.9, 0.9)))


def _business_amount(rng: random.Random, tags: list[str]) -> int:
    roll = rng.random()
    if roll < 0.12:
        tags.append("round_amount")
        return rng.randrange(500, 15000, 100) * 100  # retainers, deposits, rent
    if roll < 0.45:
        return cents(rng.uniform(350, 4200))  # a paycheck or a contractor
    value = max(2500, cents(rng.lognormvariate(7.0, 1.3)))
    if value >= 1_000_000:
        tags.append("large_amount")
    return value


# the draft ---------------------------------------------------------------------------------------


def draft(rng: random.Random, today: date) -> tuple[Draft, dict]:
    business = chance(rng, 0.45)
    tags = ["business" if business else "personal"]
    bank_name, routing, account_length = _bank(rng)
    account = f"{rng.randint(1, 10**account_length - 1):0{account_length}d}"
    if account_length >= 11 and chance(rng, 0.5):
        account = "000" + account[3:]  # credit unions pad member numbers with zeros
    new_account = chance(rng, 0.06)
    if new_account:
        number = rng.randint(1001, 1040) if business else rng.randint(101, 140)
        tags.append("new_account_low_check_number")
    else:
        number = rng.randint(1041, 99999) if business else int(rng.lognormvariate(7.2, 0.8)) + 141
        number = min(number, 9999) if not business else number
    city, state, zip_code = place(rng)
    if business:
        payer = business_name(rng)
        payee, purpose = (person_name(rng), "business") if chance(rng, 0.45) else (business_name(rng), "business")
        amount = _business_amount(rng, tags)
    else:
        payer = person_name(rng)
        if chance(rng, 0.1):
            spouse = pick(rng, FIRST_NAMES)
            payer = f"{payer} or {spouse} {payer.split()[-1]}" if chance(rng, 0.5) else f"{spouse} & {payer}"
            tags.append("joint_account")
        payee, purpose = _personal_payee(rng, city)
        amount = _personal_amount(rng, purpose, tags)
        if purpose == "rent":
            tags.append("rent")
    back = rng.randint(0, 10) if chance(rng, 0.5) else rng.randint(11, 45) if chance(rng, 0.8) else rng.randint(46, 170)
    if back > 90:
        tags.append("stale_date")
    check_date = today - timedelta(days=back)
    voice = "printed" if business and chance(rng, 0.9) else "handwritten"
    tags.append(f"words_{voice}")
    values = {
        "bank_name": bank_name,
        "routing_number": routing,
        "account_number": account,
        "check_number": number,
        "payer_name": payer,
        "payer_address": street_address(rng, city, state, zip_code) if chance(rng, 0.82) else None,
        "payee_name": payee,
        "amount": amount,
        "words_amount": amount,  # what the legal line says
        "check_date": check_date,
        "signature_present": True,
        "memo": _memo(rng, purpose, check_date),
        "micr_routing": routing,
        "micr_account": account,
        "micr_number": number,
    }
    context = {"business": business, "voice": voice, "today": today}
    return Draft(values, tags), context


# fraud -------------------------------------------------------------------------------------------

_LEGAL_FORMS = {"Inc", "LLC", "Corp", "Co", "Ltd", "PLLC", "LLP", "L.L.C", "Corporation", "Group"}


def _other_digit(rng: random.Random, digit: str) -> str:
    return pick(rng, [c for c in "0123456789" if c != digit])


def apply_fraud(rng: random.Random, d: Draft, context: dict, pattern: str, level: str) -> None:
    v, subtle = d.values, level == SUBTLE
    if pattern == "amount_words_mismatch":
        if subtle:
            v["words_amount"] = nearby_amount(rng, v["amount"])
        else:
            v["words_amount"] = pick(rng, [v["amount"] * 10, max(100, v["amount"] // 10 // 100 * 100)])
            if v["words_amount"] == v["amount"]:
                v["words_amount"] = v["amount"] * 10
        d.touched |= {"amount_numeric", "amount_written"}
    elif pattern == "altered_amount":  # the figure raised, the legal line left as it was
        dollars = v["amount"] // 100
        if subtle:
            place_value = 100 if dollars >= 300 else 10
            digit = (dollars // place_value) % 10
            v["amount"] += (rng.randint(digit + 1, 9) - digit if digit < 9 else 1) * place_value * 100
        else:
            v["amount"] += rng.randint(1, 9) * 10 ** len(str(dollars)) * 100  # a digit written in front
        d.touched |= {"amount_numeric", "amount_written"}
    elif pattern == "invalid_routing_checksum":
        routing = v["routing_number"]
        if subtle:
            while aba_valid(routing):
                i = rng.randrange(2, 9)
                routing = routing[:i] + _other_digit(rng, routing[i]) + routing[i + 1 :]
        else:
            while aba_valid(routing) or routing[:2] in {f"{n:02d}" for n in (*range(1, 13), *range(21, 33))}:
                routing = f"{rng.choice([0, 13, 45, 58, 83, 97]):02d}{rng.randint(0, 9_999_999):07d}"
        v["routing_number"] = v["micr_routing"] = routing  # the counterfeit prints one number everywhere
        d.touched |= {"routing_number", "micr_line"}
    elif pattern == "micr_routing_mismatch":
        if subtle:
            routing = v["routing_number"]
            i = rng.choice([i for i in range(2, 8) if routing[i] != routing[i + 1]] or [2])
            v["micr_routing"] = routing[:i] + routing[i + 1] + routing[i] + routing[i + 2 :]
            if v["micr_routing"] == routing:
                v["micr_routing"] = routing[:4] + _other_digit(rng, routing[4]) + routing[5:]
        else:
            others = [r for bank in LARGE_BANKS for r in bank[2] if r != v["routing_number"]]
            v["micr_routing"] = pick(rng, others)
        d.touched |= {"routing_number", "micr_line"}
    elif pattern == "micr_account_mismatch":
        account = v["account_number"]
        if subtle:
            v["micr_account"] = account[:-1] + _other_digit(rng, account[-1])
        else:
            length = len(account) + pick(rng, [-2, -1, 1, 2])
            v["micr_account"] = f"{rng.randint(10 ** (length - 1), 10**length - 1)}"
        d.touched |= {"account_number", "micr_line"}
    elif pattern == "micr_check_number_mismatch":
        number = v["check_number"]
        if subtle:
            v["micr_number"] = number + pick(rng, [-9, -5, -3, -2, -1, 1, 2, 3, 4, 7, 11])
            if v["micr_number"] <= 0:
                v["micr_number"] = number + 3
        else:
            v["micr_number"] = rng.randint(20000, 999999)
        d.touched |= {"check_number", "micr_line"}
    elif pattern == "payee_is_payer":
        payer = v["payer_name"]
        if subtle and context["business"]:  # the company's name without its legal form, or in capitals
            words = payer.split()
            stripped = " ".join(words[:-1]) if len(words) > 2 and words[-1].rstrip(".,") in _LEGAL_FORMS else payer
            v["payee_name"] = (
                stripped if stripped != payer else payer.upper() if payer != payer.upper() else payer.title()
            )
        elif subtle:  # the same name written another way
            words = payer.replace(",", "").split()
            if "," in payer:
                v["payee_name"] = " ".join(w.capitalize() for w in reversed(words))
            elif len(words) >= 2:
                v["payee_name"] = pick(rng, [f"{words[-1].upper()}, {words[0].upper()}", f"{words[0]} {words[-1]}"])
                if v["payee_name"] == payer:
                    v["payee_name"] = payer.upper()
            else:
                v["payee_name"] = payer.upper() if payer != payer.upper() else payer.title()
        else:
            v["payee_name"] = payer
        d.touched |= {"payee_name", "payer_name"}
    elif pattern == "missing_signature":
        v["signature_present"] = False
        d.touched |= {"signature_present"}
    else:
        raise ValueError(f"unknown check pattern {pattern}")


PATTERNS = {
    "amount_words_mismatch": (SUBTLE, OBVIOUS),
    "altered_amount": (SUBTLE, OBVIOUS),
    "invalid_routing_checksum": (SUBTLE, OBVIOUS),
    "micr_routing_mismatch": (SUBTLE, OBVIOUS),
    "micr_account_mismatch": (SUBTLE, OBVIOUS),
    "micr_check_number_mismatch": (SUBTLE, OBVIOUS),
    "payee_is_payer": (SUBTLE, OBVIOUS),
    "missing_signature": (OBVIOUS,),
}
EXCLUSIVE = {frozenset({"amount_words_mismatch", "altered_amount"})}


# rendering ---------------------------------------------------------------------------------------

# (style, transit symbol, on-us symbol, amount symbol, weight)
MICR_SYMBOLS = (
    ("unicode", "\u2446", "\u2448", "\u2447", 0.45),
    ("letters_acd", "A", "C", "B", 0.12),
    ("letters_to", "T", "O", "A", 0.06),
    ("punctuation", ":", "\u2033", "|", 0.07),
    ("pipes", "|:", ":|", "|", 0.04),
    ("lost", "", "", "", 0.20),
    ("transit_only", "\u2446", "", "", 0.06),
)


def micr_line(rng: random.Random, v: dict, business: bool, tags: list[str], amount: int | None) -> str:
    style, transit, on_us, amount_symbol, _ = pick(rng, MICR_SYMBOLS, [s[-1] for s in MICR_SYMBOLS])
    tags.append(f"micr_symbols_{style}")
    gap = pick(rng, [" ", "  ", ""], [0.7, 0.15, 0.15]) if style not in ("lost",) else pick(rng, [" ", "  "])
    account = v["micr_account"]
    if chance(rng, 0.05) and len(account) > 6:
        account = f"{account[:3]} {account[3:-1]} {account[-1]}"  # some banks space the account field
        tags.append("micr_account_spaced")
    routing_field = f"{transit}{v['micr_routing']}{transit}"
    if business:
        width = pick(rng, [6, 7, 8, 10])
        tags.append("micr_check_number_padded")
        line = f"{on_us}{v['micr_number']:0{width}d}{on_us}{gap}{routing_field}{gap}{account}{on_us}"
    elif chance(rng, 0.8):
        line = f"{routing_field}{gap}{account}{on_us}{gap}{v['micr_number']}"
    else:
        line = f"{routing_field}{gap}{v['micr_number']}{gap}{account}{on_us}"
        tags.append("micr_number_before_account")
    if amount is not None:
        line += f"{gap or ' '}{amount_symbol}{amount:010d}{amount_symbol}"
        tags.append("micr_amount_encoded")
    return line.strip()


_FLAG_SPELLINGS = ((True, 0.7), ("yes", 0.1), ("Y", 0.04), ("present", 0.06), ("true", 0.06), ("1", 0.04))


def render(rng: random.Random, d: Draft, context: dict) -> dict:
    v, spell, tags = d.values, Spelling(rng), d.variation
    encoded = v["amount"] if chance(rng, 0.04) and not d.touched & {"amount_numeric"} else None
    if v["signature_present"]:
        signature = pick(rng, [s for s, _ in _FLAG_SPELLINGS], [w for _, w in _FLAG_SPELLINGS])
        if chance(rng, 0.006):
            signature = False  # a faint signature OCR did not find
            tags.append("signature_not_detected")
    else:
        signature = pick(rng, [False, "no", "absent", "false"])
    number = v["check_number"]
    if chance(rng, 0.3):
        tags.append("check_number_as_integer")
    else:
        number = str(number)
    doc = {
        "bank_name": v["bank_name"],
        "routing_number": v["routing_number"],
        "account_number": v["account_number"],
        "check_number": number,
        "payer_name": v["payer_name"],
        "payer_address": v["payer_address"],
        "payee_name": v["payee_name"],
        "amount_numeric": spell.amount(v["amount"]),
        "amount_written": amount_in_words(v["words_amount"], rng, context["voice"], tags),
        "check_date": spell.date(v["check_date"]),
        "signature_present": signature,
        "memo": v["memo"],
        "micr_line": micr_line(rng, v, context["business"], tags, encoded),
    }
    if doc["memo"] is None:
        tags.append("no_memo")
    doc = {k: val for k, val in doc.items() if val is not None}
    return apply_ocr(
        doc,
        rng,
        tags,
        protected=d.touched,
        amount_fields=("amount_numeric",),
        text_fields=TEXT_FIELDS,
        digit_fields=DIGIT_FIELDS,
    )
