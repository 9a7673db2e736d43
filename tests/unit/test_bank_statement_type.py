"""The bank statement type: schema, feature rules, reasons and synthetic data (no model training here)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from bank_statement.features import BankStatementFeatureExtractor
from bank_statement.fields import BankStatementFields, Transaction
from bank_statement.synthetic import BankStatementGenerator
from domain.fields import DocumentValidationError, validate_document

TODAY = date(2024, 4, 15)
HOLDER = "Maria Garcia"
ACCOUNT = "004512789933"
EXTRACTOR = BankStatementFeatureExtractor()
LINES = [  # (date, description, amount): a consistent March statement
    ("2024-03-01", "PAYROLL DEPOSIT ACME LOGISTICS", 2345.67),
    ("2024-03-03", "RENT PAYMENT", -1200.50),
    ("2024-03-10", "POS PURCHASE KROGER #4411", -87.23),
    ("2024-03-15", "PAYROLL DEPOSIT ACME LOGISTICS", 2345.67),
    ("2024-03-20", "ATM WITHDRAWAL", -60.00),
]
LEDGER_CODES = {
    "BALANCE_DOES_NOT_RECONCILE",
    "TRANSACTIONS_DO_NOT_MATCH_TOTALS",
    "RUNNING_BALANCE_BREAK",
    "CLOSING_BALANCE_MISMATCH",
    "TRANSACTION_OUTSIDE_PERIOD",
    "STATEMENT_END_IN_FUTURE",
    "STATEMENT_PERIOD_REVERSED",
}


def statement(lines=LINES, opening: float = 1012.45, **overrides) -> dict:
    """A raw statement whose running balances, totals and closing balance all agree."""
    balance, transactions = opening, []
    for day, description, amount in lines:
        balance = round(balance + amount, 2)
        transactions.append({"date": day, "description": description, "amount": amount, "balance": balance})
    doc = {
        "bank_name": "First National Bank",
        "account_holder": HOLDER,
        "account_number": ACCOUNT,
        "statement_start": "2024-03-01",
        "statement_end": "2024-03-31",
        "opening_balance": opening,
        "closing_balance": balance,
        "total_deposits": round(sum(a for _, _, a in lines if a > 0), 2),
        "total_withdrawals": round(-sum(a for _, _, a in lines if a < 0), 2),
        "transactions": transactions,
        "text_quality": 0.93,
    }
    doc.update(overrides)
    return doc


def extract(doc: dict, today: date = TODAY):
    extraction = EXTRACTOR.extract(validate_document(BankStatementFields, doc).fields, today)
    return (
        dict(zip(EXTRACTOR.feature_names, extraction.values)),
        {r.code for r in extraction.reasons},
        extraction.reasons,
    )


# --- the genuine baseline --------------------------------------------------------------------------


def test_consistent_statement_hits_no_rule():
    values, codes, _ = extract(statement())
    assert codes == set()
    assert values["transaction_count"] == 5
    assert values["reconciliation_error"] == 0 and values["reconciliation_off"] == 0
    assert values["deposit_total_error"] == 0 and values["withdrawal_total_error"] == 0
    assert values["running_balance_break_count"] == 0 and values["closing_differs_from_last_balance"] == 0
    assert values["period_length_days"] == 30 and values["missing_key_field_count"] == 0
    assert values["log_total_deposits"] == pytest.approx(math.log10(1 + 4691.34))
    assert values["deposits_to_withdrawals_ratio"] == pytest.approx(4691.34 / 1347.73)


def test_newest_first_listing_is_read_in_date_order():
    doc = statement()
    doc["transactions"].reverse()
    values, codes, _ = extract(doc)
    assert codes == set()
    assert values["running_balance_break_count"] == 0

    doc["transactions"][1]["amount"] = 2845.67  # newest first: this is the second payroll, edited
    values, codes, _ = extract(doc)
    assert values["running_balance_break_count"] == 1
    assert "RUNNING_BALANCE_BREAK" in codes


def test_same_day_lines_newest_first_are_ordered_by_their_balances():
    lines = [("2024-03-10", f"POS PURCHASE STORE {i}", -10.0 - i) for i in range(4)]
    doc = statement(lines)
    doc["transactions"].reverse()
    values, codes, _ = extract(doc)
    assert values["running_balance_break_count"] == 0 and codes == set()


def test_negative_total_withdrawals_is_read_as_its_magnitude():
    doc = statement()
    doc["total_withdrawals"] = -doc["total_withdrawals"]
    values, codes, _ = extract(doc)
    assert codes == set() and values["withdrawal_total_error"] == 0


# --- each rule fires on a crafted document ------------------------------------------------------------


def test_edited_closing_balance_does_not_reconcile():
    doc = statement()
    doc["closing_balance"] += 500.0
    values, codes, _ = extract(doc)
    assert values["reconciliation_off"] == 1
    assert values["reconciliation_error"] == pytest.approx(500.0 / doc["closing_balance"])
    assert values["closing_differs_from_last_balance"] == 1
    assert {"BALANCE_DOES_NOT_RECONCILE", "CLOSING_BALANCE_MISMATCH"} <= codes
    assert values["running_balance_break_count"] == 0


def test_inflated_stated_deposits_do_not_match_the_transactions():
    doc = statement()
    doc["total_deposits"] += 1000.0
    doc["closing_balance"] += 1000.0  # the forger kept the summary reconciling
    doc["transactions"][-1]["balance"] += 1000.0  # and the last line matching the closing balance
    values, codes, _ = extract(doc)
    assert values["totals_mismatch"] == 1
    assert values["deposit_total_error"] == pytest.approx(1000.0 / 5691.34)
    assert values["withdrawal_total_error"] == 0
    assert values["reconciliation_off"] == 0 and "BALANCE_DOES_NOT_RECONCILE" not in codes
    assert "TRANSACTIONS_DO_NOT_MATCH_TOTALS" in codes


def test_stated_withdrawals_are_checked_separately():
    doc = statement(total_withdrawals=1000.0)
    values, codes, _ = extract(doc)
    assert values["withdrawal_total_error"] == pytest.approx(347.73 / 1000.0)
    assert values["deposit_total_error"] == 0
    assert "TRANSACTIONS_DO_NOT_MATCH_TOTALS" in codes


def test_totals_are_not_compared_when_a_line_has_no_amount():
    doc = statement(total_deposits=9999.99)
    doc["transactions"][2]["amount"] = None
    values, codes, _ = extract(doc)
    assert values["deposit_total_error"] == -1 and values["totals_mismatch"] == 0
    assert values["incomplete_transaction_count"] == 1
    assert "TRANSACTIONS_DO_NOT_MATCH_TOTALS" not in codes


def test_edited_amount_breaks_the_running_balance_once():
    doc = statement()
    doc["transactions"][3]["amount"] = 3345.67  # balances left as they were
    values, codes, _ = extract(doc)
    assert values["running_balance_break_count"] == 1 and values["running_balance_broken"] == 1
    assert "RUNNING_BALANCE_BREAK" in codes


def test_first_line_is_checked_against_the_opening_balance():
    doc = statement(opening_balance=1512.45)
    values, codes, _ = extract(doc)
    assert values["running_balance_break_count"] == 1
    assert "RUNNING_BALANCE_BREAK" in codes


def test_a_cent_of_rounding_is_tolerated_but_two_are_not():
    doc = statement()
    doc["transactions"][1]["balance"] = round(doc["transactions"][1]["balance"] + 0.01, 2)
    doc["transactions"][2]["balance"] = round(doc["transactions"][2]["balance"] + 0.01, 2)
    assert extract(doc)[0]["running_balance_break_count"] == 0
    doc["transactions"][3]["balance"] = round(doc["transactions"][3]["balance"] + 0.03, 2)
    assert extract(doc)[0]["running_balance_break_count"] == 2  # off coming in, and back on going out


def test_transactions_outside_the_period_are_counted():
    doc = statement()
    doc["transactions"][0]["date"] = "2024-02-20"
    doc["transactions"][4]["date"] = "04/03/2024"
    values, codes, _ = extract(doc)
    assert values["outside_period_count"] == 2 and values["outside_period"] == 1
    assert "TRANSACTION_OUTSIDE_PERIOD" in codes


def test_duplicated_transactions_are_counted():
    lines = LINES[:1] + LINES[:1] + LINES[1:]  # payroll listed twice, balances carried through
    values, codes, _ = extract(statement(lines))
    assert values["duplicate_transaction_count"] == 1 and values["duplicate_transactions"] == 1
    assert values["duplicate_deposit_share"] == pytest.approx(1 / 3)
    assert "DUPLICATE_TRANSACTIONS" in codes
    assert not codes & LEDGER_CODES  # a careful forger: every figure still adds up


def test_same_amount_with_another_description_is_not_a_duplicate():
    lines = LINES + [("2024-03-15", "PAYROLL BONUS ACME LOGISTICS", 2345.67)]
    values, codes, _ = extract(statement(lines))
    assert values["duplicate_transaction_count"] == 0 and "DUPLICATE_TRANSACTIONS" not in codes


def test_large_round_deposits_are_counted():
    lines = LINES + [
        ("2024-03-21", "MOBILE DEPOSIT", 5000.0),
        ("2024-03-22", "CASH DEPOSIT", 2500.0),
        ("2024-03-23", "TRANSFER IN", 900.0),  # round but small
        ("2024-03-24", "TRANSFER IN", 1234.0),  # large but not a multiple of 100
        ("2024-03-25", "REFUND", -3000.0),  # round but a withdrawal
    ]
    values, codes, reasons = extract(statement(lines))
    assert values["large_round_deposit_count"] == 2 and values["large_round_deposits"] == 1
    assert values["large_round_deposit_share"] == pytest.approx(7500.0 / (4691.34 + 5000 + 2500 + 900 + 1234))
    assert "LARGE_ROUND_DEPOSITS" in codes
    assert "7,500.00" in next(r.message for r in reasons if r.code == "LARGE_ROUND_DEPOSITS")


def test_statement_ending_in_the_future():
    values, codes, _ = extract(statement(), today=date(2024, 3, 25))
    assert values["statement_end_in_future"] == 1 and "STATEMENT_END_IN_FUTURE" in codes
    assert extract(statement(), today=date(2024, 3, 31))[0]["statement_end_in_future"] == 0


def test_reversed_period():
    values, codes, _ = extract(statement(statement_start="2024-03-31", statement_end="2024-03-30"))
    assert values["period_reversed"] == 1
    assert values["period_length_days"] == -2  # never -1, which means missing
    assert "STATEMENT_PERIOD_REVERSED" in codes


@pytest.mark.parametrize("empty", [None, []])
def test_missing_key_fields_are_counted(empty):
    values, codes, _ = extract(statement(transactions=empty, bank_name=None))
    assert values["has_transactions"] == 0 and values["has_bank_name"] == 0
    assert values["missing_key_field_count"] == 2 and values["transaction_count"] == 0
    assert values["deposit_total_error"] == -1 and values["duplicate_deposit_share"] == -1
    assert "INCOMPLETE_DOCUMENT" in codes


def test_round_summary_amounts_use_the_shared_rule():
    values, codes, _ = extract(statement(opening=1000.0))
    assert values["round_amount_count"] == 1 and "ROUND_AMOUNTS" in codes


# --- parsing and validation ---------------------------------------------------------------------------


def test_transactions_parse_from_ocr_spellings():
    doc = statement()
    raw = doc["transactions"]
    raw[0].update(date="03/01/2024", amount="$2,345.67", balance="$3,358.12")
    raw[1].update(amount="($1,200.50)", balance="2157.62")
    raw[4].update(date="2024-03-20T09:30:00", amount="-$60.00", balance=" 4,356.06 USD")
    parsed = validate_document(BankStatementFields, doc).fields
    first, second, last = parsed.transactions[0], parsed.transactions[1], parsed.transactions[4]
    assert isinstance(first, Transaction)
    assert (first.date, first.amount, first.balance) == (date(2024, 3, 1), 2345.67, 3358.12)
    assert (second.amount, second.balance) == (-1200.50, 2157.62)
    assert (last.date, last.amount, last.balance) == (date(2024, 3, 20), -60.0, 4356.06)
    assert extract(doc)[0] == extract(statement())[0]


def test_bad_transaction_fields_are_reported_with_their_paths():
    doc = statement()
    doc["transactions"][2]["amount"] = "twelve dollars"
    doc["transactions"][0]["date"] = "31/31/2024"
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(BankStatementFields, doc)
    fields = {d.field for d in caught.value.details}
    assert fields == {"transactions.2.amount", "transactions.0.date"}
    assert caught.value.status == 400


def test_transactions_must_be_a_list_of_objects():
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(BankStatementFields, statement(transactions=[{"amount": 1.0}, "not a line"]))
    assert [d.field for d in caught.value.details] == ["transactions.1"]


def test_transaction_count_is_capped():
    lines = [{"date": "2024-03-02", "amount": 1.0}] * 5001
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(BankStatementFields, statement(transactions=lines))
    assert [d.field for d in caught.value.details] == ["transactions"]


def test_account_number_must_be_a_string():
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(BankStatementFields, statement(account_number=4512789933))
    assert [d.field for d in caught.value.details] == ["account_number"]


def test_unknown_transaction_keys_are_ignored():
    doc = statement()
    doc["transactions"][0]["category"] = "income"
    assert extract(doc)[1] == set()


# --- features and reasons -----------------------------------------------------------------------------
# Unique, described feature names and reason codes, and reasons quoting no text of a document, are checked
# for every type in test_document_type_contract.py; here, the ledger's.


def test_ledger_features_are_declared_and_fill_the_vector():
    names = EXTRACTOR.feature_names
    assert {"has_transactions", "reconciliation_error", "running_balance_break_count"} <= set(names)
    for doc in (statement(), statement(transactions=None, opening_balance=None, text_quality=None)):
        values = EXTRACTOR.extract(validate_document(BankStatementFields, doc).fields, TODAY).values
        assert len(values) == len(names)
        assert all(isinstance(v, float) and math.isfinite(v) for v in values)


def test_reasons_never_name_the_holder_the_account_or_a_transaction():
    batch = BankStatementGenerator().generate(150, random_state=11, fraud_rate=0.9, today=TODAY)
    seen_codes = set()
    for raw in batch.documents:
        _, codes, reasons = extract(raw)
        seen_codes |= codes
        secrets = [raw.get("account_holder"), raw.get("account_number")]
        secrets += [t["description"] for t in raw.get("transactions") or [] if t["description"]]
        for reason in reasons:
            assert reason.code.isupper() and " " not in reason.code
            assert not any(secret and secret in reason.message for secret in secrets), reason
    assert len(seen_codes & LEDGER_CODES) >= 5  # the check above ran over real rule hits


# --- synthetic data -----------------------------------------------------------------------------------
# Determinism, labels, each pattern's trace and patterns coping with removed fields are checked for every
# type in test_document_type_contract.py; here, what holds for statements only.


def test_generated_statements_use_every_spelling_and_genuine_ones_add_up():
    batch = BankStatementGenerator().generate(300, random_state=3, today=TODAY)
    spellings = set()
    for raw, label in zip(batch.documents, batch.labels):
        parsed = validate_document(BankStatementFields, raw)
        for line in raw.get("transactions") or []:
            spellings.add(
                (
                    "us_date" if "/" in line["date"] else "iso_date",
                    "text_amount" if isinstance(line["amount"], str) else "number_amount",
                )
            )
        if label:
            continue
        fields = parsed.fields
        if any(getattr(fields, name) in (None, []) for name in BankStatementFields.key_fields):
            continue  # OCR lost a field (domain.synthetic.OCR_DROP_RATE); the rest hold for the others
        assert 5 <= len(fields.transactions) <= 63
        assert 27 <= (fields.statement_end - fields.statement_start).days <= 30
        assert 0 < (TODAY - fields.statement_end).days <= 60
        assert fields.text_quality is None or 0.72 <= fields.text_quality <= 1.0
        values, codes, _ = extract(raw)
        assert not codes & (LEDGER_CODES | {"INCOMPLETE_DOCUMENT", "LOW_TEXT_QUALITY"}), (codes, raw)
    assert spellings == {
        ("us_date", "text_amount"),
        ("us_date", "number_amount"),
        ("iso_date", "text_amount"),
        ("iso_date", "number_amount"),
    }
