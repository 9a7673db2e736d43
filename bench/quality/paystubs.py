"""Paystubs: an employee's payroll simulated from the first pay date of the year to the stub's, in cents.

Conventions (US payroll as it is run, approximately 2024-2026 rules):
- pay frequency weekly 27%, biweekly 43%, semi-monthly 20%, monthly 10%; pay dates move off weekends
  to the Friday before; monthly and some semi-monthly payrolls pay on or before the period's last day;
- hourly employees (55%; a third of full-timers work overtime at 1.5x in about half their periods) and
  salaried ones (salary / periods); bonuses as supplemental wages withheld at a flat 22% federal;
- Section 125 deductions (health, dental, vision, FSA/HSA) come off Social Security, Medicare, federal and
  state wages; 401(k) deferrals only off federal and state wages; both are in other_deductions with
  Roth deferrals, union dues, garnishments, local taxes and state disability/leave insurance;
- federal withholding by the annualised percentage method (Form W-4 since 2020: filing status,
  dependent credits, extra withholding, a few exempt employees); Social Security 6.2% up to the year's
  wage base; Medicare 1.45% plus 0.9% on wages above $200,000 in the year;
- state income tax flat or by brackets, none in AK, FL, NH, NV, SD, TN, TX, WA and WY;
- YTD is the sum over the year's pay dates, so the first pay of the year has YTD equal to the period.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from quality.common import (
    OBVIOUS,
    SUBTLE,
    Draft,
    Spelling,
    add_months,
    apply_ocr,
    business_name,
    chance,
    half_up,
    month_end,
    person_name,
    pick,
    place,
    shift_weekend,
    street_address,
)

DOC_TYPE = "paystub"
AMOUNT_FIELDS = (
    "gross_pay",
    "net_pay",
    "federal_tax",
    "state_tax",
    "social_security",
    "medicare",
    "other_deductions",
    "ytd_gross",
    "ytd_net",
)
TEXT_FIELDS = ("company_name", "company_address", "employee_name")
PERIODS_PER_YEAR = {"weekly": 52, "biweekly": 26, "semimonthly": 24, "monthly": 12}
FREQUENCY_WEIGHTS = {"weekly": 0.27, "biweekly": 0.43, "semimonthly": 0.20, "monthly": 0.10}
SS_WAGE_BASE = {2022: 147_000, 2023: 160_200, 2024: 168_600, 2025: 176_100, 2026: 184_500}
SS_RATE, MEDICARE_RATE, ADDITIONAL_MEDICARE_RATE, ADDITIONAL_MEDICARE_FROM = 0.062, 0.0145, 0.009, 200_000
SUPPLEMENTAL_FEDERAL_RATE = 0.22
# Annual withholding brackets (percentage method, W-4 2020 or later), (from, rate).
FEDERAL_BRACKETS = {
    "single": ((0, 0), (6000, 0.10), (17600, 0.12), (53150, 0.22), (106525, 0.24), (197950, 0.32), (249725, 0.35)),
    "married": ((0, 0), (16300, 0.10), (39500, 0.12), (110600, 0.22), (217350, 0.24), (400200, 0.32), (503750, 0.35)),
    "head": ((0, 0), (13300, 0.10), (29850, 0.12), (76400, 0.22), (113800, 0.24), (205250, 0.32), (257000, 0.35)),
}
NO_INCOME_TAX_STATES = {"AK", "FL", "NH", "NV", "SD", "TN", "TX", "WA", "WY"}
# state: (annual deduction, brackets, supplemental rate); a flat tax is one bracket
STATE_TAX = {
    "PA": (0, ((0, 0.0307),), 0.0307),
    "IL": (2775, ((0, 0.0495),), 0.0495),
    "MI": (5600, ((0, 0.0425),), 0.0425),
    "IN": (1000, ((0, 0.0305 + 0.0177),), 0.0482),  # with a typical county tax
    "NC": (12750, ((0, 0.045),), 0.045),
    "CO": (14600, ((0, 0.044),), 0.044),
    "UT": (0, ((0, 0.0455),), 0.0455),
    "MA": (4400, ((0, 0.05),), 0.05),
    "AZ": (14600, ((0, 0.025),), 0.025),
    "KY": (3160, ((0, 0.04),), 0.04),
    "GA": (12000, ((0, 0.0539),), 0.0539),
    "ID": (14600, ((0, 0.058),), 0.058),
    "MD": (2550, ((0, 0.0475 + 0.03),), 0.0775),  # with a typical county tax
    "CA": (
        5540,
        ((0, 0.01), (10756, 0.02), (25499, 0.04), (40245, 0.06), (55866, 0.08), (70606, 0.093), (360659, 0.103)),
        0.066,
    ),
    "NY": (8000, ((0, 0.04), (8500, 0.045), (11700, 0.0525), (13900, 0.055), (80650, 0.06), (215400, 0.0685)), 0.117),
    "NJ": (1000, ((0, 0.014), (20000, 0.0175), (35000, 0.035), (40000, 0.05525), (75000, 0.0637)), 0.0637),
    "OH": (0, ((0, 0), (26050, 0.0275), (100000, 0.035)), 0.035),
    "VA": (8000, ((0, 0.02), (3000, 0.03), (5000, 0.05), (17000, 0.0575)), 0.0575),
    "MN": (14575, ((0, 0.0535), (31690, 0.068), (104090, 0.0785)), 0.0625),
    "OR": (2745, ((0, 0.0475), (4300, 0.0675), (10750, 0.0875), (125000, 0.099)), 0.08),
    "WI": (12760, ((0, 0.035), (14320, 0.044), (28640, 0.053)), 0.053),
    "MO": (14600, ((0, 0.02), (2546, 0.03), (5092, 0.04), (8911, 0.048)), 0.048),
}
# city: rate of a local wage tax
LOCAL_TAX = {"Philadelphia": 0.0375, "New York": 0.0350, "Columbus": 0.025, "Cleveland": 0.025, "Detroit": 0.024}
LOCAL_TAX.update({"Kansas City": 0.01, "Louisville": 0.022})
# state: employee share of disability / paid leave / long-term care insurance, as a rate of gross
STATE_INSURANCE = {"CA": 0.012, "NJ": 0.0023, "NY": 0.0045, "WA": 0.0124, "MA": 0.0046, "OR": 0.005, "CO": 0.0045}

# In the order two patterns are applied: those that redo the stub's sums come before those that break them.
PATTERNS = {
    "wrong_statutory_rates": (SUBTLE, OBVIOUS),
    "taxes_omitted": (SUBTLE, OBVIOUS),
    "inflated_gross": (SUBTLE, OBVIOUS),
    "inflated_net": (SUBTLE, OBVIOUS),
    "ytd_below_current": (SUBTLE, OBVIOUS),
    "ytd_too_high": (SUBTLE, OBVIOUS),
    "future_pay_date": (SUBTLE, OBVIOUS),
    "pay_date_outside_period": (SUBTLE, OBVIOUS),
}
# pairs that may not be combined (they set the same fields)
EXCLUSIVE = {
    frozenset({"future_pay_date", "pay_date_outside_period"}),
    frozenset({"ytd_below_current", "ytd_too_high"}),
    frozenset({"wrong_statutory_rates", "taxes_omitted"}),
}


def bracket_tax(income: float, brackets) -> float:
    tax = 0.0
    for i, (start, rate) in enumerate(brackets):
        end = brackets[i + 1][0] if i + 1 < len(brackets) else math.inf
        if income > start:
            tax += (min(income, end) - start) * rate
    return tax


# the pay calendar --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    pay: date


def _weekly_periods(first_end: date, step: int, lag: int, around: int) -> list[Period]:
    out, end = [], first_end
    while end.year <= around + 1:
        start = end - timedelta(days=step - 1)
        out.append(Period(start, end, shift_weekend(end + timedelta(days=lag))))
        end += timedelta(days=step)
    return out


def pay_calendar(frequency: str, year: int, rule: dict) -> list[Period]:
    """The periods whose pay date falls in `year`, in order."""
    periods: list[Period] = []
    if frequency in ("weekly", "biweekly"):
        step = 7 if frequency == "weekly" else 14
        anchor = rule["anchor"]  # a period end long ago, fixing the weekday and the fortnight's parity
        first = anchor + timedelta(days=((date(year - 1, 11, 1) - anchor).days // step + 1) * step)
        periods = _weekly_periods(first, step, rule["lag"], year)
    elif frequency == "semimonthly":
        day = date(year - 1, 11, 1)
        while day.year <= year + 1:
            for start, end in ((day, day.replace(day=15)), (day.replace(day=16), month_end(day))):
                pay = end + timedelta(days=rule["lag"])
                periods.append(Period(start, end, shift_weekend(pay)))
            day = add_months(day, 1)
    else:
        day = date(year - 1, 11, 1)
        while day.year <= year + 1:
            end = month_end(day)
            if rule["pay"] == "last_business_day":
                pay = shift_weekend(end)
            elif rule["pay"] == "25th":
                pay = shift_weekend(day.replace(day=25))
            else:
                pay = shift_weekend(end + timedelta(days=rule["lag"]))
            periods.append(Period(day, end, pay))
            day = add_months(day, 1)
    return [p for p in periods if p.pay.year == year]


def _pay_rule(rng: random.Random, frequency: str) -> dict:
    if frequency in ("weekly", "biweekly"):
        return {
            "anchor": date(2019, 12, 1) + timedelta(days=rng.randrange(14)),
            "lag": pick(rng, [3, 5, 6, 7, 12, 13], [0.1, 0.3, 0.25, 0.2, 0.08, 0.07]),
        }
    if frequency == "semimonthly":
        return {"lag": pick(rng, [0, 5, 10], [0.55, 0.3, 0.15])}
    return {
        "pay": pick(rng, ["last_business_day", "25th", "after"], [0.45, 0.15, 0.40]),
        "lag": pick(rng, [1, 5, 10]),
    }


# the employee ------------------------------------------------------------------------------------


@dataclass
class Employee:
    frequency: str
    rule: dict
    hourly: bool
    rate: float  # dollars per hour, or per year when salaried
    weekly_hours: float
    overtime_prone: bool
    state: str
    city: str
    filing: str
    dependents_credit: int
    extra_withholding: int  # cents per period
    exempt: bool
    section_125: int  # cents per period
    deferral_rate: float  # 401(k), pre-tax
    roth_rate: float
    post_tax: int  # cents per period: union dues, life insurance, garnishments, loan repayments
    annual_bonus_month: int | None


def _employee(rng: random.Random, high_earner: bool) -> Employee:
    frequency = pick(rng, list(FREQUENCY_WEIGHTS), list(FREQUENCY_WEIGHTS.values()))
    hourly = not high_earner and chance(rng, 0.55 if frequency in ("weekly", "biweekly") else 0.25)
    full_time = chance(rng, 0.78)
    if hourly:
        rate = min(85.0, max(10.5, round(rng.lognormvariate(math.log(21), 0.38), 2)))
        weekly_hours = rng.uniform(36, 40) if full_time else rng.uniform(12, 30)
    elif high_earner:
        rate, weekly_hours = float(rng.randrange(195_000, 520_000, 500)), 40.0
    else:
        rate = float(min(600_000, max(26_000, round(rng.lognormvariate(math.log(68_000), 0.48), -2))))
        weekly_hours = 40.0 if full_time or chance(rng, 0.5) else 20.0
    city, state, _ = place(rng)
    if state in NO_INCOME_TAX_STATES and chance(rng, 0.45):  # about a fifth of US workers live in them
        city, state, _ = place(rng, set(STATE_TAX))
    filing = pick(rng, ["single", "married", "head"], [0.5, 0.4, 0.1])
    periods = PERIODS_PER_YEAR[frequency]
    insured = chance(rng, 0.62 if weekly_hours >= 30 else 0.2)
    monthly_premium = rng.uniform(35, 420) if insured else 0.0
    if insured and chance(rng, 0.18):
        monthly_premium += rng.uniform(40, 260)  # FSA or HSA
    post_tax = 0
    if chance(rng, 0.07):
        post_tax += half_up(rng.uniform(12, 60) * 100)  # union dues
    if chance(rng, 0.1):
        post_tax += half_up(rng.uniform(3, 25) * 100)  # supplemental life
    if chance(rng, 0.03):
        post_tax += half_up(rng.uniform(50, 400) * 100)  # a garnishment or child support order
    if chance(rng, 0.04):
        post_tax += half_up(rng.uniform(40, 250) * 100)  # 401(k) loan repayment
    return Employee(
        frequency=frequency,
        rule=_pay_rule(rng, frequency),
        hourly=hourly,
        rate=rate,
        weekly_hours=weekly_hours,
        overtime_prone=hourly and full_time and chance(rng, 0.45),
        state=state,
        city=city,
        filing=filing,
        dependents_credit=pick(rng, [0, 2000, 4000, 6000], [0.6, 0.15, 0.15, 0.1]) if filing != "single" else 0,
        extra_withholding=half_up(rng.uniform(10, 80) * 100) if chance(rng, 0.08) else 0,
        exempt=chance(rng, 0.015),
        section_125=half_up(monthly_premium * 12 / periods * 100),
        deferral_rate=pick(rng, [0.0, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.15], [45, 8, 7, 10, 12, 7, 7, 4]),
        roth_rate=0.04 if chance(rng, 0.07) else 0.0,
        post_tax=post_tax,
        annual_bonus_month=pick(rng, [2, 3, 12]) if not hourly and chance(rng, 0.3) else None,
    )


@dataclass
class PayLine:
    period: Period
    gross: int
    regular: int
    overtime: int
    bonus: int
    federal: int
    state: int
    social_security: int
    medicare: int
    other: int
    net: int
    additional_medicare: int
    ss_capped: bool
    local: int
    insurance: int


def _annual_state_tax(state: str, annual_wages: float) -> float:
    deduction, brackets, _ = STATE_TAX[state]
    return bracket_tax(max(0.0, annual_wages - deduction), brackets)


def run_payroll(rng: random.Random, emp: Employee, periods: list[Period], hire: date | None) -> list[PayLine]:
    """Every pay line of the year up to and including the last of `periods`, from the hire date on."""
    per_year = PERIODS_PER_YEAR[emp.frequency]
    base_dollars = SS_WAGE_BASE.get(periods[-1].pay.year, SS_WAGE_BASE[max(SS_WAGE_BASE)])
    ss_wages = medicare_wages = 0
    lines = []
    for period in periods:
        if hire is not None and period.end < hire:
            continue
        days = (period.end - period.start).days + 1
        worked = days if hire is None or hire <= period.start else (period.end - hire).days + 1
        if emp.hourly:
            hours = emp.weekly_hours * days / 7 * rng.uniform(0.88, 1.04)
            regular = half_up(min(hours, 40 * days / 7) * emp.rate * 100 * worked / days)
            ot_hours = rng.uniform(1, 14) * days / 7 if emp.overtime_prone and chance(rng, 0.55) else 0.0
            overtime = half_up(ot_hours * emp.rate * 1.5 * 100)
        else:
            regular = half_up(emp.rate / per_year * 100 * (emp.weekly_hours / 40) * worked / days)
            overtime = 0
        bonus = 0
        if emp.annual_bonus_month == period.pay.month and period.pay.day <= 15 + (emp.frequency == "monthly") * 16:
            bonus = half_up(emp.rate * rng.uniform(0.04, 0.2) * 100)
            emp.annual_bonus_month = None
        elif chance(rng, 0.03):
            bonus = half_up(rng.uniform(100, 2500) * 100)  # spot, referral, holiday or retention bonus
        gross = regular + overtime + bonus
        section_125 = min(emp.section_125, gross // 3)
        deferral = half_up((regular + overtime) * emp.deferral_rate)
        roth = half_up((regular + overtime) * emp.roth_rate)
        fica = gross - section_125
        base_left = max(0, base_dollars * 100 - ss_wages)
        ss_taxed = min(fica, base_left)
        social_security = half_up(ss_taxed * SS_RATE)
        above = max(0, medicare_wages + fica - max(ADDITIONAL_MEDICARE_FROM * 100, medicare_wages))
        additional = half_up(above * ADDITIONAL_MEDICARE_RATE)
        medicare = half_up(fica * MEDICARE_RATE) + additional
        ss_wages += ss_taxed
        medicare_wages += fica
        taxable = regular + overtime - section_125 - deferral  # regular wages for income tax
        if emp.exempt:
            federal = 0
        else:
            annual = max(0.0, taxable / 100 * per_year)
            tax = max(0.0, bracket_tax(annual, FEDERAL_BRACKETS[emp.filing]) - emp.dependents_credit)
            federal = half_up(tax / per_year * 100) + emp.extra_withholding + half_up(bonus * SUPPLEMENTAL_FEDERAL_RATE)
        state_tax = 0
        if emp.state in STATE_TAX:
            annual = max(0.0, taxable / 100 * per_year)
            state_tax = half_up(_annual_state_tax(emp.state, annual) / per_year * 100)
            state_tax += half_up(bonus * STATE_TAX[emp.state][2])
        local = half_up(gross * LOCAL_TAX.get(emp.city, 0.0))
        insurance = half_up(gross * STATE_INSURANCE.get(emp.state, 0.0))
        other = section_125 + deferral + roth + emp.post_tax + local + insurance
        net = gross - federal - state_tax - social_security - medicare - other
        if net < gross // 10:  # a payroll never takes voluntary deductions past the pay: drop them this period
            other -= emp.post_tax + roth
            net += emp.post_tax + roth
        if net < 0:  # extra withholding on a very small check: withhold what there is
            federal, net = federal + net, 0
        lines.append(
            PayLine(
                period=period,
                gross=gross,
                regular=regular,
                overtime=overtime,
                bonus=bonus,
                federal=federal,
                state=state_tax,
                social_security=social_security,
                medicare=medicare,
                other=other,
                net=net,
                additional_medicare=additional,
                ss_capped=ss_taxed < fica,
                local=local,
                insurance=insurance,
            )
        )
    return lines


# one stub ----------------------------------------------------------------------------------------


def _target(rng: random.Random, emp: Employee, today: date, mode: str) -> tuple[int, int]:
    """(year, index of the stub's period in that year's calendar)."""
    if mode == "first_of_year":
        year = today.year if pay_calendar(emp.frequency, today.year, emp.rule)[0].pay < today else today.year - 1
        return year, 0
    if mode == "late_year":
        year = today.year if today > date(today.year, 11, 20) else today.year - 1
        first, last = date(year, 10, 20), min(date(year, 12, 31), today - timedelta(days=1))
        wanted = first + timedelta(days=rng.randrange((last - first).days + 1))
    else:
        back = rng.randint(1, 35) if chance(rng, 0.6) else rng.randint(1, 420)
        wanted = today - timedelta(days=back)
    for year in (wanted.year, wanted.year - 1):
        calendar = pay_calendar(emp.frequency, year, emp.rule)
        index = max((i for i, p in enumerate(calendar) if p.pay <= wanted), default=None)
        if index is not None:
            return year, index
    raise AssertionError("no pay date before the wanted one")


def draft(rng: random.Random, today: date) -> tuple[Draft, dict]:
    """A genuine paystub's values (cents and dates) and what the fraud patterns need to know about it."""
    roll = rng.random()
    mode = "first_of_year" if roll < 0.06 else "late_year" if roll < 0.10 else "recent"
    emp = _employee(rng, high_earner=mode == "late_year" or chance(rng, 0.02))
    year, index = _target(rng, emp, today, mode)
    calendar = pay_calendar(emp.frequency, year, emp.rule)
    hire = None
    if index > 2 and chance(rng, 0.08):
        hire_period = calendar[rng.randrange(1, index)]
        hire = hire_period.start + timedelta(days=rng.randrange((hire_period.end - hire_period.start).days + 1))
    lines = run_payroll(rng, emp, calendar[: index + 1], hire)
    line = lines[-1]
    tags = [f"pay_{emp.frequency}", "hourly" if emp.hourly else "salaried"]
    flags = {
        "first_pay_of_year": index == 0,
        "period_spans_new_year": line.period.start.year < line.period.pay.year,
        "new_hire": hire is not None,
        "overtime": line.overtime > 0,
        "bonus": line.bonus > 0,
        "section_125": emp.section_125 > 0,
        "401k": emp.deferral_rate > 0,
        "ss_wage_base_reached": line.social_security == 0 and line.ss_capped,
        "ss_wage_base_partial": line.social_security > 0 and line.ss_capped,
        "additional_medicare": line.additional_medicare > 0,
        "no_state_tax": emp.state in NO_INCOME_TAX_STATES,
        "no_federal_withholding": line.federal == 0,
        "federal_exempt": emp.exempt,
        "local_tax": line.local > 0,
        "state_insurance": line.insurance > 0,
        "part_time": emp.weekly_hours < 30,
        "paid_before_period_end": line.period.pay < line.period.end,
        "high_earner": not emp.hourly and emp.rate >= 195_000,
    }
    tags += [name for name, on in flags.items() if on]
    values = {
        "company_name": business_name(rng),
        "company_address": street_address(rng, *place(rng, [emp.state])) if chance(rng, 0.85) else None,
        "employee_name": person_name(rng, formal=True),
        "employee_id": _employee_id(rng),
        "pay_date": line.period.pay,
        "pay_period_start": line.period.start,
        "pay_period_end": line.period.end,
        "gross_pay": line.gross,
        "net_pay": line.net,
        "federal_tax": line.federal,
        "state_tax": line.state if emp.state in STATE_TAX else None,
        "social_security": line.social_security,
        "medicare": line.medicare,
        "other_deductions": line.other,
        "ytd_gross": sum(x.gross for x in lines),
        "ytd_net": sum(x.net for x in lines),
    }
    context = {"frequency": emp.frequency, "periods_elapsed": len(lines), "today": today}
    return Draft(values, tags), context


def _employee_id(rng: random.Random):
    roll = rng.random()
    if roll < 0.25:
        return None
    if roll < 0.45:
        return rng.randint(1000, 999_999)  # the API takes an integer identifier too
    if roll < 0.65:
        return f"E{rng.randint(0, 999_999):06d}"
    if roll < 0.8:
        return f"{rng.randint(0, 99_999):06d}"
    return pick(rng, [f"EMP-{rng.randint(1, 9999):04d}", f"{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"])


# fraud -------------------------------------------------------------------------------------------


def _recompute_net(v: dict) -> int:
    deductions = ("federal_tax", "state_tax", "social_security", "medicare", "other_deductions")
    return v["gross_pay"] - sum(v[k] or 0 for k in deductions)


def apply_fraud(rng: random.Random, d: Draft, context: dict, pattern: str, level: str) -> None:
    v, subtle, today = d.values, level == SUBTLE, context["today"]
    if pattern == "inflated_gross":
        if subtle:  # gross and net raised together, so they still add up; the statutory lines were left alone
            raise_by = half_up(v["gross_pay"] * rng.uniform(0.15, 0.4))
            v["gross_pay"] += raise_by
            v["net_pay"] += raise_by
            d.touched |= {"gross_pay", "net_pay", "social_security", "medicare"}
        else:
            v["gross_pay"] = half_up(v["gross_pay"] * rng.uniform(1.8, 3.5))
            d.touched |= {"gross_pay", "net_pay"}
    elif pattern == "inflated_net":
        if subtle:
            v["net_pay"] += half_up(v["net_pay"] * rng.uniform(0.05, 0.14))
        else:
            v["net_pay"] = half_up(v["gross_pay"] * rng.uniform(1.05, 1.6))  # more take-home than pay
        d.touched |= {"net_pay", "gross_pay"}
    elif pattern == "ytd_below_current":
        share = rng.uniform(0.82, 0.98) if subtle else rng.uniform(0.08, 0.5)
        v["ytd_gross"] = half_up(v["gross_pay"] * share)
        v["ytd_net"] = half_up(v["net_pay"] * share)
        d.touched |= {"ytd_gross", "ytd_net", "gross_pay"}
    elif pattern == "ytd_too_high":
        ceiling = v["gross_pay"] * context["periods_elapsed"]
        factor = rng.uniform(1.7, 2.6) if subtle else rng.uniform(4, 12)
        v["ytd_gross"] = half_up(ceiling * factor)
        v["ytd_net"] = half_up(v["ytd_net"] * factor) if subtle else half_up(v["ytd_gross"] * rng.uniform(1.02, 1.3))
        d.touched |= {"ytd_gross", "ytd_net", "gross_pay", "pay_date"}
    elif pattern == "wrong_statutory_rates":
        gross = v["gross_pay"]
        if subtle:  # above what the law allows, by a little: FICA's combined 7.65% as Social Security, or 2.35%
            if chance(rng, 0.5):
                v["social_security"] = half_up(gross * rng.uniform(0.066, 0.0765))
            else:
                v["medicare"] = half_up(gross * rng.uniform(0.017, 0.0235))
        else:
            v["social_security"] = half_up(gross * rng.uniform(0.1, 0.15))
            v["medicare"] = half_up(gross * rng.uniform(0.03, 0.062))
        v["net_pay"] = _recompute_net(v)  # the stub maker does its sums; only the rates are made up
        d.touched |= {"social_security", "medicare", "gross_pay", "net_pay"}
    elif pattern == "taxes_omitted":
        if subtle:  # Medicare has no wage cap: Social Security withheld without it cannot happen
            v["medicare"] = 0
            if v["social_security"] == 0:
                v["social_security"] = half_up(v["gross_pay"] * SS_RATE)
        else:
            v["gross_pay"] = max(v["gross_pay"], half_up(rng.uniform(2500, 9000) * 100))
            v["federal_tax"] = v["social_security"] = v["medicare"] = 0
        v["net_pay"] = _recompute_net(v)
        d.touched |= {"social_security", "medicare", "federal_tax", "gross_pay", "net_pay"}
    elif pattern == "future_pay_date":
        ahead = rng.randint(3, 25) if subtle else rng.randint(60, 400)
        shift = today + timedelta(days=ahead) - v["pay_date"]
        for name in ("pay_date", "pay_period_start", "pay_period_end"):
            v[name] += shift
        d.touched |= {"pay_date"}
    elif pattern == "pay_date_outside_period":
        length = v["pay_period_end"] - v["pay_period_start"]
        if subtle:  # paid a little before the period began
            v["pay_date"] = v["pay_period_start"] - timedelta(days=rng.randint(4, 20))
        else:  # months after the period ended
            v["pay_period_end"] = v["pay_date"] - timedelta(days=rng.randint(90, 300))
            v["pay_period_start"] = v["pay_period_end"] - length
        d.touched |= {"pay_date", "pay_period_start", "pay_period_end"}
    else:
        raise ValueError(f"unknown paystub pattern {pattern}")


# rendering ---------------------------------------------------------------------------------------


def render(rng: random.Random, d: Draft, context: dict) -> dict:
    v, spell, tags = d.values, Spelling(rng), d.variation
    doc: dict = {}
    for name in ("company_name", "company_address", "employee_name", "employee_id"):
        if v[name] is not None:
            doc[name] = v[name]
    for name in ("pay_date", "pay_period_start", "pay_period_end"):
        doc[name] = spell.date(v[name])
    for name in ("gross_pay", "net_pay", "federal_tax", "state_tax", "social_security", "medicare"):
        value = v[name]
        if value is None:  # no state income tax: the line is not on the stub, or printed as zero
            if chance(rng, 0.4):
                doc[name] = spell.amount(0)
            continue
        if value == 0 and name not in d.touched and chance(rng, 0.3):
            tags.append(f"zero_line_omitted:{name}")  # a zero line the payroll system does not print
            continue
        doc[name] = spell.amount(value)
    if v["other_deductions"] or "other_deductions" in d.touched or chance(rng, 0.5):
        doc["other_deductions"] = spell.amount(v["other_deductions"])
    if chance(rng, 0.97) or {"ytd_gross", "ytd_net"} & d.touched:
        doc["ytd_gross"] = spell.amount(v["ytd_gross"])
        if chance(rng, 0.78) or "ytd_net" in d.touched:
            doc["ytd_net"] = spell.amount(v["ytd_net"])
    else:
        tags.append("ytd_not_printed")
    return apply_ocr(
        doc,
        rng,
        tags,
        protected=d.touched,
        amount_fields=AMOUNT_FIELDS,
        text_fields=TEXT_FIELDS,
        digit_fields=("employee_id",),
    )
