"""Synthetic checks as OCR reads them: business and personal checks with the benign variation of real
ones, and the evidence a forger leaves.

Genuine variation, each at a rate close to what a deposit desk sees:
- business checks (printed legal lines in printer styles, high check numbers, invoice memos, serials in
  the auxiliary on-us field of the MICR line) and personal checks (handwritten legal lines in the many
  ways people write them, account numbers often only in the MICR line, joint accounts, checks to cash);
- new accounts with low check numbers (101-120, the first book) for everyday amounts;
- round amounts on payments (rent of 1,500.00, gifts of 100.00) and whole dollars;
- routing numbers of banks and credit unions across every Federal Reserve district, all passing the ABA
  checksum;
- MICR lines in the personal (serial after or before the account) and business layouts, some with the
  amount encoded, whose E-13B symbols OCR kept, spelled as letters (A/B/C/D, T/O) or punctuation, or
  lost with or without their spaces;
- OCR that misreads a character (a look-alike letter for a digit) or drops a field (domain.synthetic),
  scans of every quality, including a few poor ones.

Fraud patterns change what a forger changes and nothing else: a made-up routing number (ABA checksum),
a raised amount (written and numeric disagree), a MICR line that names another bank, account or serial
than the face, a post-dated or stale check, an unsigned check, a check to oneself.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import numpy as np

from check.micr import parse_micr
from check.routing import aba_check_digit, is_valid_routing_number
from domain.amount_words import WrittenStyle, write_amount
from domain.synthetic import (
    SyntheticDocumentGenerator,
    address,
    digits,
    future_date,
    other_person,
    person_name,
    pick,
    poor_scan,
)

BANKS = (
    "First National Bank",
    "Chase Bank",
    "JPMorgan Chase Bank, N.A.",
    "Wells Fargo Bank",
    "Bank of America",
    "U.S. Bank",
    "PNC Bank",
    "Truist Bank",
    "Citizens Bank",
    "Fifth Third Bank",
    "Regions Bank",
    "KeyBank",
    "Huntington National Bank",
    "TD Bank",
    "Capital One",
    "BMO Harris Bank",
    "Frost Bank",
    "Zions Bank",
    "First Citizens Bank",
    "Valley National Bank",
)
CREDIT_UNIONS = (
    "Navy Federal Credit Union",
    "State Employees' Credit Union",
    "Lakeside Credit Union",
    "BECU",
    "America First Credit Union",
    "Alliant Credit Union",
    "Golden 1 Credit Union",
    "Teachers Federal Credit Union",
    "Mountain America Credit Union",
    "Suncoast Credit Union",
)
COMPANIES = (
    "Evergreen Property Management LLC",
    "Summit Foods Inc",
    "Pioneer Construction Co",
    "Northwind Traders",
    "Blue River Health Partners",
    "Acme Logistics Corp",
    "Harbor Dental Group PC",
    "Redwood Landscaping LLC",
    "Metro Office Supply",
    "Cedar Valley School District",
)
BUSINESS_PAYEES = (
    "Evergreen Property Management",
    "City Water Utility",
    "Blue River Health",
    "Summit Foods Inc",
    "Pioneer Construction",
    "Lakeside School District",
    "Northwind Traders",
    "State Farm Insurance",
    "Internal Revenue Service",
    "Comcast",
    "Duke Energy",
    "Verizon Wireless",
)
PERSONAL_MEMOS = ("Rent", "Birthday gift", "Deposit", "Utilities", "Tuition", "Car repair", "Loan payment", "Dues")
# Fed districts 01-12 (banks) and 21-32 (thrifts and credit unions): the first two digits of a routing number.
BANK_DISTRICTS = tuple(range(1, 13))
THRIFT_DISTRICTS = tuple(range(21, 33))
SYMBOL_SETS = {  # (transit, on-us, amount, dash) as OCR returns the E-13B symbols
    "unicode": ("⑆", "⑈", "⑇", "⑉"),
    "font_letters": ("A", "C", "B", "D"),
    "t_o": ("T", "O", "$", "-"),
    "punctuation": (":", "|", "$", ""),
    "punctuation_pairs": ("|:", "||", ":|", ""),
    "lost": ("", "", "", ""),
}
SYMBOL_WEIGHTS = {
    "unicode": 0.38,
    "font_letters": 0.14,
    "t_o": 0.1,
    "punctuation": 0.08,
    "punctuation_pairs": 0.05,
    "lost": 0.25,
}
LOOKALIKES = {"0": "O", "1": "l", "5": "S", "8": "B", "2": "Z", "6": "G"}
DIGIT_LOOKALIKES = {"3": "8", "8": "3", "1": "7", "7": "1", "5": "6", "6": "5", "0": "8"}  # what OCR confuses


def routing_number(rng: np.random.Generator, credit_union: bool = False) -> str:
    """A routing number that passes the ABA checksum, of a bank (districts 01-12) or thrift (21-32).

    Digit 3 is the Federal Reserve office, digit 4 the check-processing centre (1-9), digits 5-8 the
    institution, digit 9 the check digit.
    """
    district = int(rng.choice(THRIFT_DISTRICTS if credit_union else BANK_DISTRICTS))
    first_eight = f"{district:02d}{int(rng.integers(0, 10))}{int(rng.integers(1, 10))}" + digits(rng, 4)
    return first_eight + aba_check_digit(first_eight)


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    """A key of `weights`, drawn with those (normalised) weights."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


# --- written amounts --------------------------------------------------------------------------


def business_style(rng: np.random.Generator) -> WrittenStyle:
    """A check printer's legal line: title or upper case, "NN/100 Dollars" or "Dollars and NN Cents", padded."""
    padding = _choice(rng, {"": 0.55, "****": 0.3, "***": 0.1, "--": 0.05})
    kind = _choice(rng, {"fraction": 0.5, "fraction_upper": 0.2, "cents_words": 0.1, "cents_upper": 0.15, "num": 0.05})
    if kind == "fraction":
        return WrittenStyle(padding=padding)
    if kind == "fraction_upper":
        return WrittenStyle(case="upper", padding=padding)
    if kind == "cents_words":
        return WrittenStyle(cents="words", dollars_word="before_cents", padding=padding)
    if kind == "cents_upper":
        return WrittenStyle(cents="digits", dollars_word="before_cents", case="upper", padding=padding)
    return WrittenStyle(dollars="numeral", cents="digits", dollars_word="before_cents", case="upper", padding=padding)


def handwritten_style(rng: np.random.Generator) -> WrittenStyle:
    """One person's way of writing the legal line ("One hundred twenty-five and 50/100", "125 & 50/100"...)."""
    cents = _choice(rng, {"fraction": 0.8, "digits": 0.1, "words": 0.05, "omitted": 0.05})
    joiner = _choice(rng, {"and": 0.72, "&": 0.22, "": 0.06})
    dollars_word = _choice(rng, {"end": 0.35, "before_cents": 0.15, "none": 0.5})
    if cents == "words" and not joiner and dollars_word != "before_cents":
        joiner = "and"  # "twenty-eight ninety-three cents" is no way to write an amount
    return WrittenStyle(
        dollars=_choice(rng, {"words": 0.85, "hundreds": 0.1, "numeral": 0.05}),
        cents=cents,
        zero_cents=_choice(rng, {"00": 0.6, "no": 0.15, "xx": 0.2, "--": 0.05}),
        joiner=joiner,
        dollars_word=dollars_word,
        hyphen=_choice(rng, {"-": 0.6, " ": 0.38, "": 0.02}),
        case=_choice(rng, {"sentence": 0.45, "title": 0.3, "lower": 0.2, "upper": 0.05}),
        suffix=_choice(rng, {"": 0.9, "only": 0.07, "even": 0.03}),
        padding=_choice(rng, {"": 0.85, "~~": 0.1, "--": 0.05}),
    )


def infer_style(text: str | None) -> WrittenStyle:
    """The style a legal line was written in, near enough to write another amount the same way."""
    if not text:
        return WrittenStyle()
    lowered = text.lower()
    padding = re.match(r"^[*~=\- ]*", text).group().strip()
    core = lowered.strip("*~=- ")
    fraction = re.search(r"(\w\w|--)/100", lowered)
    if fraction:
        cents, zero = "fraction", fraction.group(1) if fraction.group(1) in ("no", "xx", "--") else "00"
    elif "cent" in lowered:
        cents, zero = ("digits" if re.search(r"\d\d cents?", lowered) else "words"), "00"
    else:
        cents, zero = "omitted", "00"
    dollars_at, cents_at = lowered.find("dollar"), lowered.find("/100") if fraction else lowered.find("cent")
    if dollars_at < 0:
        dollars_word = "none"
    else:
        dollars_word = "before_cents" if 0 <= cents_at and dollars_at < cents_at else "end"
    words = [w for w in re.findall(r"[A-Za-z]+", re.sub(r"\S*/100\S*", " ", text)) if w.lower() != "and"]
    if text.isupper():
        case = "upper"
    elif text.islower():
        case = "lower"
    else:
        case = "title" if len(words) > 1 and all(w[0].isupper() for w in words) else "sentence"
    return WrittenStyle(
        dollars="numeral" if core[:1].isdigit() else "words",
        cents=cents,
        zero_cents=zero,
        joiner="&" if "&" in text else ("and" if " and " in lowered else ""),
        dollars_word=dollars_word,
        hyphen="-" if re.search(r"[a-z]-[a-z]", lowered) else " ",
        case=case,
        suffix="only" if core.endswith("only") else "",
        padding=padding,
    )


def written_like(amount: float, written: str | None) -> str:
    """`amount` written out in the style of the legal line `written` (the printer's default when None)."""
    return write_amount(amount, infer_style(written))


def handwritten(rng: np.random.Generator, amount: float, style: WrittenStyle) -> str:
    """The legal line in `style`, with the common misspelling of forty now and then."""
    text = write_amount(amount, style)
    if rng.random() < 0.15:
        text = re.sub(r"(?i)\bforty", lambda m: "Fourty" if m.group()[0].isupper() else "fourty", text)
    return text


# --- MICR line --------------------------------------------------------------------------------


def micr_line(
    rng: np.random.Generator,
    routing: str,
    account: str,
    serial: str | None,
    business: bool,
    amount: float | None = None,
) -> str:
    """A MICR line in the business or a personal layout, its symbols as OCR returned them."""
    symbols = _choice(rng, SYMBOL_WEIGHTS)
    transit, on_us, amount_symbol, dash = SYMBOL_SETS[symbols]
    if symbols != "lost" and rng.random() < 0.12:  # some symbols lost, others kept
        transit, on_us = ((transit, ""), ("", on_us))[int(rng.integers(2))]
    gap = "" if rng.random() < (0.1 if symbols == "lost" else 0.15) else " "
    if dash and len(account) >= 8 and rng.random() < 0.06:
        cut = int(rng.integers(2, len(account) - 2))
        account = account[:cut] + dash + account[cut:]
    routing_field = f"{transit}{routing}{transit}"
    if serial is None:
        line = f"{routing_field}{gap}{account}{on_us}"
    elif business:
        padded = serial.zfill(int(rng.choice([6, 6, 8, 10])))
        line = f"{on_us}{padded}{on_us}{gap}{routing_field}{gap}{account}{on_us}"
    elif rng.random() < 0.22:  # serial before the account in the on-us field
        closed = on_us if rng.random() < 0.5 else ""
        line = f"{routing_field}{gap}{serial.zfill(4) if rng.random() < 0.3 else serial}{closed} {account}{on_us}"
    else:
        line = f"{routing_field}{gap}{account}{on_us}{gap}{serial.zfill(4) if rng.random() < 0.3 else serial}"
    if amount is not None:
        line += f" {amount_symbol}{round(amount * 100):010d}{amount_symbol}"
    return line.strip()


def _swap_number(text: str, old: str, new: str, zero_padded: bool = False) -> str | None:
    """`text` with the digit group `old` replaced by `new`; None when `old` is not a group of its own.

    With `zero_padded` (serials), "001001" is the group 1001 and keeps its padding.
    """
    wanted = (old.lstrip("0") or "0") if zero_padded else old
    match = re.search(rf"(?<!\d)({'0*' if zero_padded else ''}){re.escape(wanted)}(?!\d)", text)
    if not match:
        return None
    replacement = (match.group(1) + new)[-max(len(match.group()), len(new)) :] if zero_padded else new
    return text[: match.start()] + replacement + text[match.end() :]


# --- OCR --------------------------------------------------------------------------------------


def misread_character(doc: dict[str, Any], rng: np.random.Generator) -> None:
    """OCR reads one digit of one printed number as its look-alike: a letter ("0" as "O", "5" as "S") or,
    in a third of misreads, another digit ("3" as "8"). Amounts are left alone: a misread amount is
    indistinguishable from a raised one."""
    table = DIGIT_LOOKALIKES if rng.random() < 0.33 else LOOKALIKES
    fields = ("routing_number", "account_number", "check_number", "micr_line")
    candidates = [
        name for name in fields + ("amount_written",) * (table is LOOKALIKES)
        if isinstance(doc.get(name), str) and any(c in table for c in doc[name])
    ]  # fmt: skip
    if not candidates:
        return
    name = pick(rng, sorted(candidates))
    value = doc[name]
    positions = [i for i, c in enumerate(value) if c in table]
    at = positions[int(rng.integers(len(positions)))]
    doc[name] = value[:at] + table[value[at]] + value[at + 1 :]


def genuine_quality(rng: np.random.Generator) -> float:
    """OCR text quality of a genuine check: mostly clean scans, some phone photos, a few poor copies."""
    roll = rng.random()
    if roll < 0.02:
        return round(float(rng.uniform(0.3, 0.6)), 3)
    if roll < 0.1:
        return round(float(rng.uniform(0.6, 0.72)), 3)
    return round(float(rng.uniform(0.72, 1.0)), 3)


# --- amounts, numbers, parties ----------------------------------------------------------------


def genuine_amount(rng: np.random.Generator, business: bool) -> float:
    """What checks are written for: small bills, rent and round payments, invoices, now and then a large sum."""
    roll = rng.random()
    if roll < (0.1 if business else 0.3):  # rent, gifts, deposits, retainers: round figures
        return float(pick(rng, ("25", "50", "100", "200", "250", "500", "750", "1000", "1200", "1500", "1850", "2000",
                                "2400", "3000", "5000")))  # fmt: skip
    if roll < 0.45:  # whole dollars
        return float(int(rng.lognormal(5.0 if not business else 6.5, 1.1)) + 1)
    scale = rng.choice(
        [4.0, 5.5, 7.0, 8.5, 10.0], p=[0.25, 0.35, 0.25, 0.1, 0.05] if not business else [0.05, 0.2, 0.35, 0.25, 0.15]
    )
    value = round(float(rng.lognormal(scale, 0.7)), 2)
    return min(max(value, 1.0), 480_000.0)


def genuine_check_number(rng: np.random.Generator, business: bool) -> int:
    """A check number: a new book starts at 101 (the first twenty are common), business numbers run high."""
    roll = rng.random()
    if business:
        return int(rng.integers(1001, 10_000)) if roll < 0.3 else int(rng.integers(10_000, 1_000_000))
    if roll < 0.07:
        return int(rng.integers(101, 121))
    if roll < 0.13:
        return int(rng.integers(121, 200))
    if roll < 0.4:
        return int(rng.integers(200, 1000))
    return int(rng.integers(1000, 10_000))


def genuine_date(rng: np.random.Generator, today: date) -> date:
    """Checks are deposited within days or weeks of their date, a few after months (six at most)."""
    roll = rng.random()
    if roll < 0.6:
        return today - timedelta(days=int(rng.integers(0, 30)))
    if roll < 0.97:
        return today - timedelta(days=int(rng.integers(0, 120)))
    return today - timedelta(days=int(rng.integers(120, 181)))


def printed_check_number(rng: np.random.Generator, number: int) -> str:
    return pick(rng, (str(number),) * 17 + (f"No. {number}", f"#{number}", f"{number:06d}"))


def payer_of(rng: np.random.Generator, business: bool) -> str:
    """The account holder: a company, a person, or a joint account."""
    if business:
        return pick(rng, COMPANIES)
    name = person_name(rng)
    roll = rng.random()
    if roll < 0.12:
        return f"{name} & {other_person(rng, name).split()[0]} {name.split()[-1]}"
    if roll < 0.16:
        return f"{name} or {other_person(rng, name)}"
    if roll < 0.22:
        first, last = name.split()
        return f"{first} {chr(int(rng.integers(65, 91)))} {last}".upper() if rng.random() < 0.5 else f"{last}, {first}"
    return name


def payee_of(rng: np.random.Generator, business: bool, payer: str) -> str:
    """Someone other than the payer: a company, a person (whatever order the payer's name is printed in), cash."""
    roll = rng.random()
    if not business and roll < 0.02:
        return "Cash"
    payer_words = set(re.sub(r"[^\w ]", " ", payer.casefold()).split())
    company = roll < (0.6 if business else 0.45)
    payee = pick(rng, BUSINESS_PAYEES) if company else person_name(rng)
    while set(payee.casefold().split()) <= payer_words:
        payee = pick(rng, BUSINESS_PAYEES) if company else person_name(rng)
    return payee


def memo_of(rng: np.random.Generator, business: bool) -> str | None:
    roll = rng.random()
    if business:
        if roll < 0.6:
            return pick(rng, ("Invoice", "INV", "Inv #", "PO", "Acct")) + f" {int(rng.integers(1000, 99999))}"
        return None if roll < 0.85 else "Services"
    return pick(rng, PERSONAL_MEMOS) if roll < 0.55 else None


# --- fraud helpers ----------------------------------------------------------------------------


def _other_digits(rng: np.random.Generator, value: str) -> str:
    """`value` with one digit changed to a different digit."""
    positions = [i for i, c in enumerate(value) if c.isdigit()] or [0]
    position = positions[int(rng.integers(len(positions)))]
    current = int(value[position]) if value[position : position + 1].isdigit() else 0
    new_digit = (current + int(rng.integers(1, 10))) % 10
    return value[:position] + str(new_digit) + value[position + 1 :]


def _failing_routing(rng: np.random.Generator, original: str) -> str:
    """A made-up routing number that fails the ABA checksum: one digit changed, digits transposed, made up."""
    kind = int(rng.integers(4))
    for _ in range(50):
        if kind == 0:
            fake = _other_digits(rng, original)
        elif kind == 1:
            i = int(rng.integers(8))
            fake = original[:i] + original[i + 1] + original[i] + original[i + 2 :]
        elif kind == 2:
            fake = digits(rng, 9)
        else:
            fake = original[:-1] if rng.random() < 0.5 else original + digits(rng, 1)
        if not is_valid_routing_number(fake):
            return fake
    return original[:-1]


def _altered_amount(rng: np.random.Generator, amount: float) -> float:
    """A raised amount the way checks are altered: thousands added, a zero appended (times ten), or inflated."""
    kind = int(rng.integers(3))
    if kind == 0:
        return round(amount + 1000 * int(rng.integers(1, 10)), 2)
    if kind == 1:
        return round(amount * 10, 2)
    return round(amount * float(rng.uniform(1.3, 5.0)), 2)


def _micr_fields(doc: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(routing, account, serial) the check shows: the face's, else the MICR line's."""
    current = parse_micr(doc.get("micr_line"))
    routing = doc.get("routing_number") or (current.routing if current else None)
    account = doc.get("account_number") or (current.account if current else None)
    serial = re.sub(r"\D", "", doc.get("check_number") or "") or (current.serial if current else None)
    return routing, account, serial


def _alter_micr(doc: dict[str, Any], rng: np.random.Generator, old: str | None, new: str, field: str) -> None:
    """Put `new` in the MICR line where it said `old`, in the line's own symbols; a new line if there is none."""
    line = doc.get("micr_line")
    swapped = _swap_number(line, old, new, zero_padded=field == "serial") if line and old else None
    if swapped is not None and swapped != line:
        doc["micr_line"] = swapped
        return
    routing, account, serial = _micr_fields(doc)
    routing = new if field == "routing" else routing or routing_number(rng)
    account = new if field == "account" else re.sub(r"\D", "", account or "") or digits(rng, 10)
    serial = new if field == "serial" else serial or str(int(rng.integers(1001, 10_000)))
    doc["micr_line"] = micr_line(rng, routing, account, serial, business=rng.random() < 0.4)


class CheckGenerator(SyntheticDocumentGenerator):
    def genuine(self, rng: np.random.Generator, today: date) -> dict[str, Any]:
        business = rng.random() < 0.4
        credit_union = rng.random() < 0.22
        routing = routing_number(rng, credit_union)
        account = digits(rng, int(rng.integers(9, 15) if business else rng.integers(6, 13)))
        number = genuine_check_number(rng, business)
        amount = genuine_amount(rng, business)
        payer = payer_of(rng, business)
        written = (
            write_amount(amount, business_style(rng)) if business else handwritten(rng, amount, handwritten_style(rng))
        )
        serial_in_micr = str(number) if rng.random() < 0.96 else None
        encoded = amount if rng.random() < 0.12 else None
        doc = {
            "bank_name": pick(rng, CREDIT_UNIONS if credit_union else BANKS),
            "routing_number": routing,
            "account_number": self._printed_account(rng, account, business),
            "check_number": printed_check_number(rng, number),
            "payer_name": payer,
            "payer_address": address(rng) if rng.random() < 0.85 else None,
            "payee_name": payee_of(rng, business, payer),
            "amount_numeric": amount,
            "amount_written": written,
            "check_date": genuine_date(rng, today),
            "signature_present": True,
            "memo": memo_of(rng, business),
            "micr_line": micr_line(rng, routing, account, serial_in_micr, business, encoded),
            "text_quality": genuine_quality(rng),
        }
        if rng.random() < 0.03:
            misread_character(doc, rng)
        return doc

    @staticmethod
    def _printed_account(rng: np.random.Generator, account: str, business: bool) -> str | None:
        """The account number on the face: personal checks often show it only in the MICR line."""
        if not business and rng.random() < 0.2:
            return None
        if rng.random() < 0.05:
            return f"{account[:-4]}-{account[-4:]}"
        return account

    @staticmethod
    def _invalid_routing_checksum(doc, rng, today):
        # A made-up routing number, printed on the face and in the MICR line alike.
        original, _, _ = _micr_fields(doc)
        original = original or routing_number(rng)
        fake = _failing_routing(rng, original)
        doc["routing_number"] = fake
        _alter_micr(doc, rng, original, fake, "routing")

    @staticmethod
    def _amount_mismatch(doc, rng, today):
        # The amount box (or the legal line) is raised; the other still states the real figure.
        real = doc["amount_numeric"] if doc["amount_numeric"] is not None else round(float(rng.uniform(50, 900)), 2)
        raised = _altered_amount(rng, real)
        if rng.random() < 0.75:
            doc["amount_numeric"] = raised
            doc["amount_written"] = doc["amount_written"] or written_like(real, None)
        else:
            doc["amount_numeric"] = real
            doc["amount_written"] = written_like(raised, doc["amount_written"])

    @staticmethod
    def _missing_signature(doc, rng, today):
        doc["signature_present"] = False

    @staticmethod
    def _stale_date(doc, rng, today):
        doc["check_date"] = today - timedelta(days=int(rng.integers(181, 900)))

    @staticmethod
    def _micr_routing_mismatch(doc, rng, today):
        # A counterfeit: the face names one bank, the MICR line (what clears) routes to another.
        printed, _, _ = _micr_fields(doc)
        printed = printed or routing_number(rng)
        doc["routing_number"] = printed
        if rng.random() < 0.25:  # one digit changed: misrouted, it comes back late (OCR could do the same)
            other = _other_digits(rng, printed)
        else:
            other = routing_number(rng, credit_union=rng.random() < 0.3)
            while other == printed:
                other = routing_number(rng)
        _alter_micr(doc, rng, printed, other, "routing")

    @staticmethod
    def _micr_account_mismatch(doc, rng, today):
        # The MICR line draws on another account than the face shows: one digit or a whole other number.
        _, account, _ = _micr_fields(doc)
        account = re.sub(r"\D", "", account or "") or digits(rng, 10)
        doc["account_number"] = doc["account_number"] or account
        other = _other_digits(rng, account) if rng.random() < 0.5 else digits(rng, len(account))
        _alter_micr(doc, rng, account, other, "account")

    @staticmethod
    def _micr_check_number_mismatch(doc, rng, today):
        # A check number typed onto a stolen or counterfeit stock: the MICR serial says another.
        _, _, serial = _micr_fields(doc)
        serial = serial or str(int(rng.integers(1001, 10_000)))
        doc["check_number"] = doc["check_number"] or serial
        number = int(serial)
        other = str(number + int(rng.choice([-2, -1, 1, 2, 10, 100]))) if rng.random() < 0.5 else None
        other = other if other and int(other) > 0 else str(int(rng.integers(1001, 99_999)))
        _alter_micr(doc, rng, serial, other, "serial")

    @staticmethod
    def _payee_equals_payer(doc, rng, today):
        payer = doc["payer_name"] or person_name(rng)
        doc["payer_name"] = payer
        words = payer.split()
        reversed_name = f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else payer
        initial = f"{words[0][0]}. {' '.join(words[1:])}" if len(words) > 1 else payer
        doc["payee_name"] = pick(
            rng, (payer, payer.upper(), payer.lower(), "  " + payer.replace(" ", "  "), reversed_name, initial)
        )

    @staticmethod
    def _raised_amount_blurred_words(doc, rng, today):
        # What a blurry copy hides: the amount box is raised and the legal line is hard to read.
        real = doc["amount_numeric"] if doc["amount_numeric"] is not None else round(float(rng.uniform(50, 900)), 2)
        doc["amount_numeric"] = _altered_amount(rng, real)
        if rng.random() < 0.3 or doc["amount_written"] is None:
            text = written_like(real, doc["amount_written"])
            doc["amount_written"] = "".join(c if c == " " or rng.random() > 0.35 else "?" for c in text)
        # otherwise the legal line still states the real amount

    fraud_patterns = {
        "invalid_routing_checksum": _invalid_routing_checksum,
        "amount_mismatch": _amount_mismatch,
        "missing_signature": _missing_signature,
        "future_date": future_date("check_date", days=(3, 150)),
        "stale_date": _stale_date,
        "micr_routing_mismatch": _micr_routing_mismatch,
        "micr_account_mismatch": _micr_account_mismatch,
        "micr_check_number_mismatch": _micr_check_number_mismatch,
        "payee_equals_payer": _payee_equals_payer,
        "poor_scan_altered_amount": poor_scan(_raised_amount_blurred_words),
    }
