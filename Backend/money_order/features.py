"""Money order features: the checks a teller makes before cashing one.

Is the issuer one of the table (data in issuers.json), a local bank or credit union, or
unknown; does its name imitate a known issuer's; is the face value within what that issuer
sells; is the serial in one of the issuer's formats; do the written and numeric amounts agree;
is the date plausible; is the purchaser paying themself.

Money orders are bought in round figures (rent, deposits), so round amounts are no reason here:
the type declares no `amount_fields` and the shared ROUND_AMOUNTS rule never fires. An amount
above a lower agent limit but within the issuer's is ordinary too (another agent sold it).
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
    future_date_reason,
    ratio,
)
from money_order.fields import MoneyOrderFields
from money_order.issuers import (
    GENERIC_INSTITUTIONS,
    Issuer,
    is_generic_institution,
    is_placeholder_serial,
    lookup_issuer,
    matches_any_serial_format,
    nearest_issuer,
    normalize_serial,
)

LOOKALIKE_SIMILARITY = 0.8  # an unknown issuer this close to a known name is a look-alike, not just unlisted


class MoneyOrderFeatureExtractor(FeatureExtractor):
    schema = MoneyOrderFields
    amount_fields = ()  # round amounts are ordinary on money orders: no ROUND_AMOUNTS
    features = (
        FeatureSpec("log_amount", "log10(1 + amount); -1 when missing."),
        FeatureSpec("whole_dollar_amount", "1 when the amount has no cents (e.g. 950.00)."),
        FeatureSpec(
            "unknown_issuer",
            "1 when an issuer was extracted but is neither in the issuer table nor a bank or credit union.",
        ),
        FeatureSpec(
            "issuer_generic_institution",
            "1 when the issuer is a bank or credit union issuing under its own name (not a named issuer of the table).",
        ),
        FeatureSpec(
            "issuer_name_similarity",
            "Similarity 0..1 of the issuer name to the nearest known issuer name (1 when known, 0.9 when it carries"
            " a known name or a word only that issuer uses, 0 for a bank or credit union); -1 when missing.",
        ),
        FeatureSpec(
            "issuer_lookalike",
            f"1 when the issuer is not in the table but its name is at least {LOOKALIKE_SIMILARITY} similar to one"
            " that is.",
        ),
        FeatureSpec(
            "issuer_face_value_limit", "The known issuer's face-value limit; -1 when the issuer is unknown or missing."
        ),
        FeatureSpec("amount_to_limit_ratio", "Amount over the issuer's face-value limit; -1 when either is unknown."),
        FeatureSpec("amount_over_issuer_limit", "1 when the amount is above the known issuer's face-value limit."),
        FeatureSpec(
            "amount_above_usual_face_value",
            "1 when the issuer is not in the table and the amount is above the usual largest money order"
            f" ({GENERIC_INSTITUTIONS.usual_max_face_value:,.0f}).",
        ),
        FeatureSpec("serial_length", "Characters in the serial number, spaces and dashes removed; -1 when missing."),
        FeatureSpec("serial_non_digit_count", "Characters in the serial number that are not digits; -1 when missing."),
        FeatureSpec(
            "serial_format_invalid",
            "1 when the serial number is in none of the issuer's formats (issuer not in the table: in no format"
            " of the table), or its digits are a placeholder (see serial_placeholder_digits).",
        ),
        FeatureSpec(
            "serial_placeholder_digits",
            "1 when the serial's digits are one digit repeated or a running sequence (0000000000, 1234567890).",
        ),
        *WRITTEN_AMOUNT_FEATURES,
        FeatureSpec("days_since_issue", "Days from the issue date to today, 0 for a future date; -1 when missing."),
        FeatureSpec(
            "days_issue_in_future", "Days the issue date lies after today, 0 when not in the future; -1 when missing."
        ),
        FeatureSpec("issue_date_in_future", "1 when the issue date is after today."),
        FeatureSpec(
            "payee_equals_purchaser", "1 when the payee and purchaser are the same name (case and punctuation ignored)."
        ),
    )

    def compute(self, doc: MoneyOrderFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        amount = doc.amount
        values["log_amount"] = math.log10(1 + amount) if amount is not None and amount >= 0 else MISSING
        values["whole_dollar_amount"] = flag(amount is not None and amount != 0 and round(amount * 100) % 100 == 0)

        issuer = lookup_issuer(doc.issuer)
        self._issuer_name(doc, issuer, values, reasons)
        self._face_value(doc, issuer, values, reasons)
        self._serial(doc, issuer, values, reasons)
        compare_written_amount(doc.amount_written, doc.amount, values, reasons)
        self._issue_date(doc, today, values, reasons)

        # Only sameness counts: how alike two different names are (relatives, a landlord's company) says nothing.
        _, same = compare_names(doc.purchaser_name, doc.payee_name)
        values["payee_equals_purchaser"] = flag(same)
        if same:
            reasons.append(
                Reason(
                    "PAYEE_EQUALS_PURCHASER",
                    "The payee and the purchaser are the same person",
                    ("payee_name", "purchaser_name"),
                )
            )

    @staticmethod
    def _issuer_name(
        doc: MoneyOrderFields, issuer: Issuer | None, values: dict[str, float], reasons: list[Reason]
    ) -> None:
        """Known, bank or credit union, unknown, or a look-alike of a known name (UNKNOWN_ISSUER, ISSUER_LOOKALIKE)."""
        nearest = nearest_issuer(doc.issuer)
        generic = is_generic_institution(doc.issuer)
        unknown = nearest is not None and issuer is None and not generic
        # A bank's own name is not a look-alike even when it shares words with an issuer's.
        lookalike = nearest is not None and issuer is None and not generic and nearest[1] >= LOOKALIKE_SIMILARITY
        values["unknown_issuer"] = flag(unknown)
        values["issuer_generic_institution"] = flag(generic)
        # A bank's own name is compared to no issuer's: its similarity would only tell one bank from another.
        values["issuer_name_similarity"] = MISSING if nearest is None else 0.0 if generic else nearest[1]
        values["issuer_lookalike"] = flag(lookalike)
        if lookalike:
            reasons.append(
                Reason(
                    "ISSUER_LOOKALIKE",
                    "The issuer's name closely resembles a known money order issuer's without being it",
                    ("issuer",),
                    expected=nearest[0].name,
                    actual=round(nearest[1], 2),
                )
            )
        elif unknown:
            reasons.append(
                Reason(
                    "UNKNOWN_ISSUER",
                    "The issuer is neither in the issuer table nor a bank or credit union",
                    ("issuer",),
                    expected="an issuer of the table, a bank or a credit union",
                    actual=round(nearest[1], 2),
                )
            )

    @staticmethod
    def _face_value(
        doc: MoneyOrderFields, issuer: Issuer | None, values: dict[str, float], reasons: list[Reason]
    ) -> None:
        """The amount against the issuer's top face-value limit (AMOUNT_OVER_ISSUER_LIMIT, hard) or, issuer not in
        the table, against the usual largest money order (AMOUNT_ABOVE_USUAL_FACE_VALUE, soft). Agent limits are
        no rule: another agent of the issuer sells up to its limit."""
        limit = issuer.face_value_limit if issuer else None
        values["issuer_face_value_limit"] = MISSING if limit is None else limit
        values["amount_to_limit_ratio"] = ratio(doc.amount, limit)
        over = limit is not None and doc.amount is not None and doc.amount > limit
        values["amount_over_issuer_limit"] = flag(over)
        usual_max = GENERIC_INSTITUTIONS.usual_max_face_value
        unusual = limit is None and doc.amount is not None and doc.amount > usual_max
        values["amount_above_usual_face_value"] = flag(unusual)
        if unusual:
            reasons.append(
                Reason(
                    "AMOUNT_ABOVE_USUAL_FACE_VALUE",
                    f"Amount {doc.amount:,.2f} is above the largest money order most issuers sell, {usual_max:,.2f}; "
                    "the issuer is not in the table, so its own limit is unknown",
                    ("amount", "issuer"),
                    expected=round(usual_max, 2),
                    actual=round(doc.amount, 2),
                )
            )
        if over:
            reasons.append(
                Reason(
                    "AMOUNT_OVER_ISSUER_LIMIT",
                    f"Amount {doc.amount:,.2f} is above the most this issuer sells on one money order, "
                    f"{limit:,.2f} ({doc.amount / limit:.2f} times the limit)",
                    ("amount", "issuer"),
                    expected=round(limit, 2),
                    actual=round(doc.amount, 2),
                )
            )

    @staticmethod
    def _serial(doc: MoneyOrderFields, issuer: Issuer | None, values: dict[str, float], reasons: list[Reason]) -> None:
        """The serial against the issuer's formats, or every format of the table when the issuer is not in it."""
        if doc.serial_number is None:
            values["serial_length"] = values["serial_non_digit_count"] = MISSING
            values["serial_format_invalid"] = values["serial_placeholder_digits"] = 0.0
            return
        serial = normalize_serial(doc.serial_number)
        non_digits = sum(not c.isdigit() for c in serial)
        values["serial_length"] = float(len(serial))
        values["serial_non_digit_count"] = float(non_digits)
        placeholder = is_placeholder_serial(serial)
        unformatted = not issuer.serial_matches(serial) if issuer else not matches_any_serial_format(serial)
        values["serial_placeholder_digits"] = flag(placeholder)
        values["serial_format_invalid"] = flag(unformatted or placeholder)
        if not (unformatted or placeholder):
            return
        # The evidence describes the serial's shape, never the serial itself.
        shape = f"{len(serial)} characters, {non_digits} not digits"
        if placeholder:
            formats = "an issued serial number"
            shape = f"{shape}, one digit repeated or a running sequence"
            message = "The serial number's digits are one digit repeated or a running sequence, as on specimens"
        elif issuer:
            formats = " or ".join(f.pattern.pattern for f in issuer.serial_formats)
            message = "The serial number is in none of the issuer's serial-number formats"
        else:
            formats = "a format of the issuer table"
            message = "The serial number is in no serial-number format of the issuer table"
        reasons.append(
            Reason("SERIAL_FORMAT_INVALID", message, ("serial_number", "issuer"), expected=formats, actual=shape)
        )

    @staticmethod
    def _issue_date(doc: MoneyOrderFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        # Tested on the date, not on the difference: a date one day ahead is also -1 days old.
        age = days_between(doc.issue_date, today)
        values["days_since_issue"] = MISSING if doc.issue_date is None else max(age, 0.0)
        values["days_issue_in_future"] = MISSING if doc.issue_date is None else max(-age, 0.0)
        future = doc.issue_date is not None and doc.issue_date > today
        values["issue_date_in_future"] = flag(future)
        if reason := future_date_reason("ISSUE_DATE_IN_FUTURE", "issue_date", doc.issue_date, today, "Issue date"):
            reasons.append(reason)
