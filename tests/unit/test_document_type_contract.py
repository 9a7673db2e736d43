"""What every document type keeps, checked on all four: paystub, check, money order, bank statement.

The type is bound to its fields, features and generator; its feature vector matches the names
it declares; its generator is seeded, labels what it forges, and each fraud pattern leaves the
trace its rule reports and copes with fields a forger left out; reasons quote nothing of the
document. Rules of one type (routing numbers, MICR, issuers, transactions) are in
test_check_type.py, test_money_order_type.py and test_bank_statement_type.py; what the app does
with every type (scoring round trip, OpenAPI, hostile input) is in integration/test_api.py and
integration/test_api_hostile.py.
"""

from __future__ import annotations

import math
import re
from datetime import date

import numpy as np
import pytest

from bank_statement.features import BankStatementFeatureExtractor
from bank_statement.fields import BankStatementFields
from bank_statement.synthetic import BankStatementGenerator
from check.features import CheckFeatureExtractor
from check.fields import CheckFields
from check.synthetic import CheckGenerator
from document_types import DOCUMENT_TYPES
from domain.fields import validate_document
from money_order.features import MoneyOrderFeatureExtractor
from money_order.fields import MoneyOrderFields
from money_order.synthetic import MoneyOrderGenerator
from paystub.features import PaystubFeatureExtractor
from paystub.fields import PaystubFields
from paystub.synthetic import PaystubGenerator
from support.api import TEXT_PARSERS, fields_parsed_by

TODAY = date(2025, 6, 1)
TYPES = list(DOCUMENT_TYPES.values())
BOUND = {  # (name, slug, table, label), fields, extractor, generator
    "paystub": (
        ("paystub", "paystubs", "paystubs", "Paystub"),
        PaystubFields,
        PaystubFeatureExtractor,
        PaystubGenerator,
    ),
    "check": (("check", "checks", "checks", "Check"), CheckFields, CheckFeatureExtractor, CheckGenerator),
    "money_order": (
        ("money_order", "money-orders", "money_orders", "Money order"),
        MoneyOrderFields,
        MoneyOrderFeatureExtractor,
        MoneyOrderGenerator,
    ),
    "bank_statement": (
        ("bank_statement", "bank-statements", "bank_statements", "Bank statement"),
        BankStatementFields,
        BankStatementFeatureExtractor,
        BankStatementGenerator,
    ),
}
# The rule codes a document forged with one pattern shows (at least one of them), per type and pattern.
EXPECTED_TRACE = {
    "paystub": {
        "net_above_gross": {"NET_EXCEEDS_GROSS"},
        "inflated_gross": {
            "DEDUCTIONS_DO_NOT_ADD_UP",
            "DEDUCTIONS_UNACCOUNTED",
            "SOCIAL_SECURITY_BELOW_STATUTORY_RATE",
            "MEDICARE_BELOW_STATUTORY_RATE",
        },
        "inflated_net": {"DEDUCTIONS_DO_NOT_ADD_UP", "DEDUCTIONS_UNACCOUNTED"},
        "wrong_statutory_rates": {"SOCIAL_SECURITY_ABOVE_STATUTORY_RATE", "MEDICARE_ABOVE_STATUTORY_RATE"},
        "ytd_below_current": {"YTD_BELOW_CURRENT"},
        "ytd_inflated": {"YTD_NET_SHARE_INCONSISTENT", "YTD_HIGH_FOR_PAY_DATE"},
        "future_pay_date": {"PAY_DATE_IN_FUTURE"},
        "pay_date_outside_period": {"PAY_DATE_OUTSIDE_PERIOD"},
        "made_up_round_figures": {"DEDUCTIONS_DO_NOT_ADD_UP", "DEDUCTIONS_UNACCOUNTED", "NET_EXCEEDS_GROSS"},
        "no_withholding": {"DEDUCTIONS_DO_NOT_ADD_UP", "DEDUCTIONS_UNACCOUNTED", "YTD_NET_SHARE_INCONSISTENT"},
        "implausible_federal_tax": {"FEDERAL_TAX_IMPLAUSIBLE"},
        "poor_scan": {"LOW_TEXT_QUALITY"},
    },
    "check": {
        "invalid_routing_checksum": {"ROUTING_CHECKSUM_INVALID", "MICR_ROUTING_MISMATCH"},
        "amount_mismatch": {"AMOUNT_MISMATCH"},
        "missing_signature": {"SIGNATURE_MISSING"},
        "future_date": {"CHECK_DATE_IN_FUTURE"},
        "stale_date": {"STALE_CHECK"},
        # a MICR line OCR read only by guessing is soft evidence (MICR_UNCERTAIN), a clean one hard
        "micr_routing_mismatch": {"MICR_ROUTING_MISMATCH", "MICR_UNCERTAIN"},
        "micr_account_mismatch": {"MICR_ACCOUNT_MISMATCH", "MICR_UNCERTAIN"},
        "micr_check_number_mismatch": {"MICR_CHECK_NUMBER_MISMATCH", "MICR_UNCERTAIN"},
        "payee_equals_payer": {"PAYEE_EQUALS_PAYER"},
        "poor_scan_altered_amount": {"AMOUNT_MISMATCH", "AMOUNT_WORDS_UNREADABLE"},
    },
    "money_order": {
        "amount_over_limit": {"AMOUNT_OVER_ISSUER_LIMIT", "AMOUNT_ABOVE_USUAL_FACE_VALUE"},
        "counterfeit_serial": {"SERIAL_FORMAT_INVALID"},
        "lookalike_issuer": {"ISSUER_LOOKALIKE"},
        "altered_amount": {"AMOUNT_MISMATCH"},
        "future_date": {"ISSUE_DATE_IN_FUTURE"},
        "poor_scan": {"LOW_TEXT_QUALITY"},
    },
    "bank_statement": {
        "closing_balance_edited": {"BALANCE_DOES_NOT_RECONCILE", "RUNNING_BALANCE_BREAK", "CLOSING_BALANCE_MISMATCH"},
        "inflated_totals": {"TRANSACTIONS_DO_NOT_MATCH_TOTALS", "BALANCE_DOES_NOT_RECONCILE"},
        "edited_transaction_amount": {"TRANSACTIONS_DO_NOT_MATCH_TOTALS", "RUNNING_BALANCE_BREAK"},
        "transactions_outside_period": {"TRANSACTION_OUTSIDE_PERIOD"},
        "duplicated_transactions": {"DUPLICATE_TRANSACTIONS"},
        "inserted_deposits": {
            "RUNNING_BALANCE_BREAK",
            "TRANSACTIONS_DO_NOT_MATCH_TOTALS",
            "CLOSING_BALANCE_MISMATCH",
            "POSSIBLE_OCR_MISREAD",
        },
        "balances_raised": {"RUNNING_BALANCE_BREAK", "BALANCE_DOES_NOT_RECONCILE", "TRANSACTIONS_DO_NOT_MATCH_TOTALS"},
        "future_statement_end": {"STATEMENT_END_IN_FUTURE"},
        "poor_scan": {"LOW_TEXT_QUALITY"},
    },
}


def by_type(doc_type) -> str:
    return doc_type.name


def patterns() -> list:
    """(type, pattern) for every fraud pattern of every type."""
    return [
        pytest.param(doc_type, pattern, id=f"{doc_type.name}-{pattern}")
        for doc_type in TYPES
        for pattern in sorted(doc_type.generator.fraud_patterns)
    ]


def extract(doc_type, raw: dict):
    extraction = doc_type.extractor.extract(validate_document(doc_type.schema, raw).fields, TODAY)
    return extraction.values, {reason.code for reason in extraction.reasons}, extraction.reasons


# --- the type is bound --------------------------------------------------------------------------


def test_every_type_is_covered_here():
    assert set(BOUND) == set(EXPECTED_TRACE) == set(DOCUMENT_TYPES)


@pytest.mark.parametrize("doc_type", TYPES, ids=by_type)
def test_document_type_and_detector_are_bound(doc_type):
    names, fields, extractor, generator = BOUND[doc_type.name]
    assert (doc_type.name, doc_type.slug, doc_type.table, doc_type.label) == names
    assert doc_type.schema is fields and doc_type.extractor.schema is fields
    assert isinstance(doc_type.extractor, extractor)
    assert isinstance(doc_type.generator, generator)
    assert DOCUMENT_TYPES[doc_type.name] is doc_type
    assert extractor().feature_names == doc_type.extractor.feature_names  # declared by the class, not the instance


@pytest.mark.parametrize("doc_type", TYPES, ids=by_type)
def test_key_fields_are_fields(doc_type):
    assert doc_type.schema.key_fields
    assert set(doc_type.schema.key_fields) <= set(doc_type.schema.model_fields)


# --- features -----------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_type", TYPES, ids=by_type)
def test_feature_vector_matches_declared_names(doc_type):
    schema, extractor = doc_type.schema, doc_type.extractor
    names = extractor.feature_names
    assert len(names) == len(set(names))
    assert all(spec.description.strip() for spec in extractor.feature_specs)
    assert [f"has_{name}" for name in schema.key_fields] == names[: len(schema.key_fields)]
    generated = doc_type.generator.generate(60, 11, today=TODAY).documents
    without_key_fields = {**generated[0], **dict.fromkeys(schema.key_fields)}
    optional = next(
        (name, doc[name])
        for doc in generated
        for name in schema.model_fields
        if name not in schema.key_fields and doc.get(name) is not None
    )
    for raw in [
        *generated,
        without_key_fields,
        dict([optional]),
    ]:  # a whole document, one without key fields, one field
        values, _, _ = extract(doc_type, raw)
        assert len(values) == len(names)
        assert all(isinstance(v, float) and math.isfinite(v) for v in values)


def document_text(doc_type, raw: dict) -> list[str]:
    """The document's text values (names, identifiers, routing and account numbers, addresses), lower-cased,
    those of at least 6 characters. A statement's transaction descriptions are test_bank_statement_type's:
    some are plain words ("DEPOSIT") that a message may use in its own right."""
    values = [raw.get(name) for name in fields_parsed_by(doc_type.schema, TEXT_PARSERS)]
    return [str(v).lower() for v in values if v is not None and len(str(v)) >= 6]


@pytest.mark.parametrize("doc_type", TYPES, ids=by_type)
def test_reasons_never_quote_the_document_and_codes_are_upper_snake(doc_type):
    batch = doc_type.generator.generate(300, 5, fraud_rate=0.9, today=TODAY)
    hits = compared = 0
    for raw in batch.documents:
        _, _, reasons = extract(doc_type, raw)
        secrets = document_text(doc_type, raw)
        for reason in reasons:
            hits += 1
            compared += len(secrets)
            assert re.fullmatch(r"[A-Z]+(_[A-Z]+)*", reason.code), reason.code
            message = reason.message.lower()
            quoted = [s for s in secrets if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", message)]
            assert not quoted, (reason, quoted)
    assert hits > 200 and compared > 2 * hits  # the check above ran over real rule hits and document text


# --- synthetic data -----------------------------------------------------------------------------


@pytest.mark.parametrize("doc_type", TYPES, ids=by_type)
def test_generator_is_deterministic_for_a_seed(doc_type):
    generator = doc_type.generator
    first = generator.generate(60, 11, today=TODAY)
    for again in (generator.generate(60, 11, today=TODAY), type(generator)().generate(60, 11, today=TODAY)):
        assert first.documents == again.documents
        assert first.labels == again.labels and first.patterns == again.patterns
    assert generator.generate(60, 12, today=TODAY).documents != first.documents


@pytest.mark.parametrize("doc_type", TYPES, ids=by_type)
def test_generated_documents_validate_are_labelled_and_every_forgery_breaks_a_rule(doc_type):
    generator = doc_type.generator
    batch = generator.generate(400, 3, fraud_rate=0.5, today=TODAY)
    assert 0.35 < np.mean(batch.labels) < 0.65
    for raw, label, applied in zip(batch.documents, batch.labels, batch.patterns):
        parsed = validate_document(doc_type.schema, raw)
        assert parsed.warnings == []
        assert label == (1 if applied else 0)
        assert set(applied) <= set(generator.fraud_patterns)
        if label:
            assert doc_type.extractor.extract(parsed.fields, TODAY).reasons, raw


@pytest.mark.parametrize("doc_type", TYPES, ids=by_type)
def test_every_fraud_pattern_has_an_expected_trace(doc_type):
    assert set(EXPECTED_TRACE[doc_type.name]) == set(doc_type.generator.fraud_patterns)


@pytest.mark.parametrize("doc_type, pattern", patterns())
def test_each_fraud_pattern_alone_leaves_the_trace_its_rule_reports(doc_type, pattern):
    generator, rng = doc_type.generator, np.random.default_rng(21)
    for _ in range(25):
        doc = generator.genuine(rng, TODAY)
        generator.fraud_patterns[pattern](doc, rng, TODAY)
        raw = generator.ocr_noise(doc, rng)
        _, codes, _ = extract(doc_type, raw)
        assert codes & EXPECTED_TRACE[doc_type.name][pattern], (pattern, raw, codes)


@pytest.mark.parametrize("doc_type, pattern", patterns())
def test_fraud_patterns_cope_with_key_fields_already_removed(doc_type, pattern):
    """A forgery gets one to three patterns in random order, OCR may have lost key fields: each pattern
    must cope with a document whose key fields are gone (None, or [] for a list such as transactions)."""
    generator, rng = doc_type.generator, np.random.default_rng(8)
    for empty_list in (False, True):
        doc = generator.genuine(rng, TODAY)
        for key in doc_type.schema.key_fields:
            doc[key] = [] if empty_list and isinstance(doc[key], list) else None
        generator.fraud_patterns[pattern](doc, rng, TODAY)
        values, _, _ = extract(doc_type, generator.ocr_noise(doc, rng))
        assert all(math.isfinite(v) for v in values)


@pytest.mark.parametrize("doc_type, pattern", patterns())
def test_fraud_patterns_stack_on_a_document_with_no_fields(doc_type, pattern):
    """Every field None, `pattern`, then every pattern in name order: still a valid document, and a poor scan
    (every type has a poor_scan pattern)."""
    generator, rng = doc_type.generator, np.random.default_rng(8)
    doc = dict.fromkeys(doc_type.schema.model_fields)
    generator.fraud_patterns[pattern](doc, rng, TODAY)
    for other in sorted(generator.fraud_patterns):
        generator.fraud_patterns[other](doc, rng, TODAY)
    values, codes, _ = extract(doc_type, generator.ocr_noise(doc, rng))
    assert all(math.isfinite(v) for v in values)
    assert "LOW_TEXT_QUALITY" in codes
