"""The check document type: routing checksum, MICR and written-amount reading, rules, generator."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from check.features import CheckFeatureExtractor
from check.fields import CheckFields
from check.micr import MicrFields, parse_micr, same_number
from check.routing import aba_check_digit, aba_checksum, is_valid_routing_number
from check.synthetic import CheckGenerator, routing_number
from document_types import CHECK
from domain.amount_words import amount_to_words, words_to_amount
from domain.fields import DocumentValidationError, validate_document

TODAY = date(2025, 6, 1)
EXTRACTOR = CheckFeatureExtractor()

GENUINE = {
    "bank_name": "First National Bank",
    "routing_number": "021000021",
    "account_number": "004567891234",
    "check_number": "1042",
    "payer_name": "Maria Garcia",
    "payer_address": "12 Oak Ave, Austin, TX",
    "payee_name": "Evergreen Property Management",
    "amount_numeric": "$1,205.37",
    "amount_written": "One Thousand Two Hundred Five and 37/100 Dollars",
    "check_date": "2025-05-20",
    "signature_present": True,
    "memo": "Rent",
    "micr_line": "⑆021000021⑆ 004567891234⑈ 1042",
    "text_quality": 0.93,
}

RULE_FLAGS = (
    "amount_not_positive",
    "written_amount_unreadable",
    "amount_mismatch",
    "routing_checksum_invalid",
    "micr_unreadable",
    "micr_routing_mismatch",
    "micr_account_mismatch",
    "micr_check_number_mismatch",
    "signature_missing",
    "check_date_in_future",
    "stale_check",
    "payee_equals_payer",
    "low_check_number",
    "low_check_number_high_amount",
    "low_text_quality",
)


def extract(raw: dict, today: date = TODAY) -> tuple[dict[str, float], set[str], list]:
    fields = validate_document(CheckFields, raw).fields
    extraction = EXTRACTOR.extract(fields, today)
    values = dict(zip(EXTRACTOR.feature_names, extraction.values))
    return values, {r.code for r in extraction.reasons}, extraction.reasons


def crafted(**changes) -> dict:
    return {**GENUINE, **changes}


# --- ABA routing checksum ---------------------------------------------------------------------


@pytest.mark.parametrize("routing", ["021000021", "011000015", "121000358"])
def test_known_routing_numbers_pass_the_aba_checksum(routing):
    assert aba_checksum(routing) == 0
    assert is_valid_routing_number(routing)
    assert aba_check_digit(routing[:8]) == routing[8]


@pytest.mark.parametrize(
    "routing",
    [
        "021000022",
        "011000016",
        "121000359",
        "123456789",  # checksum fails
        "02100002",
        "0210000210",
        "",  # wrong length
        "02100002A",
        "O21000021",
        "٠٢١٠٠٠٠٢١",  # not ASCII digits
        None,
    ],
)
def test_invalid_routing_numbers_fail(routing):
    assert not is_valid_routing_number(routing)


def test_separators_inside_a_routing_number_are_ignored():
    assert is_valid_routing_number("021 000 021")
    assert is_valid_routing_number("021-000-021")


def test_every_single_digit_change_breaks_the_checksum():
    valid = "121000358"
    for position in range(9):
        for digit in "0123456789":
            if digit != valid[position]:
                assert not is_valid_routing_number(valid[:position] + digit + valid[position + 1 :])


def test_aba_checksum_rejects_bad_input():
    with pytest.raises(ValueError):
        aba_checksum("12345678")
    with pytest.raises(ValueError):
        aba_check_digit("1234567")


def test_generated_routing_numbers_are_valid():
    rng = np.random.default_rng(5)
    numbers = [routing_number(rng) for _ in range(200)]
    assert all(len(n) == 9 and is_valid_routing_number(n) for n in numbers)
    assert len(set(numbers)) > 190


# --- written amount ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One Thousand Two Hundred Five and 37/100 Dollars", 1205.37),
        ("one thousand two hundred five and 37/100 dollars", 1205.37),
        ("****One Hundred and 00/100 Dollars****", 100.0),
        ("**** twenty-five and 50/100 dollars ****", 25.5),
        ("Fifty and no/100 Dollars", 50.0),
        ("Fifty and XX/100 Dollars", 50.0),
        ("1,200 and 00/100", 1200.0),
        ("Twelve dollars and fifty cents", 12.5),
        ("Nine Thousand Nine Hundred Ninety-Nine and 99/100 Dollars", 9999.99),
        ("Qne Th?usand Tw? Hundred", None),
        ("", None),
        (None, None),
    ],
)
def test_written_amount_parsing(text, expected):
    assert words_to_amount(text) == expected


@pytest.mark.parametrize("amount", [0.45, 7.0, 19.99, 100.0, 1205.37, 20000.01, 49500.0, 123456.78])
def test_written_amount_round_trips_amount_to_words(amount):
    assert words_to_amount(amount_to_words(amount)) == pytest.approx(amount)
    assert words_to_amount(f"****{amount_to_words(amount).lower()}****") == pytest.approx(amount)


def test_written_amount_matching_numeric_amount_raises_nothing():
    values, codes, _ = extract(crafted(amount_written="****one thousand two hundred five and 37/100 dollars****"))
    assert values["amount_mismatch"] == 0.0
    assert values["written_amount_difference"] == 0.0
    assert "AMOUNT_MISMATCH" not in codes


def test_written_amount_difference_is_graded():
    values, codes, _ = extract(crafted(amount_written="One Thousand Two Hundred Fifty and 37/100 Dollars"))
    assert values["written_amount_difference"] == pytest.approx(45.0 / 1205.37)
    assert values["amount_mismatch"] == 1.0
    assert values["written_amount_unreadable"] == 0.0
    assert "AMOUNT_MISMATCH" in codes
    one_cent, codes, _ = extract(crafted(amount_written="One Thousand Two Hundred Five and 38/100 Dollars"))
    assert one_cent["amount_mismatch"] == 1.0 and "AMOUNT_MISMATCH" in codes


def test_missing_written_amount_is_not_a_mismatch():
    values, codes, _ = extract(crafted(amount_written=None))
    assert values["written_amount_difference"] == -1.0
    assert values["amount_mismatch"] == 0.0
    assert "AMOUNT_MISMATCH" not in codes
    assert values["has_amount_written"] == 0.0 and "INCOMPLETE_DOCUMENT" in codes


# --- MICR line --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        ("⑆021000021⑆ 123456789⑈ 1001", MicrFields("021000021", "123456789", "1001")),
        ("T021000021T 123456789O 1001", MicrFields("021000021", "123456789", "1001")),
        ("t021000021t 123456789o 1001", MicrFields("021000021", "123456789", "1001")),
        ("021000021 123456789 1001", MicrFields("021000021", "123456789", "1001")),
        (":021000021: 123456789U 1001", MicrFields("021000021", "123456789", "1001")),
        ("⑈001001⑈ ⑆021000021⑆ 123456789⑈", MicrFields("021000021", "123456789", "001001")),
        ("⑆021000021⑆ 12⑉345⑉678⑈ 1001 ⑇0000012500⑇", MicrFields("021000021", "12345678", "1001")),
        ("⑆011000015⑆ 0098765⑈", MicrFields("011000015", "0098765", None)),
        ("⑆121000358⑆", MicrFields("121000358", None, None)),
    ],
)
def test_micr_parsing(line, expected):
    assert parse_micr(line) == expected


@pytest.mark.parametrize("line", [None, "", "no symbols here", "⑆0210000⑆ 1234⑈", "12345 678"])
def test_micr_without_a_routing_number_is_unreadable(line):
    assert parse_micr(line) is None


def test_same_number_ignores_leading_zeros_and_separators():
    assert same_number("001001", "1001")
    assert same_number("12-345 678", "12345678")
    assert same_number("1001", "1002") is False
    assert same_number(None, "1") is None


# --- rules ------------------------------------------------------------------------------------


def test_genuine_check_fires_no_rule():
    values, codes, reasons = extract(GENUINE)
    assert reasons == []
    for name in RULE_FLAGS:
        assert values[name] == 0.0, name
    assert values["missing_key_field_count"] == 0.0
    assert values["check_age_days"] == 12.0
    assert values["days_until_check_date"] == 0.0
    assert values["log_amount"] == pytest.approx(math.log10(1 + 1205.37))
    assert values["log_check_number"] == pytest.approx(math.log10(1043))
    assert 0.0 <= values["payee_payer_similarity"] < 0.5


TODAY_ISO = TODAY.isoformat()
RULE_CASES = {
    "bad checksum": (
        dict(routing_number="021000022", micr_line="⑆021000022⑆ 004567891234⑈ 1042"),
        "routing_checksum_invalid",
        "ROUTING_CHECKSUM_INVALID",
    ),
    "routing too short": (dict(routing_number="02100002"), "routing_checksum_invalid", "ROUTING_CHECKSUM_INVALID"),
    "routing not digits": (dict(routing_number="02100002X"), "routing_checksum_invalid", "ROUTING_CHECKSUM_INVALID"),
    "bad MICR routing, no printed one": (
        dict(routing_number=None, micr_line="⑆021000022⑆ 004567891234⑈ 1042"),
        "routing_checksum_invalid",
        "ROUTING_CHECKSUM_INVALID",
    ),
    "amount altered": (dict(amount_numeric=9205.37), "amount_mismatch", "AMOUNT_MISMATCH"),
    "written unreadable": (
        dict(amount_written="Qne Th?usand Tw? Hundred"),
        "written_amount_unreadable",
        "AMOUNT_WORDS_UNREADABLE",
    ),
    "unsigned": (dict(signature_present=False), "signature_missing", "SIGNATURE_MISSING"),
    "unsigned as a string": (dict(signature_present="no"), "signature_missing", "SIGNATURE_MISSING"),
    "post-dated": (
        dict(check_date=(TODAY + timedelta(days=1)).isoformat()),
        "check_date_in_future",
        "CHECK_DATE_IN_FUTURE",
    ),
    "stale": (dict(check_date=(TODAY - timedelta(days=181)).strftime("%m/%d/%Y")), "stale_check", "STALE_CHECK"),
    "MICR routing differs": (
        dict(micr_line="T011000015T 004567891234O 1042"),
        "micr_routing_mismatch",
        "MICR_ROUTING_MISMATCH",
    ),
    "MICR account differs": (
        dict(micr_line="⑆021000021⑆ 004567891299⑈ 1042"),
        "micr_account_mismatch",
        "MICR_ACCOUNT_MISMATCH",
    ),
    "MICR serial differs": (
        dict(micr_line="⑈005555⑈ ⑆021000021⑆ 004567891234⑈"),
        "micr_check_number_mismatch",
        "MICR_CHECK_NUMBER_MISMATCH",
    ),
    "MICR unreadable": (dict(micr_line="?? smudged ??"), "micr_unreadable", "MICR_UNREADABLE"),
    "payee is payer": (dict(payee_name="  MARIA   garcia "), "payee_equals_payer", "PAYEE_EQUALS_PAYER"),
    "new checkbook, big check": (
        dict(
            check_number="117",
            micr_line="⑆021000021⑆ 004567891234⑈ 117",
            amount_numeric=5000.37,
            amount_written=amount_to_words(5000.37),
        ),
        "low_check_number_high_amount",
        "LOW_CHECK_NUMBER",
    ),
    "negative amount": (
        dict(amount_numeric="-5.00", amount_written=None),
        "amount_not_positive",
        "AMOUNT_NOT_POSITIVE",
    ),
    "poor scan": (dict(text_quality=0.3), "low_text_quality", "LOW_TEXT_QUALITY"),
}


@pytest.mark.parametrize("changes, feature, code", RULE_CASES.values(), ids=RULE_CASES.keys())
def test_each_rule_fires_on_a_crafted_check(changes, feature, code):
    values, codes, _ = extract(crafted(**changes))
    assert values[feature] == 1.0
    assert code in codes


def test_single_rules_fire_alone():
    """A crafted change that breaks one thing fires that rule and no unrelated one."""
    for changes, code in [
        (dict(signature_present=False), "SIGNATURE_MISSING"),
        (dict(payee_name="maria garcia"), "PAYEE_EQUALS_PAYER"),
        (dict(micr_line="T011000015T 004567891234O 1042"), "MICR_ROUTING_MISMATCH"),
        (dict(check_date="2025-06-02"), "CHECK_DATE_IN_FUTURE"),
    ]:
        assert extract(crafted(**changes))[1] == {code}


def test_date_boundaries():
    assert extract(crafted(check_date=TODAY_ISO))[0]["check_date_in_future"] == 0.0
    at_limit = extract(crafted(check_date=(TODAY - timedelta(days=180)).isoformat()))
    assert at_limit[0]["stale_check"] == 0.0 and "STALE_CHECK" not in at_limit[1]
    future, codes, _ = extract(crafted(check_date=(TODAY + timedelta(days=30)).isoformat()))
    assert future["days_until_check_date"] == 30.0 and future["check_age_days"] == 0.0
    stale, _, _ = extract(crafted(check_date=(TODAY - timedelta(days=400)).isoformat()))
    assert stale["check_age_days"] == 400.0 and stale["days_until_check_date"] == 0.0
    undated, codes, _ = extract(crafted(check_date=None))
    assert undated["check_age_days"] == -1.0 and undated["days_until_check_date"] == -1.0
    assert not codes & {"STALE_CHECK", "CHECK_DATE_IN_FUTURE"}


def test_low_check_number_on_a_small_check_is_only_flagged_low():
    values, codes, _ = extract(crafted(check_number="150", micr_line="⑆021000021⑆ 004567891234⑈ 150"))
    assert values["low_check_number"] == 1.0
    assert values["low_check_number_high_amount"] == 0.0
    assert "LOW_CHECK_NUMBER" in codes
    assert extract(crafted(check_number="200", micr_line="⑆021000021⑆ 004567891234⑈ 200"))[0]["low_check_number"] == 0.0


def test_unknown_signature_is_a_missing_field_not_an_unsigned_check():
    values, codes, _ = extract(crafted(signature_present=None))
    assert values["signature_missing"] == 0.0 and values["has_signature_present"] == 0.0
    assert "SIGNATURE_MISSING" not in codes and "INCOMPLETE_DOCUMENT" in codes


def test_round_amount_counts_through_the_base():
    values, codes, _ = extract(crafted(amount_numeric=5000.0, amount_written="Five Thousand and 00/100 Dollars"))
    assert values["round_amount_count"] == 1.0 and "ROUND_AMOUNTS" in codes
    assert values["amount_mismatch"] == 0.0


# --- schema -----------------------------------------------------------------------------------


def test_routing_and_account_numbers_must_be_strings():
    with pytest.raises(DocumentValidationError) as err:
        validate_document(CheckFields, crafted(routing_number=21000021, account_number=4567891234))
    assert {d.field for d in err.value.details} == {"routing_number", "account_number"}
    assert validate_document(CheckFields, crafted(check_number=1042)).fields.check_number == "1042"


def test_memo_and_payer_address_are_not_key_fields():
    assert "memo" not in CheckFields.key_fields and "payer_address" not in CheckFields.key_fields


# --- generator --------------------------------------------------------------------------------
# Determinism, labels, every forgery breaking a rule and each pattern's rule are checked for every type
# in test_document_type_contract.py; here, what holds for checks only.


@pytest.fixture(scope="module")
def batch():
    return CHECK.generator.generate(400, 3, fraud_rate=0.5, today=TODAY)


def test_generated_genuine_checks_are_clean(batch):
    for raw, label in zip(batch.documents, batch.labels):
        if label:
            continue
        fields = validate_document(CheckFields, raw).fields
        if any(getattr(fields, name) is None for name in CheckFields.model_fields):
            continue  # OCR lost a field (domain.synthetic.OCR_DROP_RATE); the rest hold for the others
        codes = {r.code for r in EXTRACTOR.extract(fields, TODAY).reasons}
        assert isinstance(raw["routing_number"], str) and is_valid_routing_number(raw["routing_number"])
        assert fields.signature_present is True
        assert fields.payer_name != fields.payee_name
        assert fields.text_quality >= 0.72
        assert 0 <= (TODAY - fields.check_date).days <= 90
        assert codes <= {"ROUND_AMOUNTS", "LOW_CHECK_NUMBER"}, raw


@pytest.mark.parametrize("pattern", sorted(CheckGenerator.fraud_patterns))
def test_fraud_patterns_survive_fields_already_removed(pattern):
    """Every pattern stacked on a check with no fields (the contract test does this for every type): unsigned."""
    generator, rng = CheckGenerator(), np.random.default_rng(8)
    doc = {name: None for name in CheckFields.model_fields}
    generator.fraud_patterns[pattern](doc, rng, TODAY)
    for other in sorted(CheckGenerator.fraud_patterns):
        generator.fraud_patterns[other](doc, rng, TODAY)
    values, codes, _ = extract(generator.ocr_noise(doc, rng))
    assert values["signature_missing"] == 1.0 and "LOW_TEXT_QUALITY" in codes


def test_reasons_never_name_people_or_accounts(batch):
    seen = 0
    documents = batch.documents + [crafted(**changes) for changes, _, _ in RULE_CASES.values()]
    for raw in documents:
        fields = validate_document(CheckFields, raw).fields
        micr = parse_micr(fields.micr_line)
        secrets = [fields.routing_number, fields.account_number, fields.payer_name, fields.payee_name]
        if micr:
            secrets += [micr.routing, micr.account]
        secrets = [s.lower() for s in secrets if s]
        for reason in EXTRACTOR.extract(fields, TODAY).reasons:
            seen += 1
            assert reason.code.isupper() and " " not in reason.code
            message = reason.message.lower()
            assert not any(secret in message for secret in secrets), reason
    assert seen > 300
