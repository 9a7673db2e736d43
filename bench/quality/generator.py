"""A seeded generator of labelled documents, independent of the service's training generators.

    from quality.generator import generate
    cases = generate("paystub", 3000, seed=1)   # 30% fraud by default

Each Case is one document as the OCR step would send it (the API's field names, amounts and dates
in the spellings the API reads, some fields dropped or misread), with its label: whether it is
fraudulent, the fraud patterns applied, how subtle, and the benign variations it carries.

How a document is made: a genuine document is drafted from what real ones look like (payroll run
over the year to date, a check and its MICR line, a money order of a real kind of issuer, a month of
posted transactions); a fraudulent one is a genuine draft with one pattern applied (a second one in
15% of them), at a subtle or an obvious strength, half and half; then it is rendered in one house
style of amounts and dates, and OCR noise is applied to the fields fraud did not touch (so a fraud
label always has its evidence in the document).

Deterministic: the same (doc_type, n, seed, fraud_rate, today) gives the same cases. Document i
depends only on (doc_type, seed, i, its label, today). `today` defaults to the current date,
because the service judges dates against its own clock.
"""

from __future__ import annotations

import random
from datetime import date
from types import ModuleType

from quality import bank_statements, checks, money_orders, paystubs
from quality.common import OBVIOUS, SUBTLE, Case, chance, pick

TYPES: dict[str, ModuleType] = {
    "paystub": paystubs,
    "check": checks,
    "money_order": money_orders,
    "bank_statement": bank_statements,
}
SECOND_PATTERN_RATE = 0.15

# The benign variations each type is built to show (each occurs in a few thousand documents).
GENUINE_VARIATIONS: dict[str, tuple[str, ...]] = {
    "paystub": (
        "pay_weekly",
        "pay_biweekly",
        "pay_semimonthly",
        "pay_monthly",
        "first_pay_of_year",
        "period_spans_new_year",
        "new_hire",
        "bonus",
        "overtime",
        "section_125",
        "401k",
        "ss_wage_base_reached",
        "ss_wage_base_partial",
        "additional_medicare",
        "no_state_tax",
        "no_federal_withholding",
        "federal_exempt",
        "local_tax",
        "state_insurance",
        "part_time",
        "paid_before_period_end",
        "ytd_not_printed",
    ),
    "check": (
        "business",
        "personal",
        "new_account_low_check_number",
        "round_amount",
        "rent",
        "joint_account",
        "stale_date",
        "micr_symbols_unicode",
        "micr_symbols_letters_acd",
        "micr_symbols_letters_to",
        "micr_symbols_punctuation",
        "micr_symbols_lost",
        "micr_symbols_transit_only",
        "micr_check_number_padded",
        "micr_number_before_account",
        "micr_amount_encoded",
        "words_handwritten",
        "words_printed",
        "words_hundreds_style",
        "words_letters_for_zero_cents",
        "words_no_cents",
        "words_cents_in_words",
        "words_filler",
        "check_number_as_integer",
    ),
    "money_order": (
        "issuer_kind_postal",
        "issuer_kind_money_service",
        "issuer_kind_bank",
        "issuer_kind_credit_union",
        "issuer_kind_retailer",
        "agent_limit_500",
        "face_limit_500",
        "face_limit_3000",
        "serial_digits_8",
        "serial_digits_9",
        "serial_digits_10",
        "serial_digits_11",
        "serial_digits_12",
        "serial_printed_grouped",
        "serial_printed_check_digit_dash",
        "round_amount",
        "amount_at_limit",
        "no_amount_in_words",
        "words_imprint",
        "words_handwritten",
        "purchaser_left_blank",
    ),
    "bank_statement": (
        "account_personal",
        "account_savings",
        "account_business",
        "quarterly_statement",
        "payroll_deposits",
        "card_purchases",
        "transfers",
        "atm",
        "checks_paid",
        "fees",
        "interest",
        "overdraft",
        "few_transactions",
        "many_transactions",
        "no_transactions",
        "repeat_purchase_same_day",
        "newest_first",
        "running_balance_end_of_day",
        "running_balance_none",
        "masked_account_number",
        "withdrawals_printed_negative",
    ),
}


def patterns(doc_type: str) -> dict[str, tuple[str, ...]]:
    """Each fraud pattern of a type and the strengths (subtle, obvious) it comes in."""
    return dict(TYPES[doc_type].PATTERNS)


def _choose_patterns(rng: random.Random, module: ModuleType) -> tuple[str, tuple[str, ...]]:
    level = pick(rng, [SUBTLE, OBVIOUS])
    available = [p for p, levels in module.PATTERNS.items() if level in levels]
    chosen = [pick(rng, available)]
    if chance(rng, SECOND_PATTERN_RATE):
        seconds = [p for p in available if p != chosen[0] and frozenset({p, chosen[0]}) not in module.EXCLUSIVE]
        if seconds:
            chosen.append(pick(rng, seconds))
    order = list(module.PATTERNS)
    return level, tuple(sorted(chosen, key=order.index))


def _one(module: ModuleType, doc_type: str, rng: random.Random, today: date, fraud: bool) -> Case:
    level, applied = _choose_patterns(rng, module) if fraud else (None, ())
    for _attempt in range(50):
        draft, context = module.draft(rng, today)
        try:
            for pattern in applied:
                module.apply_fraud(rng, draft, context, pattern, level)
        except bank_statements.NotApplicable:
            continue  # e.g. a statement without transactions: draft another
        document = module.render(rng, draft, context)
        return Case(doc_type, document, fraud, applied, level, tuple(draft.variation))
    raise RuntimeError(f"no {doc_type} draft could take {applied}")


def generate(doc_type: str, n: int, seed: int, fraud_rate: float = 0.3, today: date | None = None) -> list[Case]:
    """`n` labelled documents of `doc_type` (paystub, check, money_order, bank_statement), round(n * fraud_rate)
    of them fraudulent, in a seeded random order."""
    if doc_type not in TYPES:
        raise ValueError(f"unknown document type {doc_type!r}; expected one of {', '.join(TYPES)}")
    if not 0.0 <= fraud_rate <= 1.0:
        raise ValueError("fraud_rate must be between 0 and 1")
    today = today or date.today()
    module = TYPES[doc_type]
    fraudulent = set(random.Random(f"quality:{doc_type}:{seed}:labels").sample(range(n), round(n * fraud_rate)))
    return [
        _one(module, doc_type, random.Random(f"quality:{doc_type}:{seed}:{i}"), today, i in fraudulent)
        for i in range(n)
    ]
