"""Seeded generators of raw synthetic documents, the training data before reviewers label any.

A generator produces documents exactly as the frontend sends them (amounts sometimes
as "$1,234.56" strings, dates sometimes MM/DD/YYYY, fields sometimes missing), so the
training pipeline validates and extracts features from them through the same code as
a scoring request.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

import numpy as np

GENUINE_RISK = 15.0
FRAUD_RISK = 85.0

FraudPattern = Callable[[dict[str, Any], np.random.Generator, date], None]


@dataclass
class SyntheticBatch:
    """`documents[i]` is a raw document; `labels[i]` is 1 for fraud; `patterns[i]` names what was injected."""

    documents: list[dict[str, Any]]
    labels: list[int]
    patterns: list[tuple[str, ...]]

    @property
    def risk_targets(self) -> list[float]:
        return [FRAUD_RISK if label else GENUINE_RISK for label in self.labels]


class SyntheticDocumentGenerator(ABC):
    """Generates labelled raw documents of one type.

    Subclasses implement `genuine` (one plausible real document) and declare
    `fraud_patterns`, functions that each tamper with a genuine document in place the
    way a fraudster would. A fraudulent sample gets one to three patterns.
    """

    fraud_patterns: ClassVar[dict[str, FraudPattern]]

    @abstractmethod
    def genuine(self, rng: np.random.Generator, today: date) -> dict[str, Any]:
        """One genuine document, fields as extracted by OCR."""

    def generate(
        self,
        n_samples: int,
        random_state: int,
        fraud_rate: float = 0.5,
        today: date | None = None,
    ) -> SyntheticBatch:
        """`n_samples` documents, a `fraud_rate` share of them fraudulent; same seed, same batch.

        Genuine and fraudulent documents alike then lose fields to OCR (`ocr_losses`), never the
        fields a fraud pattern changed: those are its evidence, and a real forgery keeps them.
        """
        rng = np.random.default_rng(random_state)
        today = today or date.today()
        names = sorted(self.fraud_patterns)
        documents, labels, patterns = [], [], []
        for _ in range(n_samples):
            document = self.genuine(rng, today)
            draft = dict(document)
            applied: tuple[str, ...] = ()
            if rng.random() < fraud_rate:
                count = int(rng.choice([1, 1, 2, 3]))
                applied = tuple(str(n) for n in rng.choice(names, size=min(count, len(names)), replace=False))
                for name in applied:
                    self.fraud_patterns[name](document, rng, today)
            evidence = {name for name, value in document.items() if name not in draft or draft[name] != value}
            self.ocr_losses(document, rng, protected=evidence)
            documents.append(self.ocr_noise(document, rng))
            labels.append(1 if applied else 0)
            patterns.append(applied)
        return SyntheticBatch(documents, labels, patterns)

    def ocr_losses(self, document: dict[str, Any], rng: np.random.Generator, protected: Collection[str] = ()) -> None:
        """OCR drops a field, key fields included, in OCR_DROP_RATE of documents: left out, null or "".

        Real extractions lose fields all the time; a generator whose genuine documents never do
        teaches the models that a missing field means fraud.
        """
        if rng.random() >= OCR_DROP_RATE:
            return
        candidates = [name for name, value in document.items() if value not in (None, "", []) and name not in protected]
        if not candidates:
            return
        name = pick(rng, sorted(candidates))
        how = rng.random()
        if how < 0.4:
            del document[name]
        elif how < 0.7 and isinstance(document[name], str):
            document[name] = ""
        elif isinstance(document[name], list):
            document[name] = []
        else:
            document[name] = None

    def ocr_noise(self, document: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        """Render values the ways OCR output spells them, one house style per document.

        Amounts as numbers, "1234.56", "$1,234.56" or "1,234.56 USD"; dates as ISO 8601,
        MM/DD/YYYY or an ISO timestamp.
        """
        amount_style = pick(rng, AMOUNT_STYLES)
        date_style = pick(rng, DATE_STYLES)
        noisy = {}
        for name, value in document.items():
            if isinstance(value, float) and name != "text_quality":
                value = render_amount(value, amount_style)
            elif isinstance(value, date):
                value = render_date(value, date_style)
            noisy[name] = value
        return noisy


AMOUNT_STYLES = ("number", "number", "number", "plain", "dollars", "dollars", "usd")
DATE_STYLES = ("iso", "iso", "iso", "us", "us", "timestamp")
OCR_DROP_RATE = 0.06


def render_amount(value: float, style: str) -> float | str:
    """`value` as a number or in one of the spellings OCR produces (see AMOUNT_STYLES)."""
    if style == "plain":
        return f"{value:.2f}"
    if style == "dollars":
        return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"
    if style == "usd":
        return f"{value:,.2f} USD"
    return value


def render_date(value: date, style: str) -> str:
    """`value` as ISO 8601, MM/DD/YYYY or an ISO timestamp (see DATE_STYLES)."""
    if style == "us":
        return value.strftime("%m/%d/%Y")
    if style == "timestamp":
        return f"{value.isoformat()}T00:00:00"
    return value.isoformat()


# Helpers the type generators share.


def money(rng: np.random.Generator, low: float, high: float) -> float:
    """A uniformly drawn amount in cents precision that is not a round figure."""
    value = round(float(rng.uniform(low, high)), 2)
    return value + 0.37 if value % 100 == 0 else value


def pick(rng: np.random.Generator, options: list[str] | tuple[str, ...]) -> str:
    return str(options[int(rng.integers(len(options)))])


def digits(rng: np.random.Generator, count: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, size=count))


def recent_date(rng: np.random.Generator, today: date, max_days_ago: int, min_days_ago: int = 0) -> date:
    return today - timedelta(days=int(rng.integers(min_days_ago, max_days_ago + 1)))


FIRST_NAMES = (
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Aisha",
    "David",
    "Mei",
    "Carlos",
    "Emily",
    "Omar",
    "Grace",
)
LAST_NAMES = (
    "Smith",
    "Garcia",
    "Johnson",
    "Nguyen",
    "Brown",
    "Patel",
    "Miller",
    "Kim",
    "Davis",
    "Lopez",
    "Wilson",
    "Chen",
)
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Elm St", "Lake Rd", "Hill St")
CITIES = ("Springfield, IL", "Austin, TX", "Columbus, OH", "Portland, OR", "Raleigh, NC", "Denver, CO", "Tampa, FL")


def scan_quality(rng: np.random.Generator) -> float:
    """OCR text quality of a genuine document's ordinary scan."""
    return round(float(rng.uniform(0.72, 1.0)), 3)


def drop_optional(
    document: dict[str, Any], rng: np.random.Generator, fields: tuple[str, ...], rate: float = 0.05
) -> None:
    """Blank each of `fields` with probability `rate`: genuine documents miss optional fields too."""
    for name in fields:
        if rng.random() < rate:
            document[name] = None


def person_name(rng: np.random.Generator) -> str:
    return f"{pick(rng, FIRST_NAMES)} {pick(rng, LAST_NAMES)}"


def other_person(rng: np.random.Generator, than: str) -> str:
    """A name other than `than`: on a genuine document the two parties are different people."""
    name = person_name(rng)
    while name == than:
        name = person_name(rng)
    return name


def address(rng: np.random.Generator) -> str:
    return f"{int(rng.integers(10, 9999))} {pick(rng, STREETS)}, {pick(rng, CITIES)}"


# Fraud patterns the types share; a type supplies what differs (fields, date range, the edit a bad scan hides).

POOR_SCAN_QUALITY = (0.15, 0.55)


def poor_scan(hidden_edit: FraudPattern) -> FraudPattern:
    """A low-quality copy together with `hidden_edit`, the alteration the blur is there to hide."""

    def pattern(doc: dict[str, Any], rng: np.random.Generator, today: date) -> None:
        doc["text_quality"] = round(float(rng.uniform(*POOR_SCAN_QUALITY)), 3)
        hidden_edit(doc, rng, today)

    return pattern


def future_date(field: str, days: tuple[int, int]) -> FraudPattern:
    """Date `field` `rng.integers(*days)` days after today (high end exclusive): a post-dated document."""

    def pattern(doc: dict[str, Any], rng: np.random.Generator, today: date) -> None:
        doc[field] = today + timedelta(days=int(rng.integers(*days)))

    return pattern
