"""Synthetic paystubs: payroll computed the way a payroll system does it, and the ways forged stubs break it.

A genuine stub is built from an employee (pay frequency, salary or hourly rate, benefits, W-4) and a
calendar (the period, the pay date, how many pays so far this year). Amounts are computed in
integer cents so a genuine stub adds up exactly, and they follow the rules real stubs follow:
Section 125 premiums lower Social Security and Medicare wages, 401(k) deferrals lower only
income-tax wages, Social Security stops at the year's wage base, Medicare adds 0.9% above
$200,000, bonuses are withheld at the 22% supplemental rate, and some employees have no federal
or state income tax withheld at all.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from domain.synthetic import (
    SyntheticDocumentGenerator,
    digits,
    drop_optional,
    person_name,
    pick,
    poor_scan,
    scan_quality,
)
from paystub.payroll import (
    ADDITIONAL_MEDICARE_RATE,
    ADDITIONAL_MEDICARE_THRESHOLD,
    MEDICARE_RATE,
    NO_INCOME_TAX_STATES,
    SOCIAL_SECURITY_RATE,
    SUPPLEMENTAL_FEDERAL_RATE,
    wage_base,
)

COMPANIES = (
    "Acme Logistics LLC",
    "Blue River Health",
    "Northwind Traders",
    "Summit Foods Inc",
    "Orion Software Corp",
    "Pioneer Construction",
    "Lakeside School District",
    "Harbor Freight Lines",
    "Evergreen Dental Group",
    "Cascade Home Services",
    "Redwood Analytics Inc",
    "Metro Transit Authority",
    "Sunrise Senior Living",
    "Granite State Bank",
)
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Elm St", "Lake Rd", "Commerce Way")
CITIES_BY_STATE = {
    "IL": "Springfield",
    "OH": "Columbus",
    "OR": "Portland",
    "NC": "Raleigh",
    "CO": "Denver",
    "CA": "Sacramento",
    "NY": "Albany",
    "GA": "Atlanta",
    "PA": "Harrisburg",
    "MI": "Lansing",
    "AZ": "Phoenix",
    "TX": "Austin",
    "FL": "Tampa",
    "WA": "Seattle",
    "NV": "Reno",
    "TN": "Nashville",
}
# Share of US employees paid weekly, biweekly, semi-monthly and monthly (BLS, roughly).
FREQUENCIES = {"weekly": 0.27, "biweekly": 0.43, "semimonthly": 0.20, "monthly": 0.10}
PERIODS_PER_YEAR = {"weekly": 52, "biweekly": 26, "semimonthly": 24, "monthly": 12}
# Annual income below which the percentage method withholds nothing (2025 Pub. 15-T, standard withholding).
STANDARD_DEDUCTION = {"single": 6_400.0, "married": 17_100.0}
# 2025 federal brackets for single filers (upper bound, rate); married filers' bounds are doubled.
FEDERAL_BRACKETS = (
    (11_925.0, 0.10),
    (48_475.0, 0.12),
    (103_350.0, 0.22),
    (197_300.0, 0.24),
    (250_525.0, 0.32),
    (626_350.0, 0.35),
    (math.inf, 0.37),
)


def cents(amount: float) -> int:
    """`amount` dollars as whole cents, halves rounded up as payroll systems do."""
    return int(math.floor(amount * 100 + 0.5 + 1e-9))


def dollars(amount_cents: int) -> float:
    return amount_cents / 100


# --- the calendar -------------------------------------------------------------------------------


def next_business_day(day: date) -> date:
    """`day`, or the Monday after it when it falls on a weekend."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def previous_business_day(day: date) -> date:
    """`day`, or the Friday before it when it falls on a weekend."""
    return day - timedelta(days=day.weekday() - 4) if day.weekday() >= 5 else day


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Schedule:
    """How an employer pays: frequency, the weekday weekly periods end on, days from period end to pay."""

    frequency: str
    end_weekday: int
    lag_days: int
    pay_early_on_weekends: bool  # semi-monthly and monthly payrolls often pay the Friday before

    def period_containing(self, day: date) -> tuple[date, date]:
        """(start, end) of the pay period that contains `day`."""
        if self.frequency in ("weekly", "biweekly"):
            length = 7 if self.frequency == "weekly" else 14
            end = day + timedelta(days=(self.end_weekday - day.weekday()) % 7)
            return end - timedelta(days=length - 1), end
        if self.frequency == "semimonthly":
            if day.day <= 15:
                return day.replace(day=1), day.replace(day=15)
            return day.replace(day=16), month_end(day.year, day.month)
        return day.replace(day=1), month_end(day.year, day.month)

    def pay_date(self, end: date) -> date:
        """The pay date of the period ending `end`: `lag_days` later, moved off a weekend."""
        day = end + timedelta(days=self.lag_days)
        if self.pay_early_on_weekends and day.weekday() >= 5 and previous_business_day(day) >= end:
            return previous_business_day(day)
        return next_business_day(day)

    def latest_paid_period(self, on_or_before: date) -> tuple[date, date, date]:
        """(start, end, pay date) of the last period paid on or before `on_or_before`."""
        day = on_or_before
        while True:
            start, end = self.period_containing(day)
            pay = self.pay_date(end)
            if pay <= on_or_before:
                return start, end, pay
            day = start - timedelta(days=1)

    def pays_this_year(self, start: date, end: date) -> int:
        """How many pay dates fall in the calendar year of the period (`start`..`end`)'s pay date, up to it."""
        year, count = self.pay_date(end).year, 0
        while self.pay_date(end).year == year:
            count += 1
            start, end = self.period_containing(start - timedelta(days=1))
        return count


def random_schedule(rng: np.random.Generator) -> Schedule:
    frequency = str(rng.choice(list(FREQUENCIES), p=list(FREQUENCIES.values())))
    if frequency in ("weekly", "biweekly"):
        # Periods end on a Friday, Saturday or Sunday; most employers pay on the Friday after.
        end_weekday = int(rng.choice([4, 5, 6]))
        to_friday = (4 - end_weekday) % 7 + int(rng.choice([0, 7]))
        lag = to_friday if rng.random() < 0.7 else int(rng.choice([0, 2, 3, 5]))
        return Schedule(frequency, end_weekday, lag, False)
    return Schedule(frequency, 0, int(rng.choice([0, 0, 0, 1, 3, 5])), bool(rng.random() < 0.6))


def recent_pay_date(rng: np.random.Generator, today: date) -> date:
    """The date an applicant's stub was paid: mostly the last two months, sometimes up to a year back."""
    if rng.random() < 0.8:
        return today - timedelta(days=int(rng.integers(1, 60)))
    return today - timedelta(days=int(rng.integers(60, 400)))


# --- the employee -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Employee:
    """What decides an employee's pay and withholding (amounts per pay period, in cents)."""

    regular_gross: int
    hourly_rate: float | None  # None for salaried employees
    section_125: int  # pre-tax health, dental, vision, FSA/HSA premiums
    deferral_rate: float  # 401(k) share of gross, pre income tax only
    after_tax: int  # Roth, union dues, garnishments, charity
    filing: str
    dependents: int
    extra_withholding: int
    federal_exempt: bool
    state_rate: float  # 0 in states without income tax


def random_employee(rng: np.random.Generator, periods: int, state: str) -> Employee:
    """An employee of a given pay frequency (`periods` a year) working in `state`."""
    hourly = rng.random() < 0.45
    if hourly:
        rate = round(float(rng.uniform(11.0, 48.0)), 2)
        hours = 40 * 52 / periods if rng.random() < 0.8 else float(rng.uniform(12, 34)) * 52 / periods
        regular = cents(rate * round(hours, 2))
    else:
        annual = float(np.exp(rng.normal(math.log(68_000), 0.5)))
        if rng.random() < 0.12:  # high earners: the wage base and the additional Medicare apply to them
            annual = float(np.exp(rng.uniform(math.log(170_000), math.log(900_000))))
        annual = round(max(annual, 24_000) / 500) * 500
        per_period = annual / periods
        if rng.random() < 0.3:  # the salary is set per period: 2,500.00 semi-monthly
            per_period = round(per_period / 50) * 50
        regular = cents(per_period)
        rate = None
    section_125 = cents(float(rng.uniform(40, 650)) * 12 / periods) if rng.random() < 0.45 else 0
    deferral = float(rng.choice([0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.15])) if rng.random() < 0.4 else 0.0
    after_tax = cents(float(rng.uniform(5, 160))) if rng.random() < 0.15 else 0
    no_state_tax = state in NO_INCOME_TAX_STATES
    return Employee(
        regular_gross=regular,
        hourly_rate=rate,
        section_125=min(section_125, regular // 3),
        deferral_rate=deferral,
        after_tax=after_tax,
        filing="married" if rng.random() < 0.45 else "single",
        dependents=int(rng.choice([0, 0, 0, 0, 0, 1, 2, 3])),
        extra_withholding=cents(float(rng.choice([25, 50, 100]))) if rng.random() < 0.05 else 0,
        federal_exempt=rng.random() < 0.03,
        state_rate=0.0 if no_state_tax else float(rng.uniform(0.02, 0.065)),
    )


def annual_federal_tax(taxable: float, filing: str) -> float:
    """Tax on `taxable` annual income from the brackets (bounds doubled for married filers)."""
    scale = 2.0 if filing == "married" else 1.0
    tax, lower = 0.0, 0.0
    for upper, rate in FEDERAL_BRACKETS:
        upper *= scale
        if taxable <= lower:
            break
        tax += (min(taxable, upper) - lower) * rate
        lower = upper
    return tax


def federal_withholding(employee: Employee, income_wages: int, periods: int) -> int:
    """Percentage-method withholding (IRS Pub. 15-T, simplified) on regular `income_wages` cents."""
    if employee.federal_exempt:
        return 0
    annual = dollars(income_wages) * periods - STANDARD_DEDUCTION[employee.filing]
    tax = max(0.0, annual_federal_tax(max(annual, 0.0), employee.filing) - 2_000.0 * employee.dependents)
    # A W-4's extra withholding (step 4c) is taken from a paycheck that can carry it.
    extra = employee.extra_withholding if employee.extra_withholding * 4 <= income_wages else 0
    return cents(tax / periods) + extra


# --- one pay ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pay:
    """One period's stub, in cents."""

    gross: int
    federal: int
    state: int
    social_security: int
    medicare: int
    other: int

    @property
    def net(self) -> int:
        return self.gross - self.federal - self.state - self.social_security - self.medicare - self.other


def compute_pay(employee: Employee, gross: int, bonus: int, periods: int, fica_before: int, base: float) -> Pay:
    """The stub for `gross` cents (of which `bonus` is supplemental), given FICA wages earlier this year
    (`fica_before` cents) and the year's Social Security wage base (`base` dollars)."""
    section_125 = min(employee.section_125, gross // 4)  # a short period still leaves pay after premiums
    deferral = cents(dollars(gross) * employee.deferral_rate)
    fica_wages = gross - section_125
    income_wages = gross - section_125 - deferral
    regular_income = cents(dollars(income_wages) * (gross - bonus) / gross) if gross else 0
    federal = federal_withholding(employee, regular_income, periods)
    if bonus and not employee.federal_exempt:
        federal += cents(dollars(income_wages - regular_income) * SUPPLEMENTAL_FEDERAL_RATE)
    state = cents(dollars(income_wages) * employee.state_rate)
    # Social Security stops at the wage base; Medicare adds 0.9% on wages above $200,000 this year.
    taxable_left = max(0, cents(base) - fica_before)
    social_security = cents(dollars(min(fica_wages, taxable_left)) * SOCIAL_SECURITY_RATE)
    above_threshold = max(0, fica_before + fica_wages - max(cents(ADDITIONAL_MEDICARE_THRESHOLD), fica_before))
    medicare = cents(dollars(fica_wages) * MEDICARE_RATE) + cents(dollars(above_threshold) * ADDITIONAL_MEDICARE_RATE)
    after_tax = employee.after_tax if employee.after_tax < (gross - section_125 - deferral) // 4 else 0
    other = section_125 + deferral + after_tax
    return Pay(gross, federal, state, social_security, medicare, other)


# --- the stub -----------------------------------------------------------------------------------


def pay_this_period(rng: np.random.Generator, employee: Employee) -> tuple[int, int]:
    """(gross, bonus) cents of this period: the regular pay, with overtime or a bonus now and then."""
    gross, bonus = employee.regular_gross, 0
    if employee.hourly_rate is not None and rng.random() < 0.2:
        overtime_hours = round(float(rng.uniform(1, 16)), 2)
        gross += cents(employee.hourly_rate * 1.5 * overtime_hours)
    elif employee.hourly_rate is not None and rng.random() < 0.15:  # fewer hours: unpaid leave, a holiday week
        gross = cents(dollars(gross) * float(rng.uniform(0.6, 0.95)))
    if rng.random() < 0.06:
        bonus = cents(float(rng.choice([250, 500, 1_000, 1_500, 2_500, 5_000])) * float(rng.choice([1, 1, 2, 3])))
        if rng.random() < 0.4:  # a bonus figured as a share of salary has cents
            bonus = cents(dollars(employee.regular_gross) * float(rng.uniform(0.1, 1.5)))
        gross += bonus
    return gross, bonus


def earlier_pays(rng: np.random.Generator, employee: Employee, count: int) -> tuple[int, int]:
    """(gross, FICA wages) cents of `count` earlier pays this year: regular pay, hours that vary, a bonus."""
    if count == 0:
        return 0, 0
    gross = employee.regular_gross * count
    if employee.hourly_rate is not None:
        gross = cents(dollars(gross) * float(rng.uniform(0.9, 1.08)))
    if rng.random() < 0.15:  # a bonus earlier in the year
        gross += cents(dollars(employee.regular_gross) * float(rng.uniform(0.2, 1.5)))
    return gross, gross - employee.section_125 * count


def ytd_net_of(rng: np.random.Generator, earlier_gross: int, regular: Pay, this_net: int) -> int:
    """Year-to-date net: earlier pays at about this employee's regular net share (benefit elections and
    W-4s change during the year), plus this pay's net."""
    share = regular.net / regular.gross if regular.gross else 0.0
    return int(earlier_gross * min(share * float(rng.uniform(0.96, 1.04)), 0.98)) + this_net


def employer_address(rng: np.random.Generator, state: str) -> str:
    return f"{int(rng.integers(10, 9999))} {pick(rng, STREETS)}, {CITIES_BY_STATE[state]}, {state}"


class PaystubGenerator(SyntheticDocumentGenerator):
    def genuine(self, rng: np.random.Generator, today: date) -> dict[str, Any]:
        """One paystub of a randomly drawn employee and pay schedule, fields as OCR extracts them."""
        schedule = random_schedule(rng)
        periods = PERIODS_PER_YEAR[schedule.frequency]
        state = pick(rng, sorted(CITIES_BY_STATE))
        employee = random_employee(rng, periods, state)
        start, end, pay_date = schedule.latest_paid_period(recent_pay_date(rng, today))
        pays = schedule.pays_this_year(start, end)
        if rng.random() < 0.03:  # the first pay of the year or a new hire's first: YTD equals this period
            pays = 1
        elif rng.random() < 0.08:  # hired this year
            pays = int(rng.integers(1, pays + 1))
        earlier_gross, fica_before = earlier_pays(rng, employee, pays - 1)
        base = wage_base(pay_date.year)
        gross, bonus = pay_this_period(rng, employee)
        pay = compute_pay(employee, gross, bonus, periods, fica_before, base)
        regular = compute_pay(employee, employee.regular_gross, 0, periods, 0, base)
        doc = {
            "company_name": pick(rng, COMPANIES),
            "company_address": employer_address(rng, state),
            "employee_name": person_name(rng),
            "employee_id": "E" + digits(rng, 6),
            "pay_date": pay_date,
            "pay_period_start": start,
            "pay_period_end": end,
            "gross_pay": dollars(pay.gross),
            "net_pay": dollars(pay.net),
            "federal_tax": dollars(pay.federal),
            "state_tax": dollars(pay.state),
            "social_security": dollars(pay.social_security),
            "medicare": dollars(pay.medicare),
            "other_deductions": dollars(pay.other),
            "ytd_gross": dollars(earlier_gross + pay.gross),
            "ytd_net": dollars(ytd_net_of(rng, earlier_gross, regular, pay.net)),
            "text_quality": scan_quality(rng),
        }
        self._print_layout(doc, rng, employee)
        drop_optional(doc, rng, ("company_address", "employee_id"))
        drop_optional(doc, rng, ("other_deductions", "state_tax"), rate=0.08)  # often not extracted
        return doc

    @staticmethod
    def _print_layout(doc: dict[str, Any], rng: np.random.Generator, employee: Employee) -> None:
        """What the stub leaves out: lines with nothing on them, YTD columns, the OCR quality score."""
        if doc["other_deductions"] == 0 and rng.random() < 0.6:
            doc["other_deductions"] = None
        if employee.state_rate == 0 and rng.random() < 0.5:
            doc["state_tax"] = None
        if rng.random() < 0.08:  # a stub without year-to-date columns
            doc["ytd_gross"] = doc["ytd_net"] = None
        elif rng.random() < 0.06:  # YTD gross only
            doc["ytd_net"] = None
        if rng.random() < 0.05:  # the OCR step did not score its text
            doc["text_quality"] = None
        elif rng.random() < 0.03:  # a faint fax or phone photo of a genuine stub
            doc["text_quality"] = round(float(rng.uniform(0.3, 0.72)), 3)

    # --- fraud: the evidence a forger leaves --------------------------------------------------------

    @staticmethod
    def _net_above_gross(doc, rng, today):
        doc["net_pay"] = _times(doc["gross_pay"], rng.uniform(1.02, 1.5))

    @staticmethod
    def _inflated_gross(doc, rng, today):
        # Gross edited upward; the deduction lines still belong to the real, smaller figure. A careful forger
        # adds the same to the net so the stub adds up, and Social Security and Medicare give it away.
        gross = doc["gross_pay"]
        if gross is None:
            return
        raised = round(gross * float(rng.uniform(1.08, 3.0)), 2)
        if doc["net_pay"] is not None and rng.random() < 0.4:
            raised = max(raised, round(gross * 1.06 + (doc["other_deductions"] or 0.0), 2))
            doc["net_pay"] = round(doc["net_pay"] + raised - gross, 2)
        doc["gross_pay"] = raised

    @staticmethod
    def _inflated_net(doc, rng, today):
        doc["net_pay"] = _times(doc["net_pay"], rng.uniform(1.08, 1.4))

    @staticmethod
    def _wrong_statutory_rates(doc, rng, today):
        # Social Security and/or Medicare figured at a made-up rate, the net kept or re-balanced.
        gross = doc["gross_pay"]
        which = rng.random()
        if which < 0.7:
            doc["social_security"] = _times(gross, rng.uniform(0.07, 0.12))
        if which >= 0.4:
            doc["medicare"] = _times(gross, rng.uniform(0.03, 0.07))
        if rng.random() < 0.5:
            _rebalance_net(doc)

    @staticmethod
    def _ytd_below_current(doc, rng, today):
        doc["ytd_gross"] = _times(doc["gross_pay"], rng.uniform(0.2, 0.9))
        doc["ytd_net"] = _times(doc["net_pay"], rng.uniform(0.2, 0.9))

    @staticmethod
    def _pay_date_outside_period(doc, rng, today):
        start = doc["pay_period_start"] or (doc["pay_date"] or today) - timedelta(days=20)
        doc["pay_date"] = start - timedelta(days=int(rng.integers(3, 40)))

    @staticmethod
    def _made_up_round_figures(doc, rng, today):
        # A stub typed from scratch: round gross, net and federal tax that the statutory lines do not fit.
        gross = float(rng.integers(4, 24) * 500)
        doc["gross_pay"] = gross
        doc["net_pay"] = float(round(gross * rng.uniform(0.7, 0.85), -2))
        doc["federal_tax"] = float(round(gross * rng.uniform(0.08, 0.15), -1))

    @staticmethod
    def _no_withholding(doc, rng, today):
        # Income tax lines zeroed to explain a larger take-home: either the net kept (the lines no longer
        # add up) or the net raised to gross less benefits, forgetting Social Security and Medicare.
        removed = (doc["federal_tax"] or 0.0) + (doc["state_tax"] or 0.0)
        doc["federal_tax"] = 0.0
        doc["state_tax"] = 0.0
        gross = doc["gross_pay"]
        has_ytd = doc["ytd_gross"] and doc["ytd_net"] is not None and doc["net_pay"] is not None
        if has_ytd and gross and removed >= 0.17 * gross and rng.random() < 0.4:
            # The careful version: the net raised by the taxes removed, but the YTD net still the old one's.
            doc["net_pay"] = round(doc["net_pay"] + removed, 2)
        elif gross is not None and (removed < 0.01 * gross or rng.random() < 0.5):
            doc["net_pay"] = round(gross - (doc["other_deductions"] or 0.0), 2)
        elif gross is not None and doc["net_pay"] is None:
            doc["net_pay"] = round(gross * 0.8, 2)

    @staticmethod
    def _implausible_federal_tax(doc, rng, today):
        # Federal tax at 60-95% of gross and the net at or near zero: an edited stub that hides income.
        gross = doc["gross_pay"]
        if gross is not None:
            doc["federal_tax"] = round(min(gross, max(gross * float(rng.uniform(0.6, 0.95)), gross / 2 + 60)), 2)
            _rebalance_net(doc)
            doc["net_pay"] = max(doc["net_pay"], 0.0) if rng.random() < 0.6 else 0.0

    @staticmethod
    def _ytd_inflated(doc, rng, today):
        # Year-to-date gross raised to show more income: YTD net left alone no longer fits it, and a large
        # edit is more than the pay dates so far can have paid.
        gross, pay_date = doc["gross_pay"] or 2_000.0, doc["pay_date"] or today
        choice = rng.random()
        if doc["ytd_gross"] and doc["ytd_net"] is not None and choice < 0.4:
            doc["ytd_gross"] = _times(doc["ytd_gross"], rng.uniform(2.2, 4.5))
        elif doc["ytd_gross"] and choice < 0.7:  # both YTD figures scaled alike: more pays than the date allows
            pays = math.ceil(pay_date.timetuple().tm_yday * 52 / 365) + 1
            factor = max(float(rng.uniform(1.3, 3.0)), (1.9 * pays + 2) * gross / doc["ytd_gross"])
            doc["ytd_gross"] = round(doc["ytd_gross"] * factor, 2)
            doc["ytd_net"] = _times(doc["ytd_net"], factor)
        else:
            pays = math.ceil(pay_date.timetuple().tm_yday * 52 / 365) + 1
            doc["ytd_gross"] = round(gross * (pays * float(rng.uniform(2.5, 5.0)) + 4), 2)

    @staticmethod
    def _future_pay_date(doc, rng, today):
        # A stub dated ahead: the whole pay period moved with the pay date, or the pay date alone.
        pay_date = doc["pay_date"] or today
        shift = timedelta(days=(today - pay_date).days + int(rng.integers(3, 90)))
        doc["pay_date"] = pay_date + shift
        if rng.random() < 0.6:
            for name in ("pay_period_start", "pay_period_end"):
                doc[name] = None if doc[name] is None else doc[name] + shift

    @staticmethod
    def _net_raised_slightly(doc, rng, today):
        # What a poor scan hides.
        doc["net_pay"] = _times(doc["net_pay"], rng.uniform(1.05, 1.25))

    fraud_patterns = {
        "net_above_gross": _net_above_gross,
        "inflated_gross": _inflated_gross,
        "inflated_net": _inflated_net,
        "wrong_statutory_rates": _wrong_statutory_rates,
        "ytd_below_current": _ytd_below_current,
        "ytd_inflated": _ytd_inflated,
        "future_pay_date": _future_pay_date,
        "pay_date_outside_period": _pay_date_outside_period,
        "made_up_round_figures": _made_up_round_figures,
        "no_withholding": _no_withholding,
        "implausible_federal_tax": _implausible_federal_tax,
        "poor_scan": poor_scan(_net_raised_slightly),
    }


def _rebalance_net(doc: dict[str, Any]) -> None:
    """Net recomputed from the (edited) lines, as a careful forger does; blank lines count as zero."""
    lines = ("federal_tax", "state_tax", "social_security", "medicare", "other_deductions")
    if doc["gross_pay"] is not None:
        doc["net_pay"] = round(doc["gross_pay"] - sum(doc[name] or 0.0 for name in lines), 2)


def _times(amount: float | None, factor: float) -> float | None:
    """`amount` x `factor` in cents; a field the forger left blank stays blank."""
    return None if amount is None else round(amount * factor, 2)
