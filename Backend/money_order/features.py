"""Money order features: the checks a teller makes before cashing one.

Is the issuer real, is the face value within what that issuer sells, is the serial in
the issuer's format, do the written and numeric amounts agree, is the date plausible,
and is the purchaser paying themself.
"""

from __future__ import annotations

import math
from datetime import date

from domain.features import (
    MISSING,
    WRITTEN_AMOUNT_FEATURES,
    FeatureExtractor,
    FeatureSpec,
    Reason,
    compare_names,
    compare_written_amount,
    days_between,
    flag,
    ratio,
)
from money_order.fields import MoneyOrderFields
from money_order.issuers import issuer_name_similarity, lookup_issuer, matches_any_serial_format, normalize_serial

LOOKALIKE_SIMILARITY = 0.85  # an unknown issuer this close to a known name is a look-alike, not just unlisted
NEAR_LIMIT_SHARE = 0.9  # a whole-dollar amount at 90% or more of the limit is "at the limit"


class MoneyOrderFeatureExtractor(FeatureExtractor):
    schema = MoneyOrderFields
    amount_fields = ("amount",)
    features = (
        FeatureSpec("log_amount", "log10(1 + amount); -1 when missing."),
        FeatureSpec("whole_dollar_amount", "1 when the amount has no cents (e.g. 950.00)."),
        FeatureSpec("unknown_issuer", "1 when an issuer was extracted but is not in the issuer table."),
        FeatureSpec(
            "issuer_name_similarity",
            "Similarity 0..1 of the issuer name to the nearest known issuer name (1 when known); -1 when missing.",
        ),
        FeatureSpec(
            "issuer_lookalike",
            f"1 when the issuer is unknown but its name is at least {LOOKALIKE_SIMILARITY} similar to a known one.",
        ),
        FeatureSpec(
            "issuer_face_value_limit", "The known issuer's face-value limit; -1 when the issuer is unknown or missing."
        ),
        FeatureSpec("amount_to_limit_ratio", "Amount over the issuer's face-value limit; -1 when either is unknown."),
        FeatureSpec("amount_over_issuer_limit", "1 when the amount is above the issuer's face-value limit."),
        FeatureSpec(
            "whole_dollar_near_limit",
            f"1 when a whole-dollar amount is at or within {1 - NEAR_LIMIT_SHARE:.0%} under the issuer's limit.",
        ),
        FeatureSpec("serial_length", "Characters in the serial number, spaces and dashes removed; -1 when missing."),
        FeatureSpec("serial_non_digit_count", "Characters in the serial number that are not digits; -1 when missing."),
        FeatureSpec(
            "serial_format_invalid",
            "1 when the serial number is not in the issuer's format (or, issuer unknown, in no known issuer's format).",
        ),
        *WRITTEN_AMOUNT_FEATURES,
        FeatureSpec("days_since_issue", "Days from the issue date to today, 0 for a future date; -1 when missing."),
        FeatureSpec(
            "days_issue_in_future", "Days the issue date lies after today, 0 when not in the future; -1 when missing."
        ),
        FeatureSpec("issue_date_in_future", "1 when the issue date is after today."),
        FeatureSpec(
            "payee_purchaser_similarity", "Similarity 0..1 of the payee and purchaser names; -1 when either is missing."
        ),
        FeatureSpec(
            "payee_equals_purchaser", "1 when the payee and purchaser are the same name (case and punctuation ignored)."
        ),
    )

    def compute(self, doc: MoneyOrderFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        amount = doc.amount
        values["log_amount"] = math.log10(1 + amount) if amount is not None and amount >= 0 else MISSING
        values["whole_dollar_amount"] = flag(amount is not None and amount != 0 and round(amount * 100) % 100 == 0)

        self._issuer(doc, values, reasons)
        self._serial(doc, values, reasons)
        compare_written_amount(doc.amount_written, doc.amount, values, reasons)
        self._issue_date(doc, today, values, reasons)

        values["payee_purchaser_similarity"], same = compare_names(doc.purchaser_name, doc.payee_name)
        values["payee_equals_purchaser"] = flag(same)
        if same:
            reasons.append(Reason("PAYEE_EQUALS_PURCHASER", "The payee and the purchaser are the same person"))

    @staticmethod
    def _issuer(doc: MoneyOrderFields, values: dict[str, float], reasons: list[Reason]) -> None:
        issuer = lookup_issuer(doc.issuer)
        similarity = issuer_name_similarity(doc.issuer)
        unknown = similarity is not None and issuer is None
        lookalike = unknown and similarity >= LOOKALIKE_SIMILARITY
        values["unknown_issuer"] = flag(unknown)
        values["issuer_name_similarity"] = MISSING if similarity is None else similarity
        values["issuer_lookalike"] = flag(lookalike)
        if lookalike:
            reasons.append(
                Reason(
                    "UNKNOWN_ISSUER",
                    "The issuer is not a known money order issuer, and its name closely resembles one that is",
                )
            )
        elif unknown:
            reasons.append(Reason("UNKNOWN_ISSUER", "The issuer is not a known money order issuer"))

        limit = issuer.face_value_limit if issuer else None
        values["issuer_face_value_limit"] = MISSING if limit is None else limit
        values["amount_to_limit_ratio"] = ratio(doc.amount, limit)
        over = limit is not None and doc.amount is not None and doc.amount > limit
        values["amount_over_issuer_limit"] = flag(over)
        if over:
            reasons.append(
                Reason(
                    "AMOUNT_OVER_ISSUER_LIMIT",
                    f"Amount {doc.amount:,.2f} is above the issuer's face-value limit of {limit:,.2f} "
                    f"({doc.amount / limit:.2f} times the limit)",
                )
            )
        near = (
            not over
            and limit is not None
            and doc.amount is not None
            and values["whole_dollar_amount"] == 1.0
            and doc.amount >= NEAR_LIMIT_SHARE * limit
        )
        values["whole_dollar_near_limit"] = flag(near)
        if near:
            reasons.append(
                Reason(
                    "ROUND_AMOUNT_AT_LIMIT",
                    "The amount is a whole-dollar figure at or just under the issuer's face-value limit",
                )
            )

    @staticmethod
    def _serial(doc: MoneyOrderFields, values: dict[str, float], reasons: list[Reason]) -> None:
        if doc.serial_number is None:
            values["serial_length"] = values["serial_non_digit_count"] = MISSING
            values["serial_format_invalid"] = 0.0
            return
        serial = normalize_serial(doc.serial_number)
        values["serial_length"] = float(len(serial))
        values["serial_non_digit_count"] = float(sum(not c.isdigit() for c in serial))
        issuer = lookup_issuer(doc.issuer)
        invalid = not issuer.serial_matches(serial) if issuer else not matches_any_serial_format(serial)
        values["serial_format_invalid"] = flag(invalid)
        if invalid and issuer:
            reasons.append(
                Reason("SERIAL_FORMAT_INVALID", "The serial number is not in the issuer's serial-number format")
            )
        elif invalid:
            reasons.append(
                Reason("SERIAL_FORMAT_INVALID", "The serial number is in no known issuer's serial-number format")
            )

    @staticmethod
    def _issue_date(doc: MoneyOrderFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        # Tested on the date, not on the difference: a date one day ahead is also -1 days old.
        age = days_between(doc.issue_date, today)
        values["days_since_issue"] = MISSING if doc.issue_date is None else max(age, 0.0)
        values["days_issue_in_future"] = MISSING if doc.issue_date is None else max(-age, 0.0)
        future = doc.issue_date is not None and doc.issue_date > today
        values["issue_date_in_future"] = flag(future)
        if future:
            reasons.append(Reason("ISSUE_DATE_IN_FUTURE", f"Issue date {doc.issue_date.isoformat()} is in the future"))
