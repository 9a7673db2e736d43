"""Check features: what a teller or deposit-review analyst checks on the face of a check."""

from __future__ import annotations

import math
from datetime import date

from check.fields import CheckFields
from check.micr import parse_micr, same_number
from check.routing import is_valid_routing_number, normalize_digits
from domain.features import (
    MISSING,
    WRITTEN_AMOUNT_FEATURES,
    FeatureExtractor,
    FeatureSpec,
    Reason,
    compare_names,
    compare_written_amount,
    flag,
)

STALE_AFTER_DAYS = 180  # UCC 4-404: a bank need not pay a check presented more than six months after its date
LOW_CHECK_NUMBER = 200  # new accounts start their checkbooks at 101 (or 1001)
HIGH_AMOUNT = 2000.0  # a large check for a brand-new checkbook


def check_number_value(check_number: str | None) -> int | None:
    """The check number as an integer, or None when absent or not all digits."""
    digits = normalize_digits(check_number)
    if digits is None or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)


class CheckFeatureExtractor(FeatureExtractor):
    schema = CheckFields
    amount_fields = ("amount_numeric",)
    features = (
        FeatureSpec("log_amount", "log10(1 + numeric amount); -1 when missing or not positive."),
        FeatureSpec("amount_not_positive", "1 when the numeric amount is zero or negative."),
        *WRITTEN_AMOUNT_FEATURES,
        FeatureSpec(
            "routing_checksum_invalid",
            "1 when the routing number (printed, else the MICR line's) is not nine digits passing the ABA checksum.",
        ),
        FeatureSpec("micr_unreadable", "1 when a MICR line was extracted but no routing number can be found in it."),
        FeatureSpec("micr_routing_mismatch", "1 when the MICR line's routing number differs from the printed one."),
        FeatureSpec(
            "micr_account_mismatch",
            "1 when the MICR line's account number differs from the printed one (leading zeros ignored).",
        ),
        FeatureSpec(
            "micr_check_number_mismatch",
            "1 when the MICR line's serial differs from the printed check number (leading zeros ignored).",
        ),
        FeatureSpec("signature_missing", "1 when the check is reported as unsigned (signature_present is false)."),
        FeatureSpec("check_age_days", "Days from the check date to today, 0 when future-dated; -1 when missing."),
        FeatureSpec("days_until_check_date", "Days from today to a future check date, 0 otherwise; -1 when missing."),
        FeatureSpec("check_date_in_future", "1 when the check is dated after today (post-dated)."),
        FeatureSpec("stale_check", f"1 when the check is dated more than {STALE_AFTER_DAYS} days ago."),
        FeatureSpec(
            "payee_payer_similarity",
            "Similarity 0..1 of payee and payer names (case, punctuation and spacing ignored); -1 when either is "
            "missing.",
        ),
        FeatureSpec(
            "payee_equals_payer", "1 when payee and payer are the same name (case, punctuation and spacing ignored)."
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

    def compute(self, doc: CheckFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        self._amounts(doc, values, reasons)
        self._routing_and_micr(doc, values, reasons)
        self._dates(doc, today, values, reasons)

        unsigned = doc.signature_present is False
        values["signature_missing"] = flag(unsigned)
        if unsigned:
            reasons.append(Reason("SIGNATURE_MISSING", "The check is not signed"))

        values["payee_payer_similarity"], same = compare_names(doc.payer_name, doc.payee_name)
        values["payee_equals_payer"] = flag(same)
        if same:
            reasons.append(Reason("PAYEE_EQUALS_PAYER", "The check is made out to the payer themselves"))

        number = check_number_value(doc.check_number)
        amount = doc.amount_numeric
        values["log_check_number"] = MISSING if number is None else math.log10(1 + number)
        low = number is not None and number < LOW_CHECK_NUMBER
        low_and_high = low and amount is not None and amount >= HIGH_AMOUNT
        values["low_check_number"] = flag(low)
        values["low_check_number_high_amount"] = flag(low_and_high)
        if low_and_high:
            reasons.append(
                Reason(
                    "LOW_CHECK_NUMBER",
                    f"Check number is below {LOW_CHECK_NUMBER} (a new checkbook) on a large check ({amount:,.2f})",
                )
            )
        elif low:
            reasons.append(
                Reason("LOW_CHECK_NUMBER", f"Check number is below {LOW_CHECK_NUMBER}, typical of a new account")
            )

    @staticmethod
    def _amounts(doc: CheckFields, values: dict[str, float], reasons: list[Reason]) -> None:
        amount = doc.amount_numeric
        values["log_amount"] = math.log10(1 + amount) if amount is not None and amount > 0 else MISSING
        not_positive = amount is not None and amount <= 0
        values["amount_not_positive"] = flag(not_positive)
        if not_positive:
            reasons.append(Reason("AMOUNT_NOT_POSITIVE", "The check amount is zero or negative"))

        compare_written_amount(doc.amount_written, amount, values, reasons)

    @staticmethod
    def _routing_and_micr(doc: CheckFields, values: dict[str, float], reasons: list[Reason]) -> None:
        printed = normalize_digits(doc.routing_number)
        micr = parse_micr(doc.micr_line)
        routing = printed if printed is not None else (micr.routing if micr else None)
        invalid = routing is not None and not is_valid_routing_number(routing)
        values["routing_checksum_invalid"] = flag(invalid)
        if invalid:
            where = "printed" if printed is not None else "MICR"
            reasons.append(
                Reason(
                    "ROUTING_CHECKSUM_INVALID",
                    f"The {where} routing number is not a valid ABA routing number (checksum or length)",
                )
            )

        unreadable = doc.micr_line is not None and micr is None
        values["micr_unreadable"] = flag(unreadable)
        if unreadable:
            reasons.append(Reason("MICR_UNREADABLE", "No routing number can be read in the MICR line"))

        routing_differs = micr is not None and printed is not None and micr.routing != printed
        values["micr_routing_mismatch"] = flag(routing_differs)
        if routing_differs:
            reasons.append(
                Reason(
                    "MICR_ROUTING_MISMATCH",
                    "The routing number in the MICR line differs from the printed routing number",
                )
            )

        account_differs = micr is not None and same_number(micr.account, doc.account_number) is False
        values["micr_account_mismatch"] = flag(account_differs)
        if account_differs:
            reasons.append(
                Reason(
                    "MICR_ACCOUNT_MISMATCH",
                    "The account number in the MICR line differs from the printed account number",
                )
            )

        serial_differs = micr is not None and same_number(micr.serial, doc.check_number) is False
        values["micr_check_number_mismatch"] = flag(serial_differs)
        if serial_differs:
            reasons.append(
                Reason(
                    "MICR_CHECK_NUMBER_MISMATCH",
                    "The check number in the MICR line differs from the printed check number",
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
        future, stale = age < 0, age > STALE_AFTER_DAYS
        values["check_date_in_future"] = flag(future)
        values["stale_check"] = flag(stale)
        if future:
            reasons.append(
                Reason(
                    "CHECK_DATE_IN_FUTURE",
                    f"The check is dated {doc.check_date.isoformat()}, {-age} day(s) in the future",
                )
            )
        if stale:
            reasons.append(
                Reason(
                    "STALE_CHECK", f"The check is dated {age} days ago; checks go stale after {STALE_AFTER_DAYS} days"
                )
            )
