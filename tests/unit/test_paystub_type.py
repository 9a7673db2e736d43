"""The paystub document type: payroll rules that never fire on genuine stubs, and forged stubs that trip them.

Hard reasons (the decision policy's paystub `hard_reasons`) are evidence a genuine stub cannot show;
every benign variation of the training generator must stay clear of them, and each hard rule must
fire on a crafted forgery.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from domain.fields import validate_document
from paystub.features import PaystubFeatureExtractor, pays_per_year, state_of
from paystub.fields import PaystubFields
from paystub.payroll import wage_base
from paystub.synthetic import (
    PERIODS_PER_YEAR,
    PaystubGenerator,
    Schedule,
    compute_pay,
    random_employee,
)

TODAY = date(2026, 12, 3)
EXTRACTOR = PaystubFeatureExtractor()
GENERATOR = PaystubGenerator()
RECOMMENDED_HARD = {
    "NET_EXCEEDS_GROSS",
    "DEDUCTIONS_DO_NOT_ADD_UP",
    "YTD_BELOW_CURRENT",
    "YTD_NET_EXCEEDS_YTD_GROSS",
    "PAY_DATE_IN_FUTURE",
    "PAY_PERIOD_REVERSED",
    "SOCIAL_SECURITY_ABOVE_STATUTORY_RATE",
    "MEDICARE_ABOVE_STATUTORY_RATE",
    "FEDERAL_TAX_IMPLAUSIBLE",
}

# A complete, genuine semi-monthly stub: 3,210.55 gross, 106.00 of Section 125 premiums, so
# Social Security and Medicare are figured on 3,104.55 of wages.
GENUINE = {
    "company_name": "Northwind Traders",
    "company_address": "12 Main St, Springfield, IL",
    "employee_name": "Maria Garcia",
    "employee_id": "E123456",
    "pay_date": "2026-10-01",
    "pay_period_start": "09/16/2026",
    "pay_period_end": "09/30/2026",
    "gross_pay": "$3,210.55",
    "net_pay": 2353.36,
    "federal_tax": 385.27,
    "state_tax": 128.42,
    "social_security": 192.48,
    "medicare": 45.02,
    "other_deductions": 106.0,
    "ytd_gross": 57789.9,
    "ytd_net": 42498.36,
    "text_quality": 0.94,
}
# An exempt employee: still adds up, and the YTD net has always been this share of YTD gross.
ZERO_FEDERAL_TAX = dict(GENUINE, federal_tax=0.0, net_pay=2738.63, ytd_net=49_295.6)
HEAVY_FEDERAL_TAX = dict(  # 88% federal tax and nothing left
    GENUINE, federal_tax=2825.28, state_tax=41.77, social_security=192.48, medicare=45.02, other_deductions=106.0
)
HEAVY_FEDERAL_TAX["net_pay"] = 0.0
SALARIED = dict(  # 2,500.00 semi-monthly, no pre-tax deductions: a round gross is what salaries look like
    GENUINE, gross_pay=2500.0, federal_tax=200.13, state_tax=100.27, social_security=155.0, medicare=36.25
)
SALARIED.update(other_deductions=0.0, net_pay=2008.35, ytd_gross=45_000.0, ytd_net=36_150.3)


def extract(raw: dict, today: date = TODAY) -> tuple[dict[str, float], set[str], list]:
    extraction = EXTRACTOR.extract(validate_document(PaystubFields, raw).fields, today)
    values = dict(zip(EXTRACTOR.feature_names, extraction.values))
    return values, {r.code for r in extraction.reasons}, extraction.reasons


def reason(reasons: list, code: str):
    return next(r for r in reasons if r.code == code)


def genuine_batch(n: int = 3000, seed: int = 4, today: date = TODAY) -> list[dict]:
    return GENERATOR.generate(n, seed, fraud_rate=0.0, today=today).documents


# --- crafted documents --------------------------------------------------------------------------


def test_the_genuine_stub_adds_up_and_shows_no_reason():
    values, codes, _ = extract(GENUINE)
    assert codes == set()
    assert values["deduction_mismatch"] == pytest.approx(0, abs=1e-9)
    assert values["deduction_lines_complete"] == 1.0
    assert values["social_security_below_rate"] == 0.0  # Section 125 explains the lower rate


def test_heavy_federal_tax_with_zero_net_is_hard_evidence_with_its_figures():
    values, codes, reasons = extract(HEAVY_FEDERAL_TAX)
    assert codes & RECOMMENDED_HARD == {"FEDERAL_TAX_IMPLAUSIBLE"}
    implausible = reason(reasons, "FEDERAL_TAX_IMPLAUSIBLE")
    assert implausible.fields == ("federal_tax", "gross_pay")
    assert implausible.expected == pytest.approx(1655.28) and implausible.actual == pytest.approx(2825.28)
    assert values["federal_tax_rate"] == pytest.approx(0.88, abs=0.001)
    assert values["net_pay_zero"] == 1.0 and values["zero_federal_tax"] == 0.0


def test_zero_federal_tax_is_a_soft_reason_only():
    values, codes, reasons = extract(ZERO_FEDERAL_TAX)
    assert codes == {"NO_FEDERAL_TAX"}
    no_tax = reason(reasons, "NO_FEDERAL_TAX")
    assert no_tax.fields == ("federal_tax",) and no_tax.actual == 0.0
    assert values["zero_federal_tax"] == 1.0 and values["federal_tax_rate"] == 0.0
    assert values["deduction_mismatch_flag"] == 0.0


def test_half_of_gross_in_federal_tax_is_the_limit_with_room_for_a_w4_extra_withholding():
    at_limit = dict(GENUINE, federal_tax=1655.27)
    at_limit["net_pay"] = round(2353.36 + 385.27 - 1655.27, 2)
    assert "FEDERAL_TAX_IMPLAUSIBLE" not in extract(at_limit)[1]
    small_check = dict(GENUINE, gross_pay=188.05, federal_tax=100.0, state_tax=0.0, social_security=11.66)
    small_check.update(medicare=2.73, other_deductions=0.0, net_pay=73.66, ytd_gross=None, ytd_net=None)
    assert extract(small_check)[1] == {"ROUND_AMOUNTS"}  # $100 extra withholding on a part-time week


def test_net_above_gross_is_hard():
    _, codes, reasons = extract(dict(GENUINE, net_pay=3500.0))
    assert "NET_EXCEEDS_GROSS" in codes
    assert reason(reasons, "NET_EXCEEDS_GROSS").actual == 3500.0


def test_edited_net_on_a_complete_stub_does_not_add_up():
    _, codes, reasons = extract(dict(GENUINE, net_pay=2598.11))
    hit = reason(reasons, "DEDUCTIONS_DO_NOT_ADD_UP")
    assert hit.expected == pytest.approx(2353.36) and hit.actual == pytest.approx(2598.11)
    assert "net_pay" in hit.fields and "other_deductions" in hit.fields


@pytest.mark.parametrize("field, misread", [("net_pay", 2393.36), ("federal_tax", 335.27), ("gross_pay", 3710.55)])
def test_one_misread_digit_is_not_proof_of_an_edit(field, misread):
    _, codes, reasons = extract(dict(GENUINE, **{field: misread}))
    assert "DEDUCTIONS_DO_NOT_ADD_UP" not in codes
    assert "one digit of" in reason(reasons, "DEDUCTIONS_UNACCOUNTED").message


def test_a_cent_of_rounding_adds_up():
    assert "DEDUCTIONS_DO_NOT_ADD_UP" not in extract(dict(GENUINE, net_pay=2353.37))[1]


@pytest.mark.parametrize("missing", ["other_deductions", "state_tax"])
def test_a_line_ocr_did_not_extract_explains_missing_money_softly(missing):
    values, codes, reasons = extract(dict(GENUINE, **{missing: None}))
    assert "DEDUCTIONS_DO_NOT_ADD_UP" not in codes
    unaccounted = reason(reasons, "DEDUCTIONS_UNACCOUNTED")
    assert missing in unaccounted.fields
    assert values["deductions_unaccounted"] == 1.0 and values["deduction_lines_complete"] == 0.0


def test_state_tax_absent_in_a_state_without_income_tax_is_not_a_missing_line():
    texan = dict(GENUINE, company_address="9 Lake Rd, Austin, TX 78701", state_tax=None)
    texan["net_pay"] = round(2353.36 + 128.42, 2)
    values, codes, _ = extract(texan)
    assert values["deduction_lines_complete"] == 1.0 and codes == set()
    assert state_of("9 Lake Rd, Austin, TX 78701") == "TX" and state_of("somewhere") is None


def test_missing_lines_cannot_explain_more_than_they_could_hold():
    # Only state tax is missing, yet a third of gross is unaccounted for.
    _, codes, _ = extract(dict(GENUINE, state_tax=None, net_pay=1200.0))
    assert "DEDUCTIONS_DO_NOT_ADD_UP" in codes


def test_deductions_and_net_above_gross_are_hard_even_with_lines_missing():
    # A missing line only adds deductions: it cannot explain net plus deductions above gross.
    _, codes, _ = extract(dict(GENUINE, other_deductions=None, net_pay=2800.0))
    assert "DEDUCTIONS_DO_NOT_ADD_UP" in codes


def test_a_poor_scan_softens_the_arithmetic():
    _, codes, _ = extract(dict(GENUINE, net_pay=2598.11, text_quality=0.4))
    assert "DEDUCTIONS_DO_NOT_ADD_UP" not in codes and {"DEDUCTIONS_UNACCOUNTED", "LOW_TEXT_QUALITY"} <= codes


def test_social_security_above_the_statutory_rate_is_hard():
    forged = dict(GENUINE, social_security=250.0, net_pay=round(2353.36 + 192.48 - 250.0, 2))
    values, codes, reasons = extract(forged)
    assert "SOCIAL_SECURITY_ABOVE_STATUTORY_RATE" in codes and "DEDUCTIONS_DO_NOT_ADD_UP" not in codes
    assert reason(reasons, "SOCIAL_SECURITY_ABOVE_STATUTORY_RATE").expected == pytest.approx(199.05)
    assert values["social_security_above_rate"] == 1.0
    assert "FICA_WAGES_INCONSISTENT" in codes  # Medicare implies fewer wages than Social Security


def test_medicare_above_the_statutory_rate_is_hard_unless_the_additional_rate_applies():
    forged = dict(GENUINE, medicare=70.0, net_pay=round(2353.36 + 45.02 - 70.0, 2))
    assert "MEDICARE_ABOVE_STATUTORY_RATE" in extract(forged)[1]
    high_earner = dict(forged, ytd_gross=210_000.0, ytd_net=150_000.0)
    assert "MEDICARE_ABOVE_STATUTORY_RATE" not in extract(high_earner)[1]
    unknown_ytd_large = dict(GENUINE, gross_pay=12_000.0, medicare=270.0, ytd_gross=None, ytd_net=None)
    assert "MEDICARE_ABOVE_STATUTORY_RATE" not in extract(unknown_ytd_large)[1]


def test_social_security_below_rate_is_soft_and_the_wage_base_is_info():
    unexplained = dict(GENUINE, social_security=120.0, net_pay=round(2353.36 + 192.48 - 120.0, 2))
    _, codes, _ = extract(unexplained)
    assert "SOCIAL_SECURITY_BELOW_STATUTORY_RATE" in codes and not codes & RECOMMENDED_HARD
    past_base = dict(SALARIED, gross_pay=8000.0, net_pay=5983.42, federal_tax=1500.37, state_tax=400.21)
    past_base.update(social_security=0.0, medicare=116.0, ytd_gross=190_000.0, ytd_net=140_000.0)
    values, codes, _ = extract(past_base)
    assert codes == {"SOCIAL_SECURITY_WAGE_BASE_REACHED"}
    assert values["social_security_wage_base_reached"] == 1.0 and values["social_security_below_rate"] == 0.0


def test_wage_base_by_year():
    assert wage_base(2025) == 176_100 and wage_base(2026) == 184_500
    assert wage_base(2031) == wage_base(2026)  # the latest known base beyond the table


def test_ytd_below_current_is_hard_and_ytd_equal_to_current_is_the_first_pay():
    _, codes, reasons = extract(dict(GENUINE, ytd_gross=2000.0))
    assert "YTD_BELOW_CURRENT" in codes
    assert reason(reasons, "YTD_BELOW_CURRENT").fields == ("ytd_gross", "gross_pay")
    first_pay = dict(GENUINE, ytd_gross=3210.55, ytd_net=2353.36)
    values, codes, _ = extract(first_pay)
    assert codes == set() and values["ytd_periods"] == pytest.approx(1.0)


def test_ytd_net_above_ytd_gross_is_hard():
    assert "YTD_NET_EXCEEDS_YTD_GROSS" in extract(dict(GENUINE, ytd_net=60_000.0))[1]


def test_taxes_removed_with_the_ytd_net_left_behind_is_flagged_softly():
    removed = dict(GENUINE, federal_tax=0.0, state_tax=0.0, net_pay=round(2353.36 + 385.27 + 128.42, 2))
    _, codes, reasons = extract(removed)
    assert codes == {"NO_FEDERAL_TAX", "YTD_NET_SHARE_INCONSISTENT"}
    assert reason(reasons, "YTD_NET_SHARE_INCONSISTENT").expected == pytest.approx(0.8930, abs=1e-4)


def test_an_inflated_ytd_is_flagged_softly():
    _, codes, _ = extract(dict(GENUINE, ytd_gross=160_000.0))
    assert {"YTD_NET_SHARE_INCONSISTENT", "YTD_HIGH_FOR_PAY_DATE"} <= codes and not codes & RECOMMENDED_HARD


def test_calendar_rules():
    assert "PAY_DATE_IN_FUTURE" in extract(dict(GENUINE, pay_date="2027-01-15"))[1]
    assert "PAY_PERIOD_REVERSED" in extract(dict(GENUINE, pay_period_start="2026-10-05"))[1]
    _, codes, reasons = extract(dict(GENUINE, pay_date="2026-09-01"))
    assert "PAY_DATE_OUTSIDE_PERIOD" in codes and reason(reasons, "PAY_DATE_OUTSIDE_PERIOD").actual == "2026-09-01"
    assert [pays_per_year(d) for d in (6, 13, 14, 30, -1)] == [52, 26, 24, 12, 52]


def test_round_salaried_gross_is_not_a_round_amount():
    assert extract(SALARIED)[1] == set()


def test_every_hard_reason_carries_its_evidence():
    forged = dict(
        GENUINE, net_pay=3900.0, ytd_gross=1200.0, pay_date="2027-02-01", social_security=400.0, medicare=150.0
    )
    _, codes, reasons = extract(forged)
    assert {"NET_EXCEEDS_GROSS", "YTD_BELOW_CURRENT", "PAY_DATE_IN_FUTURE"} <= codes
    for hit in reasons:
        if hit.code in RECOMMENDED_HARD:
            assert hit.fields and hit.expected is not None and hit.actual is not None, hit


# --- the generator ------------------------------------------------------------------------------


@pytest.mark.parametrize("today", [TODAY, date(2025, 6, 1)])
def test_genuine_stubs_never_show_a_hard_reason(today):
    for raw in genuine_batch(3000, 4, today):
        codes = extract(raw, today)[1]
        assert not codes & RECOMMENDED_HARD, (raw, codes)


def parsed_genuine(n: int = 3000) -> list[PaystubFields]:
    return [validate_document(PaystubFields, raw).fields for raw in genuine_batch(n, 6)]


def share(docs: list, predicate) -> float:
    return float(np.mean([bool(predicate(d)) for d in docs]))


def test_genuine_stubs_cover_the_benign_variation_at_realistic_rates():
    docs = parsed_genuine()
    lengths = {(d.pay_period_end - d.pay_period_start).days for d in docs if d.pay_period_start and d.pay_period_end}
    assert {6, 13, 14, 15} <= lengths and lengths & {27, 28, 29, 30}  # weekly, biweekly, semi-monthly, monthly
    assert 0.05 < share(docs, lambda d: d.federal_tax == 0) < 0.25  # exempt and low-paid employees
    assert 0.01 < share(docs, lambda d: d.ytd_gross is not None and d.ytd_gross == d.gross_pay) < 0.1
    assert 0.03 < share(docs, lambda d: d.ytd_gross is None) < 0.15
    assert 0.01 < share(docs, lambda d: d.social_security == 0) < 0.1  # the wage base reached
    assert 0.01 < share(docs, lambda d: (d.ytd_gross or 0) > 200_000) < 0.1  # additional Medicare
    assert 0.05 < share(docs, lambda d: d.state_tax in (None, 0)) < 0.5
    assert 0.05 < share(docs, lambda d: d.gross_pay and d.gross_pay % 50 == 0) < 0.3  # salaries per period
    sec_125 = share(docs, lambda d: d.gross_pay and d.medicare and d.medicare < 0.0145 * d.gross_pay - 0.01)
    assert 0.25 < sec_125 < 0.6
    assert all(d.pay_date is None or d.pay_date.weekday() < 5 for d in docs)  # pay dates off weekends


def test_genuine_amounts_add_up_to_the_cent():
    complete = [
        d
        for d in parsed_genuine()
        if None not in (d.gross_pay, d.net_pay, d.federal_tax, d.social_security, d.medicare)
        and d.state_tax is not None
        and d.other_deductions is not None
    ]
    assert len(complete) > 1500
    for d in complete:
        lines = d.federal_tax + d.state_tax + d.social_security + d.medicare + d.other_deductions
        assert round(d.gross_pay - lines - d.net_pay, 2) == 0, d


def test_pay_dates_follow_the_period_and_the_year_count():
    schedule = Schedule("biweekly", end_weekday=5, lag_days=6, pay_early_on_weekends=False)
    start, end, pay = schedule.latest_paid_period(date(2026, 1, 20))
    assert (end - start).days == 13 and end.weekday() == 5 and pay == end + timedelta(days=6) <= date(2026, 1, 20)
    assert schedule.pays_this_year(start, end) == 2
    monthly = Schedule("monthly", end_weekday=0, lag_days=0, pay_early_on_weekends=True)
    start, end, pay = monthly.latest_paid_period(date(2026, 6, 1))
    assert (start, end, pay) == (date(2026, 5, 1), date(2026, 5, 31), date(2026, 6, 1))  # May 31 is a Sunday


def test_section_125_lowers_fica_wages_and_401k_only_income_tax_wages():
    rng = np.random.default_rng(3)
    employee = random_employee(rng, PERIODS_PER_YEAR["semimonthly"], "IL")
    employee = type(employee)(**{**employee.__dict__, "section_125": 10_000, "deferral_rate": 0.1, "after_tax": 0})
    pay = compute_pay(employee, 300_000, 0, 24, fica_before=0, base=wage_base(2026))
    assert pay.social_security == round(2_900_00 * 0.062) and pay.medicare == round(2_900_00 * 0.0145)
    assert pay.other == 10_000 + 30_000
    past_base = compute_pay(employee, 300_000, 0, 24, fica_before=18_440_000, base=wage_base(2026))
    assert past_base.social_security == round(10_000 * 0.062)  # only $100 of wages left under the base
    above_200k = compute_pay(employee, 300_000, 0, 24, fica_before=21_000_000, base=wage_base(2026))
    assert above_200k.social_security == 0 and above_200k.medicare == round(2_900_00 * 0.0235)


def test_bonus_is_withheld_at_the_supplemental_rate():
    rng = np.random.default_rng(5)
    employee = random_employee(rng, 26, "IL")
    employee = type(employee)(
        **{**employee.__dict__, "section_125": 0, "deferral_rate": 0.0, "federal_exempt": False, "extra_withholding": 0}
    )
    regular = compute_pay(employee, 200_000, 0, 26, 0, wage_base(2026))
    with_bonus = compute_pay(employee, 300_000, 100_000, 26, 0, wage_base(2026))
    assert with_bonus.federal - regular.federal == 22_000


@pytest.mark.parametrize("pattern", sorted(GENERATOR.fraud_patterns))
def test_each_fraud_pattern_leaves_evidence_beyond_a_benign_edit(pattern):
    """A forgery is labelled fraud only with evidence: every pattern but the soft ones leaves a hard reason
    on most documents, and no pattern leaves only a zero federal tax or round figures."""
    soft_by_nature = {"pay_date_outside_period", "poor_scan", "ytd_inflated"}
    partly_soft = {"inflated_gross"}  # a careful forger re-balances the net: only the FICA rates are off
    rng = np.random.default_rng(12)
    hard = 0
    for _ in range(60):
        doc = GENERATOR.genuine(rng, TODAY)
        GENERATOR.fraud_patterns[pattern](doc, rng, TODAY)
        codes = extract(GENERATOR.ocr_noise(doc, rng))[1]
        assert codes - {"NO_FEDERAL_TAX", "ROUND_AMOUNTS", "INCOMPLETE_DOCUMENT"}, (pattern, codes)
        hard += bool(codes & RECOMMENDED_HARD)
    assert hard >= (0 if pattern in soft_by_nature else 20 if pattern in partly_soft else 40), (pattern, hard)
