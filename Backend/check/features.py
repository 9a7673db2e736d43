"""Check features: what a teller or deposit-review analyst checks on the face of a check.

Reasons and the severity recommended for them (the policy table decides; see decision_policy.json):

- hard, a genuine check cannot show them: ROUTING_CHECKSUM_INVALID (no reading of the routing number
  passes the ABA checksum, and OCR does not explain it), AMOUNT_MISMATCH (the written amount reads, with
  certainty, as another figure), CHECK_DATE_IN_FUTURE (more than a day ahead: a day is time zones),
  MICR_ROUTING_MISMATCH / MICR_ACCOUNT_MISMATCH / MICR_CHECK_NUMBER_MISMATCH (a MICR line read without
  guessing states other numbers than the face, more than one OCR slip away);
- soft, unusual but seen on genuine checks: AMOUNT_WORDS_UNREADABLE, MICR_UNREADABLE (no routing number
  in the MICR line), MICR_UNCERTAIN (read only by guessing, or one digit off the face: OCR lost or
  misread symbols or digits), ROUTING_MISREAD (the printed routing number fails the checksum but is one
  OCR slip from the MICR line's valid one), MICR_AMOUNT_MISMATCH (a bank's encoding, which banks get
  wrong too), STALE_CHECK, SIGNATURE_MISSING (signature detection misses faint signatures),
  PAYEE_EQUALS_PAYER (people write checks to themselves), LOW_CHECK_NUMBER (a new checkbook on a large
  check), AMOUNT_NOT_POSITIVE, and the base's ROUND_AMOUNTS, LOW_TEXT_QUALITY, INCOMPLETE_DOCUMENT.

Evidence never shows a whole routing or account number: only the positions where two readings differ
(at most four), or the last four digits.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from check.fields import CheckFields
from check.micr import MicrLine, find_number, parse_micr, repair_lookalikes
from check.routing import is_valid_routing_number
from domain.features import (
    MISSING,
    WRITTEN_AMOUNT_FEATURES,
    Extraction,
    FeatureExtractor,
    FeatureSpec,
    Reason,
    compare_names,
    compare_written_amount,
    flag,
    future_date_reason,
)

STALE_AFTER_DAYS = 180  # UCC 4-404: a bank need not pay a check presented more than six months after its date
FUTURE_GRACE_DAYS = 1  # a check dated tomorrow is today somewhere east of the server
LOW_CHECK_NUMBER = 200  # new accounts start their checkbooks at 101 (or 1001)
HIGH_AMOUNT = 2000.0  # a large check for a brand-new checkbook
MASK = "•"
SHOWN_DIGITS = 4

_CHECK_NUMBER = re.compile(r"^\D{0,12}?([0-9OoQIl|iSsBZzGbgq]+)$")  # "1042", "No. 1042", "#1042", "Check 1042"
_MASKED = re.compile(r"^[Xx*•.#\s-]{2,}(\d{2,6})$")  # "XXXX1234", "****1234", "...1234"
_NAME_NOISE = {"mr", "mrs", "ms", "dr", "jr", "sr", "ii", "iii", "and", "or"}


def check_number_value(check_number: str | None) -> int | None:
    """The check number as an integer ("No. 1042" and "#1042" too); None when absent or unreadable."""
    digits = check_number_digits(check_number)
    return int(digits) if digits else None


def check_number_digits(check_number: str | None) -> str | None:
    """The digits of a printed check number, OCR look-alikes repaired; None when absent or unreadable."""
    if check_number is None:
        return None
    match = _CHECK_NUMBER.match(check_number.strip())
    if not match:
        return None
    digits, _ = repair_lookalikes(match.group(1))
    return digits if digits.isascii() and digits.isdigit() else None


def masked_pair(expected: str, actual: str) -> tuple[str, str]:
    """Two numbers that differ, masked but for what tells them apart (never more than four digits each).

    Same length: the digits at the (last four) positions where they differ ("•2••••••1" / "•1••••••5");
    otherwise the last four digits and the length ("9 digits ending 0021").
    """
    if len(expected) != len(actual):
        return (
            f"{len(expected)} digits ending {expected[-SHOWN_DIGITS:]}",
            f"{len(actual)} digits ending {actual[-SHOWN_DIGITS:]}",
        )
    differ = [i for i, (a, b) in enumerate(zip(expected, actual)) if a != b][-SHOWN_DIGITS:]
    return (
        "".join(c if i in differ else MASK for i, c in enumerate(expected)),
        "".join(c if i in differ else MASK for i, c in enumerate(actual)),
    )


def shown_serial(serial: str) -> str:
    """A check number as evidence: itself (leading zeros dropped) when it looks like one (up to six digits),
    else masked to its last four digits, as it may be an account number the layout put there."""
    number = serial.lstrip("0") or "0"
    return number if len(number) <= 6 else f"{len(number)} digits ending {number[-SHOWN_DIGITS:]}"


def one_slip_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with one digit misread, dropped or added: the OCR slips a single read makes."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    shorter, longer = sorted((a, b), key=len)
    return len(longer) - len(shorter) == 1 and any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def name_tokens(name: str | None) -> frozenset[str] | None:
    """The words of a name, case, punctuation, order, initials and titles ignored; None when empty."""
    if not name:
        return None
    tokens = frozenset(w for w in _name_words(name) if len(w) > 1)
    return tokens or None


def _name_words(name: str) -> list[str]:
    return [w for w in re.sub(r"[\W_]+", " ", name.casefold()).split() if w not in _NAME_NOISE]


def same_name(a: str | None, b: str | None) -> bool:
    """Whether two names are one person's: the same words in any order, case and punctuation aside, where
    initials may stand for a word or be left out ("Garcia, Maria L." / "M. Garcia" / "MARIA GARCIA").
    A word one name has and the other lacks ("Maria Jose Garcia", a joint account) makes them different."""
    if not a or not b:
        return False
    words_a, words_b = _name_words(a), _name_words(b)
    full_a, full_b = {w for w in words_a if len(w) > 1}, {w for w in words_b if len(w) > 1}
    if not full_a or not full_b:
        return False
    initials_a, initials_b = {w for w in words_a if len(w) == 1}, {w for w in words_b if len(w) == 1}
    only_a, only_b = full_a - full_b, full_b - full_a
    covered_a = all(w[0] in initials_b for w in only_a)
    covered_b = all(w[0] in initials_a for w in only_b)
    return bool(full_a & full_b) and covered_a and covered_b


class CheckFeatureExtractor(FeatureExtractor):
    schema = CheckFields
    amount_fields = ("amount_numeric",)
    features = (
        FeatureSpec("log_amount", "log10(1 + numeric amount); -1 when missing or not positive."),
        FeatureSpec("amount_not_positive", "1 when the numeric amount is zero or negative."),
        *WRITTEN_AMOUNT_FEATURES,
        FeatureSpec(
            "routing_checksum_invalid",
            "1 when no reading of the routing number (printed, else the MICR line's) passes the ABA checksum and "
            "OCR does not explain it.",
        ),
        FeatureSpec(
            "routing_misread",
            "1 when the printed routing number fails the checksum but is one OCR slip from the MICR line's valid one, "
            "or needed look-alike letters repaired.",
        ),
        FeatureSpec("micr_unreadable", "1 when a MICR line was extracted but no routing number can be found in it."),
        FeatureSpec(
            "micr_uncertain",
            "1 when the MICR line could be read only by guessing (symbols lost with their spaces, repaired characters, "
            "a routing number failing the checksum) and does not match the face.",
        ),
        FeatureSpec(
            "micr_routing_mismatch",
            "1 when a cleanly read MICR line carries another routing number than the printed one, more than one OCR "
            "slip from it.",
        ),
        FeatureSpec(
            "micr_account_mismatch",
            "1 when the printed account number is not among a confidently read MICR line's digit groups "
            "(leading zeros and separators ignored).",
        ),
        FeatureSpec(
            "micr_check_number_mismatch",
            "1 when a confidently read MICR line shows a serial and the printed check number is not among its groups.",
        ),
        FeatureSpec(
            "micr_one_digit_off",
            "1 when the printed routing, account or check number is missing from the MICR line but one digit "
            "(misread or lost) from a group there: OCR explains it, so it is soft evidence.",
        ),
        FeatureSpec("micr_amount_mismatch", "1 when the MICR line's encoded amount differs from the numeric amount."),
        FeatureSpec("signature_missing", "1 when the check is reported as unsigned (signature_present is false)."),
        FeatureSpec("check_age_days", "Days from the check date to today, 0 when future-dated; -1 when missing."),
        FeatureSpec("days_until_check_date", "Days from today to a future check date, 0 otherwise; -1 when missing."),
        FeatureSpec(
            "check_date_in_future", f"1 when the check is dated more than {FUTURE_GRACE_DAYS} day after today."
        ),
        FeatureSpec("stale_check", f"1 when the check is dated more than {STALE_AFTER_DAYS} days ago."),
        FeatureSpec(
            "payee_payer_similarity",
            "Similarity 0..1 of payee and payer names (case, punctuation and spacing ignored); -1 when either is "
            "missing.",
        ),
        FeatureSpec(
            "payee_equals_payer",
            "1 when payee and payer are one person's name (case, punctuation, word order and titles ignored; initials "
            "may stand for a word or be left out).",
        ),
        FeatureSpec("log_check_number", "log10(1 + check number); -1 when missing or not all digits."),
        FeatureSpec(
            "low_check_number", f"1 when the check number is below {LOW_CHECK_NUMBER}: typical of a new account."
        ),
        FeatureSpec(
            "low_check_number_high_amount",
            f"1 when the check number is below {LOW_CHECK_NUMBER} and the amount is {HIGH_AMOUNT:,.0f} or more.",
        ),
    )

    def extract(self, doc: CheckFields, today: date) -> Extraction:
        """As the base does, once the numbers only the MICR line shows are taken as read (see `completed`)."""
        return super().extract(completed(doc), today)

    def compute(self, doc: CheckFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        self._amounts(doc, values, reasons)
        printed_routing = repair_lookalikes(doc.routing_number)[0] if doc.routing_number else None
        micr = parse_micr(doc.micr_line, printed_routing)
        routing_slip = self._routing(doc, micr, values, reasons)
        self._micr_on_us(doc, micr, routing_slip, values, reasons)
        self._dates(doc, today, values, reasons)
        self._parties(doc, values, reasons)
        self._check_number(doc, values, reasons)

    @staticmethod
    def _amounts(doc: CheckFields, values: dict[str, float], reasons: list[Reason]) -> None:
        amount = doc.amount_numeric
        values["log_amount"] = math.log10(1 + amount) if amount is not None and amount > 0 else MISSING
        not_positive = amount is not None and amount <= 0
        values["amount_not_positive"] = flag(not_positive)
        if not_positive:
            reasons.append(
                Reason(
                    "AMOUNT_NOT_POSITIVE",
                    "The check amount is zero or negative",
                    ("amount_numeric",),
                    expected="> 0",
                    actual=round(amount, 2),
                )
            )
        compare_written_amount(doc.amount_written, amount, values, reasons)

    @staticmethod
    def _routing(doc: CheckFields, micr: MicrLine | None, values: dict[str, float], reasons: list[Reason]) -> bool:
        """The routing number's checksum, and whether the face and the MICR line name the same bank.

        Returns whether the MICR line's routing number is one OCR slip off the valid printed one.
        """
        printed, repaired = repair_lookalikes(doc.routing_number) if doc.routing_number else (None, False)
        printed_valid = printed is not None and is_valid_routing_number(printed)
        micr_valid = micr is not None and is_valid_routing_number(micr.routing)
        slip = printed is not None and micr_valid and one_slip_apart(printed, micr.routing)
        misread = printed is not None and not printed_valid and (repaired or slip)
        if printed is not None:
            invalid = not printed_valid and not misread
            where, fields = "printed", ("routing_number",)
        else:
            invalid = micr is not None and not micr_valid and micr.clean
            where, fields = "MICR", ("micr_line",)
        values["routing_checksum_invalid"] = flag(invalid)
        values["routing_misread"] = flag(misread)
        if invalid:
            read = printed if printed is not None else micr.routing
            reasons.append(
                Reason(
                    "ROUTING_CHECKSUM_INVALID",
                    f"The {where} routing number is not a valid ABA routing number (checksum or length)",
                    fields,
                    expected="9 digits passing the ABA checksum",
                    actual="checksum fails" if len(read) == len("021000021") else f"{len(read)} characters",
                )
            )
        if misread:
            reasons.append(
                Reason(
                    "ROUTING_MISREAD",
                    "The printed routing number fails the checksum, but one OCR slip or look-alike letter explains it",
                    ("routing_number", "micr_line"),
                )
            )

        unreadable = doc.micr_line is not None and micr is None
        values["micr_unreadable"] = flag(unreadable)
        if unreadable:
            reasons.append(Reason("MICR_UNREADABLE", "No routing number can be read in the MICR line", ("micr_line",)))

        micr_slip = printed_valid and micr is not None and not micr_valid and one_slip_apart(printed, micr.routing)
        differs = micr is not None and printed is not None and micr.routing != printed and not (slip or micr_slip)
        # a clean MICR routing number more than one slip from the face's: no OCR misread, another bank
        confident = differs and micr.clean and (printed_valid or not misread)
        values["micr_routing_mismatch"] = flag(confident)
        if confident:
            expected, actual = masked_pair(printed, micr.routing)
            reasons.append(
                Reason(
                    "MICR_ROUTING_MISMATCH",
                    "The MICR line carries another routing number than the one printed on the check",
                    ("routing_number", "micr_line"),
                    expected=expected,
                    actual=actual,
                )
            )
        values["micr_uncertain"] = flag((differs and not confident) or micr_slip)
        return micr_slip

    @staticmethod
    def _micr_on_us(
        doc: CheckFields, micr: MicrLine | None, routing_slip: bool, values: dict[str, float], reasons: list[Reason]
    ) -> None:
        """The account and serial in the MICR line against the face (and MICR_UNCERTAIN when OCR, not a forger,
        explains a difference, `routing_slip` included); the encoded amount against the figure."""
        account, account_repaired = printed_account(doc.account_number)
        serial = check_number_digits(doc.check_number)
        serial_repaired = serial is not None and serial not in doc.check_number
        account_missing = micr is not None and account is not None and not account_found(account, micr)
        serial_missing = micr is not None and serial is not None and not serial_found(serial, account, micr)
        account_slip = account_missing and one_slip_from_micr(account, micr)
        serial_slip = serial_missing and one_slip_from_micr(serial, micr)
        confident = micr is not None and micr.confident and not account_repaired and not account_slip
        serial_confident = micr is not None and micr.confident and not serial_repaired and not serial_slip
        values["micr_one_digit_off"] = flag(routing_slip or account_slip or serial_slip)
        values["micr_account_mismatch"] = flag(account_missing and confident)
        values["micr_check_number_mismatch"] = flag(serial_missing and serial_confident)
        if account_missing and confident:
            expected, actual = masked_pair(account.lstrip("0"), micr_account(serial, micr).lstrip("0"))
            reasons.append(
                Reason(
                    "MICR_ACCOUNT_MISMATCH",
                    "The account number printed on the check is not the one in the MICR line",
                    ("account_number", "micr_line"),
                    expected=expected,
                    actual=actual,
                )
            )
        if serial_missing and serial_confident:
            shown = serial_candidates(account, micr)
            reasons.append(
                Reason(
                    "MICR_CHECK_NUMBER_MISMATCH",
                    "The check number printed on the check is not the serial in the MICR line",
                    ("check_number", "micr_line"),
                    expected=shown_serial(serial),
                    actual=shown_serial(shown[0]) if shown else None,
                )
            )
        if (account_missing and not confident) or (serial_missing and not serial_confident):
            values["micr_uncertain"] = 1.0
        if values["micr_uncertain"]:
            slips = (("routing_number", routing_slip), ("account_number", account_slip), ("check_number", serial_slip))
            differing = [name for name, off in slips if off]
            reasons.append(
                Reason(
                    "MICR_UNCERTAIN",
                    "The MICR line differs from the face by a single digit, which an OCR misread explains"
                    if differing
                    else "The MICR line could be read only in part (symbols or characters lost) and does not match "
                    "the face",
                    ("micr_line", *differing),
                )
            )

        amount = doc.amount_numeric
        encoded = micr.amount_cents if micr is not None else None
        amount_differs = encoded is not None and amount is not None and encoded != round(amount * 100)
        values["micr_amount_mismatch"] = flag(amount_differs)
        if amount_differs:
            reasons.append(
                Reason(
                    "MICR_AMOUNT_MISMATCH",
                    "The amount encoded in the MICR line differs from the amount on the check",
                    ("amount_numeric", "micr_line"),
                    expected=round(amount, 2),
                    actual=round(encoded / 100, 2),
                )
            )

    @staticmethod
    def _dates(doc: CheckFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        if doc.check_date is None:
            values["check_age_days"] = MISSING
            values["days_until_check_date"] = MISSING
            values["check_date_in_future"] = 0.0
            values["stale_check"] = 0.0
            return
        age = (today - doc.check_date).days
        values["check_age_days"] = float(max(age, 0))
        values["days_until_check_date"] = float(max(-age, 0))
        future, stale = -age > FUTURE_GRACE_DAYS, age > STALE_AFTER_DAYS
        values["check_date_in_future"] = flag(future)
        values["stale_check"] = flag(stale)
        date_reason = future_date_reason(
            "CHECK_DATE_IN_FUTURE", "check_date", doc.check_date, today, "Check date", FUTURE_GRACE_DAYS
        )
        if date_reason:
            reasons.append(date_reason)
        if stale:
            reasons.append(
                Reason(
                    "STALE_CHECK",
                    f"The check is dated {age} days ago; checks go stale after {STALE_AFTER_DAYS} days",
                    ("check_date",),
                    expected=f"on or after {(today - timedelta(days=STALE_AFTER_DAYS)).isoformat()}",
                    actual=doc.check_date.isoformat(),
                )
            )

    @staticmethod
    def _parties(doc: CheckFields, values: dict[str, float], reasons: list[Reason]) -> None:
        unsigned = doc.signature_present is False
        values["signature_missing"] = flag(unsigned)
        if unsigned:
            reasons.append(
                Reason(
                    "SIGNATURE_MISSING",
                    "The check is not signed",
                    ("signature_present",),
                    expected="present",
                    actual="absent",
                )
            )

        values["payee_payer_similarity"], _ = compare_names(doc.payer_name, doc.payee_name)
        same = same_name(doc.payer_name, doc.payee_name)
        values["payee_equals_payer"] = flag(same)
        if same:
            reasons.append(
                Reason(
                    "PAYEE_EQUALS_PAYER",
                    "The check is made out to the payer themselves",
                    ("payer_name", "payee_name"),
                )
            )

    @staticmethod
    def _check_number(doc: CheckFields, values: dict[str, float], reasons: list[Reason]) -> None:
        number = check_number_value(doc.check_number)
        amount = doc.amount_numeric
        values["log_check_number"] = MISSING if number is None else math.log10(1 + number)
        low = number is not None and number < LOW_CHECK_NUMBER
        low_and_high = low and amount is not None and amount >= HIGH_AMOUNT
        values["low_check_number"] = flag(low)
        values["low_check_number_high_amount"] = flag(low_and_high)
        if low_and_high:  # a low number alone is a new checkbook, nothing to report
            reasons.append(
                Reason(
                    "LOW_CHECK_NUMBER",
                    f"A check numbered below {LOW_CHECK_NUMBER} (a new checkbook) for {HIGH_AMOUNT:,.0f} or more",
                    ("check_number", "amount_numeric"),
                    expected=f">= {LOW_CHECK_NUMBER}",
                    actual=number,
                )
            )


def printed_account(account_number: str | None) -> tuple[str | None, bool]:
    """The printed account number's digits (look-alikes repaired) and whether a repair was needed.

    A masked account ("XXXX1234") keeps its mask characters: `account_found` compares its visible digits.
    """
    if account_number is None:
        return None, False
    if _MASKED.match(account_number.strip()):
        return account_number.strip(), False
    digits, repaired = repair_lookalikes(account_number)
    if not (digits.isascii() and digits.isdigit()):
        return None, False
    return digits, repaired


def one_slip_from_micr(number: str, micr: MicrLine) -> bool:
    """Whether a printed number missing from the MICR line is one OCR slip from a group there (or from adjacent
    groups joined): a digit misread as another, or read as a symbol and lost. OCR explains such a difference,
    so it is no hard evidence; a forger's other number differs in more than one digit."""
    wanted = number.lstrip("0")
    groups = micr.groups
    for start in range(len(groups)):
        for end in range(start + 1, min(start + 3, len(groups)) + 1):
            if one_slip_apart(wanted, "".join(groups[start:end]).lstrip("0")):
                return True
    return False


def account_found(account: str, micr: MicrLine) -> bool:
    """Whether the printed account is among the MICR line's digit groups; True when the line shows none."""
    if not micr.groups:
        return True
    masked = _MASKED.match(account)
    if masked:
        return any(group.endswith(masked.group(1)) for group in micr.groups)
    return find_number(account, micr.groups)


def micr_account(serial: str | None, micr: MicrLine) -> str:
    """The MICR group that holds the account: the longest that is neither the serial nor the amount field."""
    groups = [g for g in micr.groups if g != micr.amount_group and not (serial and find_number(serial, (g,)))]
    return max(groups, key=len) if groups else (micr.account or "")


def serial_candidates(account: str | None, micr: MicrLine) -> list[str]:
    """The MICR groups that could be the serial: not the amount field, and not the account."""
    groups = [g for g in micr.groups if g != micr.amount_group]
    if account is not None and not _MASKED.match(account):
        return [g for g in groups if not find_number(account, (g,))]
    if micr.serial is not None and len(groups) >= 2:
        return [micr.serial]
    return []


def serial_found(serial: str, account: str | None, micr: MicrLine) -> bool:
    """Whether the printed check number is among the MICR groups; True when the line shows no serial to compare."""
    if find_number(serial, micr.groups):
        return True
    return not serial_candidates(account, micr)


def completed(doc: CheckFields) -> CheckFields:
    """`doc` with the routing, account and check numbers a confidently read MICR line gives where the face
    shows none: personal checks print the account only in the MICR line, and OCR may miss the face's copy."""
    if doc.micr_line is None or None not in (doc.routing_number, doc.account_number, doc.check_number):
        return doc
    micr = parse_micr(doc.micr_line, repair_lookalikes(doc.routing_number)[0] if doc.routing_number else None)
    if micr is None or not micr.confident:
        return doc
    update = {}
    if doc.routing_number is None:
        update["routing_number"] = micr.routing
    if doc.account_number is None and micr.account is not None:
        update["account_number"] = micr.account
    if doc.check_number is None and micr.serial is not None:
        update["check_number"] = micr.serial.lstrip("0") or "0"
    return doc.model_copy(update=update) if update else doc
