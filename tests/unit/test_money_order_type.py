"""The money order document type: issuer table, rules, features and synthetic data (no model training)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pytest

from document_types import MONEY_ORDER
from domain.amount_words import amount_to_words
from domain.features import MISSING
from domain.fields import validate_document
from money_order.fields import MoneyOrderFields
from money_order.issuers import ISSUERS, issuer_name_similarity, lookup_issuer, normalize_serial
from money_order.synthetic import serial_for

TODAY = date(2025, 6, 1)
EXTRACTOR = MONEY_ORDER.extractor
GENERATOR = MONEY_ORDER.generator

GENUINE = {
    "issuer": "United States Postal Service",
    "serial_number": "27381940552",
    "amount": 425.10,
    "amount_written": "Four Hundred Twenty-Five and 10/100 Dollars",
    "purchaser_name": "Maria Garcia",
    "purchaser_address": "12 Oak Ave, Austin, TX",
    "payee_name": "Robert Chen",
    "issue_date": (TODAY - timedelta(days=12)).isoformat(),
    "agent_location": "Post Office #0412, Austin, TX",
    "text_quality": 0.91,
}

RULE_FLAGS = (
    "amount_over_issuer_limit",
    "unknown_issuer",
    "issuer_lookalike",
    "serial_format_invalid",
    "amount_mismatch",
    "written_amount_unreadable",
    "issue_date_in_future",
    "payee_equals_purchaser",
    "whole_dollar_near_limit",
    "low_text_quality",
)


def extract(changes: dict | None = None, today: date = TODAY):
    body = {**GENUINE, **(changes or {})}
    extraction = EXTRACTOR.extract(validate_document(MoneyOrderFields, body).fields, today)
    features = dict(zip(EXTRACTOR.feature_names, extraction.values))
    return features, {reason.code for reason in extraction.reasons}, extraction.reasons


# --- issuer table -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "printed, key",
    [
        ("USPS", "usps"),
        ("u.s. postal service", "usps"),
        ("UNITED STATES POSTAL SERVICE", "usps"),
        ("USPS Money Order", "usps"),
        ("Western Union", "western_union"),
        ("western union financial services", "western_union"),
        ("Money Gram", "moneygram"),
        ("MoneyGram Payment Systems, Inc.", "moneygram"),
        ("WAL-MART", "walmart"),
        ("seven eleven", "seven_eleven"),
        ("7-Eleven Money Order", "seven_eleven"),
    ],
)
def test_issuer_lookup_by_alias_ignores_case_and_punctuation(printed, key):
    assert lookup_issuer(printed).key == key


@pytest.mark.parametrize(
    "printed",
    ["Western Unoin", "MoneyGramm", "United States Postal Services", "Global Express Money Orders", "", "   ", None],
)
def test_lookalike_and_unknown_names_are_not_issuers(printed):
    assert lookup_issuer(printed) is None


def test_issuer_name_similarity_separates_lookalikes_from_unrelated_names():
    assert issuer_name_similarity("USPS") == 1.0
    assert issuer_name_similarity(None) is None
    assert issuer_name_similarity("Western Unoin") >= 0.85
    assert issuer_name_similarity("Liberty Money Transfer") < 0.85


def test_every_alias_resolves_to_its_own_issuer():
    for issuer in ISSUERS:
        for alias in (issuer.name, *issuer.aliases):
            assert lookup_issuer(alias) is issuer, alias


@pytest.mark.parametrize(
    "key, limit, valid, invalid",
    [
        ("usps", 1000.0, "12345678901", ["1234567890", "123456789012", "1234567890A"]),
        ("western_union", 1000.0, "1234567890", ["12345678901", "123456789"]),
        ("moneygram", 1000.0, "12345678901", ["1234567890"]),
        ("walmart", 1000.0, "123456789012", ["12345678901"]),
        ("seven_eleven", 500.0, "123456789", ["1234567890", "12345678"]),
    ],
)
def test_limits_and_serial_formats_per_issuer(key, limit, valid, invalid):
    issuer = next(i for i in ISSUERS if i.key == key)
    assert issuer.face_value_limit == limit
    assert issuer.serial_matches(valid)
    assert issuer.serial_matches(f"{valid[:3]}-{valid[3:7]} {valid[7:]}")  # OCR keeps group separators
    for serial in invalid:
        assert not issuer.serial_matches(serial), serial
    assert not issuer.serial_matches(None)


def test_generated_serials_match_their_issuers_format():
    rng = np.random.default_rng(3)
    for issuer in ISSUERS:
        for _ in range(20):
            assert issuer.serial_format.fullmatch(normalize_serial(serial_for(issuer, rng)))


def test_usps_limit_depends_on_issuer_not_amount_alone():
    # 600.00 is within USPS's limit but above 7-Eleven's.
    usps, codes_usps, _ = extract({"amount": 600.15, "amount_written": amount_to_words(600.15)})
    seven, codes_seven, _ = extract(
        {
            "issuer": "7-Eleven",
            "serial_number": "123456789",
            "amount": 600.15,
            "amount_written": amount_to_words(600.15),
        }
    )
    assert usps["amount_over_issuer_limit"] == 0.0 and "AMOUNT_OVER_ISSUER_LIMIT" not in codes_usps
    assert usps["issuer_face_value_limit"] == 1000.0
    assert seven["amount_over_issuer_limit"] == 1.0 and "AMOUNT_OVER_ISSUER_LIMIT" in codes_seven
    assert seven["amount_to_limit_ratio"] == pytest.approx(600.15 / 500.0)


# --- rules ------------------------------------------------------------------------------------


def test_genuine_document_fires_no_rule():
    features, codes, reasons = extract()
    assert reasons == []
    for name in RULE_FLAGS:
        assert features[name] == 0.0, name
    assert features["missing_key_field_count"] == 0.0
    assert features["written_amount_difference"] == 0.0
    assert features["days_since_issue"] == 12.0
    assert features["days_issue_in_future"] == 0.0
    assert features["issuer_name_similarity"] == 1.0
    assert features["log_amount"] == pytest.approx(np.log10(426.10))


@pytest.mark.parametrize(
    "changes, feature, code",
    [
        (
            {"amount": 1500.25, "amount_written": amount_to_words(1500.25)},
            "amount_over_issuer_limit",
            "AMOUNT_OVER_ISSUER_LIMIT",
        ),
        ({"issuer": "Global Express Money Orders"}, "unknown_issuer", "UNKNOWN_ISSUER"),
        ({"issuer": "Western Unoin", "serial_number": "1234567890"}, "issuer_lookalike", "UNKNOWN_ISSUER"),
        ({"serial_number": "2738194055"}, "serial_format_invalid", "SERIAL_FORMAT_INVALID"),
        ({"serial_number": "27381W40552"}, "serial_format_invalid", "SERIAL_FORMAT_INVALID"),
        ({"amount": 925.10}, "amount_mismatch", "AMOUNT_MISMATCH"),
        (
            {"amount_written": "Fo#r Hund~ed Twenty-Five and 10/100 Dollars"},
            "written_amount_unreadable",
            "AMOUNT_WORDS_UNREADABLE",
        ),
        ({"issue_date": (TODAY + timedelta(days=5)).isoformat()}, "issue_date_in_future", "ISSUE_DATE_IN_FUTURE"),
        ({"payee_name": "  MARIA  GARCIA. "}, "payee_equals_purchaser", "PAYEE_EQUALS_PURCHASER"),
        (
            {"amount": 1000.0, "amount_written": amount_to_words(1000.0)},
            "whole_dollar_near_limit",
            "ROUND_AMOUNT_AT_LIMIT",
        ),
        ({"amount": 700.0, "amount_written": amount_to_words(700.0)}, "round_amount_count", "ROUND_AMOUNTS"),
        ({"issuer": None, "payee_name": ""}, "missing_key_field_count", "INCOMPLETE_DOCUMENT"),
        ({"text_quality": 0.3}, "low_text_quality", "LOW_TEXT_QUALITY"),
    ],
)
def test_each_rule_fires_on_a_crafted_document(changes, feature, code):
    features, codes, _ = extract(changes)
    assert features[feature] >= 1.0
    assert code in codes
    genuine_features, genuine_codes, _ = extract()
    assert genuine_features[feature] == 0.0 and code not in genuine_codes


def test_only_the_tampered_rule_fires():
    _, codes, _ = extract({"serial_number": "2738194055"})
    assert codes == {"SERIAL_FORMAT_INVALID"}
    _, codes, _ = extract({"issue_date": (TODAY + timedelta(days=5)).isoformat()})
    assert codes == {"ISSUE_DATE_IN_FUTURE"}


def test_graded_values_behind_the_flags():
    over, _, _ = extract({"amount": 2500.0, "amount_written": amount_to_words(2500.0)})
    assert over["amount_to_limit_ratio"] == pytest.approx(2.5)
    assert over["whole_dollar_near_limit"] == 0.0  # above the limit is its own rule
    altered, _, _ = extract({"amount": 925.10})
    assert altered["written_amount_difference"] == pytest.approx(500.0 / 925.10)
    unreadable, _, _ = extract({"amount_written": "see attached"})
    assert unreadable["written_amount_difference"] == MISSING and unreadable["amount_mismatch"] == 1.0
    bad_serial, _, _ = extract({"serial_number": "27381W4O552"})
    assert bad_serial["serial_length"] == 11.0 and bad_serial["serial_non_digit_count"] == 2.0


def test_issue_date_one_day_ahead_is_not_read_as_missing():
    features, codes, _ = extract({"issue_date": (TODAY + timedelta(days=1)).isoformat()})
    assert features["days_issue_in_future"] == 1.0
    assert features["days_since_issue"] == 0.0
    assert "ISSUE_DATE_IN_FUTURE" in codes
    missing, _, _ = extract({"issue_date": None})
    assert missing["days_since_issue"] == MISSING and missing["issue_date_in_future"] == 0.0


def test_unknown_issuer_serial_is_checked_against_every_known_format():
    # No issuer to check against: a serial in some issuer's format passes, one in none fails.
    passes, codes, _ = extract({"issuer": None, "serial_number": "123456789012"})
    assert passes["serial_format_invalid"] == 0.0 and "SERIAL_FORMAT_INVALID" not in codes
    fails, codes, _ = extract({"issuer": None, "serial_number": "MO-1234-A567"})
    assert fails["serial_format_invalid"] == 1.0 and "SERIAL_FORMAT_INVALID" in codes


def test_missing_amount_or_issuer_yields_missing_not_a_rule_hit():
    features, codes, _ = extract({"amount": None})
    assert features["log_amount"] == MISSING and features["amount_to_limit_ratio"] == MISSING
    assert features["amount_over_issuer_limit"] == 0.0 and features["has_amount"] == 0.0
    assert codes == {"INCOMPLETE_DOCUMENT"}
    features, _, _ = extract({"issuer": None})
    assert features["issuer_face_value_limit"] == MISSING and features["issuer_name_similarity"] == MISSING
    assert features["unknown_issuer"] == 0.0


# --- reasons ---------------------------------------------------------------------------------
# The feature vector, and reasons quoting no text of the document, are checked for every type in
# test_document_type_contract.py; here, not even one word of a name.


def test_reasons_never_contain_names_and_codes_are_upper_snake():
    batch = GENERATOR.generate(300, 5, fraud_rate=0.9, today=TODAY)
    hits = 0
    for raw in batch.documents:
        reasons = EXTRACTOR.extract(validate_document(MoneyOrderFields, raw).fields, TODAY).reasons
        private = [
            raw.get(k)
            for k in ("purchaser_name", "payee_name", "purchaser_address", "agent_location", "issuer", "serial_number")
        ]
        # Not even a first or last name on its own.
        name_parts = [part for k in ("purchaser_name", "payee_name") for part in (raw.get(k) or "").split()]
        for reason in reasons:
            hits += 1
            assert re.fullmatch(r"[A-Z]+(_[A-Z]+)*", reason.code)
            message = reason.message.lower()
            for value in private:
                if value:
                    assert str(value).lower() not in message, (reason.code, reason.message)
            for part in name_parts:
                assert not re.search(rf"\b{re.escape(part.lower())}\b", message), (reason.code, reason.message)
    assert hits > 200


# --- synthetic data ---------------------------------------------------------------------------
# Determinism, labels, each pattern's trace and patterns coping with removed fields are checked for every
# type in test_document_type_contract.py; here, what holds for money orders only.


def test_genuine_documents_respect_their_issuer():
    rng = np.random.default_rng(17)
    missing_optional = 0
    for _ in range(400):
        doc = GENERATOR.genuine(rng, TODAY)
        issuer = lookup_issuer(doc["issuer"])
        assert issuer is not None
        assert 20 <= doc["amount"] <= issuer.face_value_limit
        assert isinstance(doc["amount"], float) and isinstance(doc["issue_date"], date)
        assert issuer.serial_matches(doc["serial_number"])
        assert doc["amount_written"].lower() == amount_to_words(doc["amount"]).lower()
        assert 0 <= (TODAY - doc["issue_date"]).days <= 60
        assert doc["purchaser_name"] != doc["payee_name"]
        assert 0.72 <= doc["text_quality"] <= 1.0
        assert all(doc[k] is not None for k in MoneyOrderFields.key_fields)
        raw = GENERATOR.ocr_noise(doc, rng)  # dates as strings, some amounts as "$1,234.56"
        reasons = EXTRACTOR.extract(validate_document(MoneyOrderFields, raw).fields, TODAY).reasons
        assert reasons == [], (doc, reasons)
        missing_optional += doc["purchaser_address"] is None or doc["agent_location"] is None
    assert 0 < missing_optional < 80


# --- schema -----------------------------------------------------------------------------------


def test_schema_reads_ocr_spellings():
    fields = validate_document(
        MoneyOrderFields, {"amount": "$1,234.56", "issue_date": "05/20/2025", "serial_number": 12345678901}
    ).fields
    assert fields.amount == 1234.56
    assert fields.issue_date == date(2025, 5, 20)
    assert fields.serial_number == "12345678901"
