"""The quality gate's independent generator (bench/quality) and the report's metric code, without a server.

The generator is deterministic for a seed, every document it writes is one the API accepts without
a warning, it labels the fraud rate, patterns and variations it promises, and it stays independent:
it imports nothing from Backend, and Backend imports nothing from it.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from document_types import DOCUMENT_TYPES
from domain.fields import validate_document

ROOT = Path(__file__).resolve().parents[2]
QUALITY = ROOT / "bench" / "quality"
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

from quality import run_quality  # noqa: E402  (bench/ on sys.path)
from quality.common import Case  # noqa: E402
from quality.generator import GENUINE_VARIATIONS, TYPES, generate, patterns  # noqa: E402

TODAY = date(2026, 12, 3)  # fixed, so these tests see the same documents on every day
N, SEED = 1500, 11
# The benign variations issue 15 names, per type: each must be among what the generator declares (and makes).
NAMED_VARIATIONS = {
    "paystub": {
        "pay_weekly",
        "pay_biweekly",
        "pay_semimonthly",
        "pay_monthly",
        "first_pay_of_year",
        "bonus",
        "overtime",
        "section_125",
        "401k",
        "ss_wage_base_reached",
        "no_state_tax",
        "no_federal_withholding",
        "additional_medicare",
    },
    "check": {"business", "personal", "new_account_low_check_number", "round_amount", "micr_symbols_lost"},
    "money_order": {
        "issuer_kind_bank",
        "issuer_kind_credit_union",
        "issuer_kind_retailer",
        "serial_digits_9",
        "serial_digits_11",
        "round_amount",
        "agent_limit_500",
    },
    "bank_statement": {
        "fees",
        "interest",
        "transfers",
        "card_purchases",
        "overdraft",
        "few_transactions",
        "many_transactions",
    },
}
# Backend's top-level packages and modules: the generator may import none of them.
BACKEND_NAMES = {p.stem for p in (ROOT / "Backend").iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}


@pytest.fixture(scope="module")
def cases() -> dict[str, list[Case]]:
    return {name: generate(name, N, SEED, today=TODAY) for name in TYPES}


def test_the_four_api_types_are_generated():
    assert set(TYPES) == set(DOCUMENT_TYPES)


def test_generation_is_deterministic_for_a_seed():
    for name in TYPES:
        first = generate(name, 60, 5, today=TODAY)
        again = generate(name, 60, 5, today=TODAY)
        other = generate(name, 60, 6, today=TODAY)
        assert first == again
        assert json.dumps([c.document for c in first]) == json.dumps([c.document for c in again])
        assert [c.document for c in first] != [c.document for c in other]


def test_every_document_validates_without_errors_or_unknown_fields(cases):
    for name, batch in cases.items():
        schema = DOCUMENT_TYPES[name].schema
        for case in batch:
            parsed = validate_document(schema, case.document)  # raises DocumentValidationError on a client error
            assert parsed.warnings == [], (name, parsed.warnings)
            assert case.doc_type == name


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.3, 0.5])
def test_the_fraud_rate_is_the_requested_one(rate):
    for name in TYPES:
        batch = generate(name, 300, 2, fraud_rate=rate, today=TODAY)
        assert abs(sum(c.is_fraud for c in batch) / len(batch) - rate) <= 0.01


def test_default_fraud_rate_is_thirty_percent(cases):
    for batch in cases.values():
        assert abs(sum(c.is_fraud for c in batch) / len(batch) - 0.3) <= 0.01


def test_labels_are_consistent(cases):
    for name, batch in cases.items():
        declared = patterns(name)
        for case in batch:
            if case.is_fraud:
                assert case.subtlety in ("subtle", "obvious")
                assert 1 <= len(case.patterns) <= 2 and len(set(case.patterns)) == len(case.patterns)
                assert all(case.subtlety in declared[p] for p in case.patterns)
            else:
                assert case.patterns == () and case.subtlety is None


def test_every_declared_pattern_is_produced_at_every_strength(cases):
    for name, batch in cases.items():
        seen = Counter((p, c.subtlety) for c in batch for p in c.patterns)
        for pattern, levels in patterns(name).items():
            for level in levels:
                assert seen[(pattern, level)] >= 10, (name, pattern, level)
        subtlety = Counter(c.subtlety for c in batch if c.is_fraud)
        assert 0.35 <= subtlety["subtle"] / sum(subtlety.values()) <= 0.65


def test_every_genuine_variation_occurs(cases):
    for name, batch in cases.items():
        assert NAMED_VARIATIONS[name] <= set(GENUINE_VARIATIONS[name])
        seen = Counter(tag for c in batch if not c.is_fraud for tag in c.variation)
        missing = [tag for tag in GENUINE_VARIATIONS[name] if seen[tag] == 0]
        assert missing == [], (name, missing)


def test_first_pay_of_the_year_has_ytd_equal_to_the_period(cases):
    firsts = [
        c
        for c in cases["paystub"]
        if not c.is_fraud and "first_pay_of_year" in c.variation and "new_hire" not in c.variation
    ]
    assert len(firsts) >= 20
    schema = DOCUMENT_TYPES["paystub"].schema
    for case in firsts:
        fields = validate_document(schema, case.document).fields
        if fields.ytd_gross is not None and fields.gross_pay is not None and "ocr_misread" not in str(case.variation):
            assert fields.ytd_gross == pytest.approx(fields.gross_pay)


def test_ocr_drops_and_misreads_fields_including_key_fields(cases):
    for name, batch in cases.items():
        tags = [t for c in batch for t in c.variation]
        dropped = {t.split(":", 1)[1] for t in tags if t.startswith("ocr_dropped:")}
        key_fields = set(DOCUMENT_TYPES[name].schema.key_fields)
        assert len(dropped & key_fields) >= len(key_fields) // 2, (name, dropped)
        assert any(t.startswith("ocr_misread:") for t in tags), name
        with_drop = sum(any(t.startswith("ocr_dropped:") for t in c.variation) for c in batch) / len(batch)
        assert 0.02 <= with_drop <= 0.15, (name, with_drop)  # a few percent, not most documents


def test_amounts_and_dates_come_in_many_spellings(cases):
    amount_kinds, date_kinds = Counter(), Counter()
    for batch in cases.values():
        for case in batch:
            for field, value in case.document.items():
                if field in ("gross_pay", "net_pay", "amount_numeric", "amount", "opening_balance"):
                    amount_kinds[_amount_kind(value)] += 1
                if field in ("pay_date", "check_date", "issue_date", "statement_end"):
                    date_kinds[_date_kind(value)] += 1
    assert {"number", "$1,234.56", "1,234.56", "1234.56", "USD suffix"} <= set(amount_kinds)
    assert {"ISO", "MM/DD/YYYY", "M/D/YYYY", "timestamp"} <= set(date_kinds)


def _amount_kind(value) -> str:
    if isinstance(value, (int, float)):
        return "number"
    if not isinstance(value, str) or not value:
        return "blank"
    if value.endswith("USD"):
        return "USD suffix"
    if value.startswith("$") and "," in value:
        return "$1,234.56"
    return "1,234.56" if "," in value else "1234.56" if value[0].isdigit() else "other"


def _date_kind(value) -> str:
    if not isinstance(value, str) or not value:
        return "blank"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "ISO"
    if re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
        return "MM/DD/YYYY"
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
        return "M/D/YYYY"
    return "timestamp"


def test_the_evidence_of_a_pattern_survives_ocr(cases):
    for case in cases["check"]:
        if "amount_words_mismatch" in case.patterns or "altered_amount" in case.patterns:
            assert case.document.get("amount_numeric") not in (None, "")
            assert case.document.get("amount_written") not in (None, "")
    for case in cases["bank_statement"]:
        if "balances_do_not_reconcile" in case.patterns:
            assert all(case.document.get(f) not in (None, "") for f in ("opening_balance", "closing_balance"))


# independence ------------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_backend_never_imports_the_quality_gate():
    offenders = []
    for path in (ROOT / "Backend").rglob("*.py"):
        if "instance" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*(from|import)\s", line) and ("quality" in line or "bench" in line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
        offenders += [
            f"{path.relative_to(ROOT)}: {m}" for m in _imports(path) if m.split(".")[0] in ("quality", "bench")
        ]
    assert offenders == []


def test_the_generator_imports_nothing_from_backend():
    for path in QUALITY.glob("*.py"):
        if path.name == "run_quality.py":
            continue  # the report starts the server through bench/harness.py, never imports Backend itself
        imported = {m.split(".")[0] for m in _imports(path)}
        assert not imported & BACKEND_NAMES, (path.name, imported & BACKEND_NAMES)
        assert "synthetic" not in path.read_text(encoding="utf-8").lower(), path.name


# the report's metrics on a hand-made set ---------------------------------------------------------


def _case(fraud: bool, patterns_=(), subtlety=None, variation=()) -> Case:
    return Case("check", {"payee_name": "x"}, fraud, tuple(patterns_), subtlety, tuple(variation))


def _result(risk: float, recommendation: str, reasons=(), anomalous=False) -> dict:
    return {
        "status": "scored",
        "risk_score": risk,
        "recommendation": recommendation,
        "reasons": [{"code": code, "message": code.lower()} for code in reasons],
        "anomaly": {"score": 0.5, "is_anomalous": anomalous, "threshold": 0.4},
    }


def hand_made() -> tuple[list[Case], list[dict]]:
    cases = [
        _case(False, variation=("personal",)),
        _case(False, variation=("personal", "round_amount")),
        _case(False, variation=("business",)),
        _case(False, variation=("business", "ocr_dropped:memo")),
        _case(True, ["amount_words_mismatch"], "subtle"),
        _case(True, ["amount_words_mismatch"], "subtle"),
        _case(True, ["missing_signature"], "obvious"),
        _case(True, ["missing_signature", "payee_is_payer"], "obvious"),
        _case(False),  # refused by the API: not scored
    ]
    results = [
        _result(10, "APPROVE"),
        _result(20, "APPROVE"),
        _result(40, "ESCALATE", ["ANOMALOUS_DOCUMENT"], anomalous=True),
        _result(80, "REJECT", ["ROUND_AMOUNTS", "INCOMPLETE_DOCUMENT", "ROUND_AMOUNTS"]),
        _result(30, "ESCALATE"),
        _result(90, "REJECT"),
        _result(95, "REJECT", anomalous=True),
        _result(85, "REJECT"),
        {"status": "error", "errors": [{"field": "amount_numeric", "message": "bad"}]},
    ]
    return cases, results


def test_type_report_computes_known_values():
    cases, results = hand_made()
    section = run_quality.type_report("check", cases, results)
    m = section["metrics"]
    assert (m["documents"], m["scored"], m["unscored"], m["genuine"], m["fraud"]) == (9, 8, 1, 4, 4)
    assert (m["fraud_subtle"], m["fraud_obvious"]) == (2, 2)
    assert m["roc_auc"] == 0.875  # 14 of the 16 fraud-genuine pairs are ordered right
    assert m["roc_auc_subtle"] == 0.75  # 30 beats 10 and 20; 90 beats all four
    assert m["roc_auc_obvious"] == 1.0
    assert m["genuine_reject_rate"] == 0.25
    assert m["genuine_escalate_rate"] == 0.25
    assert m["fraud_recall"] == 1.0
    assert m["genuine_anomalous_rate"] == 0.25
    assert m["fraud_anomalous_rate"] == 0.25
    assert (m["genuine_mean_risk"], m["fraud_mean_risk"]) == (37.5, 75.0)

    by_pattern = {row["pattern"]: row for row in section["patterns"]}
    assert set(by_pattern) == set(patterns("check"))
    words = by_pattern["amount_words_mismatch"]
    assert (words["count"], words["mean_risk"], words["reject_rate"], words["caught_rate"]) == (2, 60.0, 0.5, 1.0)
    assert (words["caught_subtle"], words["caught_obvious"]) == (1.0, None)
    signature = by_pattern["missing_signature"]
    assert (signature["count"], signature["mean_risk"], signature["reject_rate"]) == (2, 90.0, 1.0)
    assert by_pattern["payee_is_payer"]["count"] == 1
    assert by_pattern["altered_amount"] == {
        "pattern": "altered_amount",
        "count": 0,
        "mean_risk": None,
        "reject_rate": None,
        "caught_rate": None,
        "caught_subtle": None,
        "caught_obvious": None,
    }

    # one genuine document was REJECTed; a code counts once per document
    assert section["genuine_reject_reasons"] == [
        {"code": "ROUND_AMOUNTS", "count": 1, "share_of_rejected": 1.0},
        {"code": "INCOMPLETE_DOCUMENT", "count": 1, "share_of_rejected": 1.0},
    ] or section["genuine_reject_reasons"] == [
        {"code": "INCOMPLETE_DOCUMENT", "count": 1, "share_of_rejected": 1.0},
        {"code": "ROUND_AMOUNTS", "count": 1, "share_of_rejected": 1.0},
    ]
    variations = {row["variation"]: row for row in section["variations"]}
    assert variations["business"] == {
        "variation": "business",
        "count": 2,
        "reject_rate": 0.5,
        "flagged_rate": 1.0,
        "anomalous_rate": 0.5,
    }
    assert variations["personal"]["flagged_rate"] == 0.0
    assert variations["ocr_dropped:*"]["count"] == 1
    assert section["variations"][0]["flagged_rate"] == 1.0  # most flagged first

    budgets = {b["metric"]: b for b in section["budgets"]}
    assert budgets["roc_auc"]["met"] is False and budgets["roc_auc"]["measured"] == 0.875
    assert budgets["genuine_reject_rate"]["met"] is False
    assert budgets["genuine_escalate_rate"]["met"] is False
    assert budgets["fraud_recall"]["met"] is True
    assert budgets["genuine_anomalous_rate"]["met"] is False


def test_metric_helpers_on_edge_cases():
    assert run_quality.auc([True, True], [1, 2]) is None  # one class: no ROC-AUC
    assert run_quality.auc([False, True], [1, 2]) == 1.0
    assert run_quality.auc([False, True], [2, 1]) == 0.0
    assert run_quality.auc([False, True, False, True], [5, 5, 5, 5]) == 0.5
    assert run_quality.share([]) is None
    assert run_quality.share([True, False, False, False]) == 0.25
    budgets = run_quality.check_budgets({"roc_auc": 0.97, "genuine_reject_rate": 0.01, "fraud_recall": None})
    met = {b["metric"]: b["met"] for b in budgets}
    assert met == {
        "roc_auc": True,
        "genuine_reject_rate": True,
        "genuine_escalate_rate": None,
        "fraud_recall": None,
        "genuine_anomalous_rate": None,
    }


def test_a_section_renders_every_table():
    cases, results = hand_made()
    report = {
        "n_per_type": 9,
        "seed": 1,
        "fraud_rate": 0.3,
        "today": "2026-12-03",
        "types": {"check": run_quality.type_report("check", cases, results)},
        "budgets_met": False,
    }
    text = run_quality.markdown(report)
    for heading in ("## Summary", "## Per type", "### check", "Per fraud pattern", "Reason codes", "variations"):
        assert heading in text
    assert "| check | 0.875 ✗ | 25.0% ✗ | 25.0% ✗ | 100.0% | 25.0% ✗ | 1 of 5 |" in text


def test_chunks_respect_rows_and_bytes():
    documents = [{"memo": "x" * 90} for _ in range(25)]
    assert [len(c) for c in run_quality.chunks(documents, rows=10, size=10**6)] == [10, 10, 5]
    assert [len(c) for c in run_quality.chunks(documents, rows=100, size=510)] == [5, 5, 5, 5, 5]
    assert run_quality.chunks([]) == []


def test_a_refused_batch_is_sent_document_by_document():
    cases = generate("money_order", 5, 1, today=TODAY)
    calls = []

    def post(path, body):
        calls.append(path)
        if path.endswith("analyze-batch"):
            return 400, {"error": "missing column", "details": []}
        risk = 12.5 if body is cases[0].document else 50.0
        return 200, {
            "risk_score": risk,
            "recommendation": "APPROVE",
            "reasons": [],
            "anomaly": None,
            "model_version": "v1",
        }

    results, info = run_quality.score_cases("money_order", cases, post)
    assert calls == ["/api/money-orders/analyze-batch"] + ["/api/money-orders/analyze"] * 5
    assert [r["risk_score"] for r in results] == [12.5, 50.0, 50.0, 50.0, 50.0]
    assert (info["model_version"], info["batch_requests"], info["single_requests"]) == ("v1", 1, 5)


def test_command_line_options():
    args = run_quality.parse_args(["--n", "50", "--seed", "3", "--types", "check,paystub", "--no-docs", "--check"])
    assert (args.n, args.seed, args.types, args.no_docs, args.check, args.url) == (
        50,
        3,
        ["check", "paystub"],
        True,
        True,
        None,
    )
    defaults = run_quality.parse_args([])
    assert (defaults.n, defaults.fraud_rate, defaults.types) == (3000, 0.3, list(TYPES))
    with pytest.raises(SystemExit):
        run_quality.parse_args(["--types", "invoice"])
