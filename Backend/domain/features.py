"""The feature extractor every document type builds on.

One extractor turns one validated document into a fixed-order vector of floats and
the rule hits (reasons) behind it. The same code runs on synthetic documents at
training time and on real ones at scoring time, so there is no train/serve skew.
Every feature is declared once, with its description, in its type's extractor;
`docs/features.md` is rendered from those declarations.

Conventions: flags are 1.0/0.0; a quantity that cannot be computed because its inputs
are missing is MISSING (-1.0), which trees separate from every real value.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from functools import cached_property
from typing import Any, ClassVar

from domain.amount_words import words_to_amount
from domain.fields import DocumentFields

MISSING = -1.0
LOW_TEXT_QUALITY = 0.6
INCOMPLETE_DOCUMENT = "INCOMPLETE_DOCUMENT"  # key fields missing: the policy asks for them, never rejects on them


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    description: str


HARD, SOFT, INFO = "hard", "soft", "info"
Evidence = str | float | int | None


@dataclass(frozen=True)
class Reason:
    """A rule hit in plain words, with the evidence behind it.

    `fields` names the document fields the rule read; `expected` and `actual` are the values
    it compared, where there are such (amounts, dates, rates). `severity` is set by the
    decision policy (domain.policy) from the code: a reason is SOFT until the policy says
    otherwise. Messages and evidence never contain names or account numbers.
    """

    code: str
    message: str
    fields: tuple[str, ...] = ()
    expected: Evidence = None
    actual: Evidence = None
    severity: str = SOFT

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "fields": list(self.fields),
            "expected": self.expected,
            "actual": self.actual,
        }


@dataclass
class Extraction:
    values: list[float]
    reasons: list[Reason]


def future_date_reason(
    code: str, field: str, value: date | None, today: date, label: str, grace_days: int = 0
) -> Reason | None:
    """The reason `code` when `value` (the document's `field`) is more than `grace_days` after `today`, else None.

    A document cannot be dated after it was read; a day's grace allows for time zones east of the server.
    """
    latest = today + timedelta(days=grace_days)
    if value is None or value <= latest:
        return None
    return Reason(
        code,
        f"{label} {value.isoformat()} is {(value - today).days} day(s) in the future",
        (field,),
        expected=f"on or before {latest.isoformat()}",
        actual=value.isoformat(),
    )


REVERSED_PERIOD = -2.0  # period_length_days of a period that ends before it starts


def period_features(
    code: str,
    label: str,
    fields: tuple[str, str],
    start: date | None,
    end: date | None,
    values: dict[str, float],
    reasons: list[Reason],
    max_days: float | None = None,
) -> None:
    """`period_length_days` (capped at `max_days`) and `period_reversed` of the period `start`..`end` (the
    document's `fields`), and the hard reason `code` when it ends before it starts.

    The dates themselves are compared: a period reversed by one day is -1 days long, which reads as MISSING.
    """
    reversed_period = start is not None and end is not None and end < start
    length = days_between(start, end)
    if max_days is not None:
        length = min(length, max_days)
    values["period_length_days"] = REVERSED_PERIOD if reversed_period else length
    values["period_reversed"] = flag(reversed_period)
    if reversed_period:
        reasons.append(
            Reason(
                code,
                f"{label} ends before it starts",
                fields,
                expected=f"on or after {start.isoformat()}",
                actual=end.isoformat(),
            )
        )


def is_round_amount(amount: float | None, unit: float = 100.0) -> bool:
    """True for a non-zero whole multiple of `unit` (e.g. 5000.00): typical of made-up figures."""
    return amount is not None and amount != 0 and abs(amount) >= unit and abs(amount) % unit == 0


def ratio(numerator: float | None, denominator: float | None) -> float:
    if numerator is None or denominator is None or denominator == 0:
        return MISSING
    return numerator / denominator


def flag(condition: bool) -> float:
    return 1.0 if condition else 0.0


def days_between(earlier: date | None, later: date | None) -> float:
    """Days from `earlier` to `later`; MISSING when either is None.

    A result of -1 day is indistinguishable from MISSING: where the order of the dates
    matters, decide it from the dates themselves.
    """
    if earlier is None or later is None:
        return MISSING
    return float((later - earlier).days)


_NAME_SEPARATORS = re.compile(r"[\W_]+")


def normalize_name(name: str | None) -> str | None:
    """Case-folded, punctuation and extra spaces dropped: "  SMITH,  James." -> "smith james"; None if empty."""
    if name is None:
        return None
    return _NAME_SEPARATORS.sub(" ", name.casefold()).strip() or None


def compare_names(a: str | None, b: str | None) -> tuple[float, bool]:
    """(similarity 0..1, or MISSING when either is absent; whether they are the same name once normalised)."""
    a, b = normalize_name(a), normalize_name(b)
    if a is None or b is None:
        return MISSING, False
    return SequenceMatcher(None, a, b).ratio(), a == b


AMOUNT_TOLERANCE = 0.005  # written and numeric amounts must agree to the cent

WRITTEN_AMOUNT_FEATURES = (
    FeatureSpec(
        "written_amount_unreadable", "1 when a written (legal) amount was extracted but cannot be read as an amount."
    ),
    FeatureSpec(
        "written_amount_difference",
        "|written - numeric amount| over the numeric amount (at least 1); -1 when either is missing or unreadable.",
    ),
    FeatureSpec(
        "amount_mismatch",
        "1 when the written amount differs from the numeric amount by a cent or more, or cannot be read.",
    ),
)


def compare_written_amount(
    written_text: str | None, amount: float | None, values: dict[str, float], reasons: list[Reason]
) -> None:
    """The WRITTEN_AMOUNT_FEATURES of a document whose legal line reads `written_text` and figure is `amount`."""
    written = words_to_amount(written_text)
    unreadable = written_text is not None and written is None
    values["written_amount_unreadable"] = flag(unreadable)
    difference = abs(written - amount) if written is not None and amount is not None else None
    values["written_amount_difference"] = MISSING if difference is None else difference / max(abs(amount), 1.0)
    differs = difference is not None and difference > AMOUNT_TOLERANCE
    values["amount_mismatch"] = flag(differs or unreadable)
    fields = ("amount_written", "amount")
    if differs:
        reasons.append(
            Reason(
                "AMOUNT_MISMATCH",
                f"The written amount ({written:,.2f}) does not match the numeric amount ({amount:,.2f})",
                fields,
                expected=round(amount, 2),
                actual=round(written, 2),
            )
        )
    elif unreadable:
        # Handwriting OCR cannot read is not evidence of an edit: a soft reason of its own.
        reasons.append(Reason("AMOUNT_WORDS_UNREADABLE", "The written amount cannot be read as an amount", fields))


COMMON_FEATURES = (
    FeatureSpec("missing_key_field_count", "How many of the type's key fields are missing or empty."),
    FeatureSpec("text_quality", "OCR text quality 0..1 as sent; -1 when not sent."),
    FeatureSpec("low_text_quality", f"1 when text quality is below {LOW_TEXT_QUALITY}."),
    FeatureSpec("round_amount_count", "How many of the type's amount fields are whole multiples of 100."),
)


class FeatureExtractor(ABC):
    """Turns a validated document of one type into features and reasons.

    Subclasses declare `schema`, `features` (their own FeatureSpecs, in order) and
    `amount_fields`, and implement `compute`. The base adds the features every type
    shares: one presence flag per key field, the missing-field count, text quality and
    round amounts.
    """

    schema: ClassVar[type[DocumentFields]]
    features: ClassVar[tuple[FeatureSpec, ...]]
    amount_fields: ClassVar[tuple[str, ...]] = ()

    @cached_property
    def feature_specs(self) -> tuple[FeatureSpec, ...]:
        presence = tuple(
            FeatureSpec(f"has_{name}", f"1 when {name} was extracted, 0 when missing or empty.")
            for name in self.schema.key_fields
        )
        return presence + COMMON_FEATURES + self.features

    @cached_property
    def feature_names(self) -> list[str]:
        return [spec.name for spec in self.feature_specs]

    def extract(self, doc: DocumentFields, today: date) -> Extraction:
        """Features (in `feature_names` order) and reasons for one document, as of `today`."""
        values: dict[str, float] = {}
        reasons: list[Reason] = []
        missing = []
        for name in doc.key_fields:
            present = getattr(doc, name) not in (None, [])
            values[f"has_{name}"] = flag(present)
            if not present:
                missing.append(name)
        values["missing_key_field_count"] = float(len(missing))
        if missing:
            reasons.append(
                Reason(
                    INCOMPLETE_DOCUMENT,
                    f"{len(missing)} key field(s) missing or unreadable; ask the applicant for: {', '.join(missing)}",
                    fields=tuple(missing),
                )
            )

        quality = getattr(doc, "text_quality", None)
        values["text_quality"] = MISSING if quality is None else quality
        values["low_text_quality"] = flag(quality is not None and quality < LOW_TEXT_QUALITY)
        if quality is not None and quality < LOW_TEXT_QUALITY:
            reasons.append(
                Reason(
                    "LOW_TEXT_QUALITY",
                    f"OCR text quality is low ({quality:.2f})",
                    ("text_quality",),
                    expected=f">= {LOW_TEXT_QUALITY}",
                    actual=quality,
                )
            )

        round_fields = [name for name in self.amount_fields if is_round_amount(getattr(doc, name))]
        values["round_amount_count"] = float(len(round_fields))
        if round_fields:
            reasons.append(
                Reason("ROUND_AMOUNTS", "Round-number amounts in: " + ", ".join(round_fields), tuple(round_fields))
            )

        self.compute(doc, today, values, reasons)
        return Extraction([values[name] for name in self.feature_names], reasons)

    @abstractmethod
    def compute(self, doc: DocumentFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        """Add this type's own features to `values` and its rule hits to `reasons`."""
