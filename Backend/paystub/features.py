"""Paystub features: the arithmetic and calendar checks a payroll fraud analyst makes.

Hard reasons are things a genuine stub cannot show (net above gross, lines that provably do not
add up, Social Security or Medicare above the statutory rate, federal tax above half of gross,
year-to-date below this period, a future pay date, a reversed period). What genuine stubs do show
(Section 125 premiums lowering FICA wages, the Social Security wage base, exempt employees,
lines OCR did not extract) gives soft or info reasons, or none.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from domain.features import (
    LOW_TEXT_QUALITY,
    MISSING,
    FeatureExtractor,
    FeatureSpec,
    Reason,
    days_between,
    flag,
    future_date_reason,
    period_features,
    ratio,
)
from paystub.fields import PaystubFields
from paystub.payroll import (
    ADDITIONAL_MEDICARE_RATE,
    ADDITIONAL_MEDICARE_THRESHOLD,
    MEDICARE_RATE,
    NO_INCOME_TAX_STATES,
    SOCIAL_SECURITY_RATE,
    wage_base,
)

RATE_TOLERANCE = 0.002  # 0.2 percentage points of gross: per-line rounding and YTD true-ups
RATE_TOLERANCE_AMOUNT = 0.50  # and at least 50 cents
ADDITIONAL_MEDICARE_UNKNOWN_YTD_GROSS = 4_000.0  # with no YTD, a period this large may be above $200,000
WAGE_BASE_NEAR = 0.9  # YTD gross within 10% of the wage base: Section 125 keeps FICA wages below gross
MISMATCH_TOLERANCE_SHARE = 0.005  # lines may miss gross - net by 0.5% of gross ...
MISMATCH_TOLERANCE_AMOUNT = 1.00  # ... or a dollar, before the arithmetic is evidence
FEDERAL_TAX_IMPLAUSIBLE_SHARE = 0.5  # no withholding method takes half of a paycheck in federal tax ...
FEDERAL_TAX_EXTRA_SLACK = 50.0  # ... beyond a W-4's extra withholding on a small paycheck
FICA_GAP_TOLERANCE_AMOUNT = 5.0  # wages: each line's cent rounding is a few dollars of implied wages
FICA_GAP_TOLERANCE_SHARE = 0.005
YTD_TOLERANCE = 0.005
# This period's net share of gross may sit below the year's by a bonus withheld at 22%, or above it by the
# wage base reached; an edit that raises the net lifts it higher than either.
YTD_NET_SHARE_ABOVE = 0.12
YTD_NET_SHARE_BELOW = 0.25
YTD_PERIODS_SLACK = 1.8  # YTD gross may exceed pays-so-far x gross by this factor (bonuses, short periods)
MAX_PAY_DELAY_DAYS = 31

# How much of gross a deduction line the OCR step did not extract could hold: what it can explain.
MISSING_LINE_SHARE = {
    "federal_tax": FEDERAL_TAX_IMPLAUSIBLE_SHARE,
    "state_tax": 0.12,  # the highest state rates (California, 13.3% at the top, withholds less per period)
    "social_security": SOCIAL_SECURITY_RATE + RATE_TOLERANCE,
    "medicare": MEDICARE_RATE + ADDITIONAL_MEDICARE_RATE + RATE_TOLERANCE,
    "other_deductions": 0.9,  # 401(k), premiums, garnishments: nearly anything
}
DEDUCTION_LINES = tuple(MISSING_LINE_SHARE)
_STATE = re.compile(r"\b([A-Z]{2})\b(?:\s+\d{5}(?:-\d{4})?)?\s*$")


@dataclass(frozen=True)
class Arithmetic:
    """Gross - deduction lines - net, and what the lines the OCR step missed could explain."""

    residual: float  # dollars; positive when money is unaccounted for
    tolerance: float
    missing_lines: tuple[str, ...]
    explainable: float  # dollars the missing lines could hold

    @property
    def complete(self) -> bool:
        return not self.missing_lines


def state_of(address: str | None) -> str | None:
    """The two-letter state at the end of an address ("..., Austin, TX 78701" -> "TX"), else None."""
    match = _STATE.search(address.strip()) if address else None
    return match.group(1) if match else None


def pays_per_year(period_days: float) -> int:
    """Pay frequency from the period's length in days (end - start): weekly, biweekly, semi-monthly, monthly."""
    if period_days < 0:
        return 52  # unknown: the most pays a year
    if period_days <= 8:
        return 52
    if period_days == 13:
        return 26
    if period_days <= 16:
        return 24
    return 12


def differs_in_one_digit(amount: float, other: float) -> bool:
    """True when `amount` and `other`, printed to the cent, differ in exactly one digit (2,353.36 / 2,853.36)."""
    a, b = f"{amount:.2f}", f"{other:.2f}"
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def misread_field(doc: PaystubFields, residual: float) -> str | None:
    """The amount field whose one misread digit would make the stub add up, else None.

    Gross - lines - net = `residual`: gross read `residual` too high, or net or a line read it too low.
    OCR misreads a look-alike digit (3/8, 1/7) now and then; a forger's edit rarely changes one digit only.
    """
    if doc.gross_pay is not None and differs_in_one_digit(doc.gross_pay, doc.gross_pay - residual):
        return "gross_pay"
    for name in ("net_pay", *DEDUCTION_LINES):
        value = getattr(doc, name)
        if value is not None and value + residual >= 0 and differs_in_one_digit(value, value + residual):
            return name
    return None


class PaystubFeatureExtractor(FeatureExtractor):
    schema = PaystubFields
    # Gross pay is left out: a salary is a round figure per period (2,500.00 semi-monthly) by nature.
    amount_fields = ("net_pay", "federal_tax", "state_tax")
    features = (
        FeatureSpec("log_gross_pay", "log10(1 + gross pay); -1 when missing."),
        FeatureSpec(
            "log_annual_gross",
            "log10(1 + gross pay x pays a year, from the period length): the yearly pay the stub implies; "
            "-1 when gross is missing.",
        ),
        FeatureSpec("net_to_gross_ratio", "Net pay over gross pay; -1 when either is missing."),
        FeatureSpec("tax_to_gross_ratio", "Federal plus state tax over gross pay."),
        FeatureSpec("federal_tax_rate", "Federal tax over gross pay; -1 when either is missing."),
        FeatureSpec(
            "deductions_to_gross_ratio", "All deductions (taxes, Social Security, Medicare, other) over gross pay."
        ),
        FeatureSpec("net_exceeds_gross", "1 when net pay is above gross pay."),
        FeatureSpec("net_pay_zero", "1 when gross pay is positive and net pay is zero or negative."),
        FeatureSpec("deduction_mismatch", "|gross - deductions - net| over gross: deductions that do not add up."),
        FeatureSpec(
            "deduction_residual",
            "(gross - deductions - net) over gross, signed: positive when money is unaccounted for; "
            "-1 when gross or net is missing.",
        ),
        FeatureSpec(
            "deduction_lines_complete",
            "1 when every deduction line was extracted (state tax may be absent in a state without income tax).",
        ),
        FeatureSpec(
            "deduction_mismatch_flag",
            "1 when the lines provably do not add up: DEDUCTIONS_DO_NOT_ADD_UP (no missing line can explain it).",
        ),
        FeatureSpec(
            "deductions_unaccounted",
            "1 when gross - deductions - net is positive but a line OCR did not extract could explain it.",
        ),
        FeatureSpec(
            "social_security_rate_error",
            f"Social Security / gross - {SOCIAL_SECURITY_RATE}, signed; -1 when missing.",
        ),
        FeatureSpec("social_security_above_rate", "1 when Social Security is above 6.2% of gross beyond rounding."),
        FeatureSpec(
            "social_security_below_rate",
            "1 when Social Security is below 6.2% of gross and neither the wage base nor Section 125 explains it.",
        ),
        FeatureSpec(
            "social_security_wage_base_reached",
            "1 when year-to-date gross is at or near the year's Social Security wage base.",
        ),
        FeatureSpec("medicare_rate_error", f"Medicare / gross - {MEDICARE_RATE}, signed; -1 when missing."),
        FeatureSpec(
            "medicare_above_rate",
            "1 when Medicare is above 1.45% of gross (2.35% above $200,000 year to date) beyond rounding.",
        ),
        FeatureSpec(
            "medicare_below_rate",
            "1 when Medicare is below 1.45% of gross and Section 125 deductions do not explain it.",
        ),
        FeatureSpec(
            "fica_wage_gap",
            "(Social Security / 6.2% - Medicare / 1.45%) over gross: the wages each implies; both are figured on "
            "the same wages, so a positive gap is never genuine. -1 when missing.",
        ),
        FeatureSpec("zero_federal_tax", "1 when gross pay is positive and federal tax is zero."),
        FeatureSpec("ytd_below_current", "1 when year-to-date gross or net is below this period's figure."),
        FeatureSpec("ytd_net_exceeds_ytd_gross", "1 when year-to-date net is above year-to-date gross."),
        FeatureSpec("ytd_periods", "Year-to-date gross over gross pay (pay periods so far); -1 when missing."),
        FeatureSpec(
            "ytd_periods_excess",
            "Year-to-date gross over gross pay, over the pays the pay date allows this year; -1 when missing.",
        ),
        FeatureSpec(
            "ytd_net_share_gap",
            "Year-to-date net / YTD gross minus net / gross: an edited period or YTD moves it; -1 when missing.",
        ),
        FeatureSpec("pay_date_in_future", "1 when the pay date is after today."),
        FeatureSpec(
            "pay_date_outside_period",
            f"1 when the pay date is before the period starts or over {MAX_PAY_DELAY_DAYS} days after it ends.",
        ),
        FeatureSpec(
            "period_length_days", "Days from period start to period end; -1 when either is missing, -2 when reversed."
        ),
        FeatureSpec("period_reversed", "1 when the pay period ends before it starts."),
    )

    def compute(self, doc: PaystubFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        gross, net = doc.gross_pay, doc.net_pay
        values["log_gross_pay"] = math.log10(1 + gross) if gross is not None and gross >= 0 else MISSING
        length = days_between(doc.pay_period_start, doc.pay_period_end)
        annual = gross * pays_per_year(length) if gross is not None and gross >= 0 else None
        values["log_annual_gross"] = MISSING if annual is None else math.log10(1 + annual)
        values["net_to_gross_ratio"] = ratio(net, gross)
        taxes = [t for t in (doc.federal_tax, doc.state_tax) if t is not None]
        values["tax_to_gross_ratio"] = ratio(sum(taxes), gross) if taxes else MISSING
        lines = [getattr(doc, name) for name in DEDUCTION_LINES]
        deductions = sum(p for p in lines if p is not None)
        values["deductions_to_gross_ratio"] = ratio(deductions, gross) if any(p is not None for p in lines) else MISSING
        self._net_against_gross(doc, values, reasons)
        self._deductions_add_up(doc, values, reasons)
        self._social_security(doc, values, reasons)
        self._medicare(doc, values, reasons)
        self._fica_wages(doc, values, reasons)
        self._federal_tax(doc, values, reasons)
        self._year_to_date(doc, values, reasons)
        self._calendar(doc, today, values, reasons)

    # --- net and deductions -------------------------------------------------------------------------

    @staticmethod
    def _net_against_gross(doc: PaystubFields, values: dict[str, float], reasons: list[Reason]) -> None:
        gross, net = doc.gross_pay, doc.net_pay
        net_above = gross is not None and net is not None and net > gross
        values["net_exceeds_gross"] = flag(net_above)
        values["net_pay_zero"] = flag(gross is not None and gross > 0 and net is not None and net <= 0)
        if net_above:
            reasons.append(
                Reason(
                    "NET_EXCEEDS_GROSS",
                    f"Net pay ({net:,.2f}) is higher than gross pay ({gross:,.2f})",
                    ("gross_pay", "net_pay"),
                    expected=round(gross, 2),
                    actual=round(net, 2),
                )
            )

    @staticmethod
    def arithmetic(doc: PaystubFields) -> Arithmetic | None:
        """Gross - lines - net with its tolerance and what missing lines could hold; None without gross or net."""
        gross, net = doc.gross_pay, doc.net_pay
        if not gross or net is None:
            return None
        no_state_tax = state_of(doc.company_address) in NO_INCOME_TAX_STATES
        missing = tuple(
            name
            for name in DEDUCTION_LINES
            if getattr(doc, name) is None and not (name == "state_tax" and no_state_tax)
        )
        deductions = sum(getattr(doc, name) or 0.0 for name in DEDUCTION_LINES)
        tolerance = max(MISMATCH_TOLERANCE_AMOUNT, MISMATCH_TOLERANCE_SHARE * abs(gross))
        explainable = sum(MISSING_LINE_SHARE[name] for name in missing) * abs(gross)
        return Arithmetic(gross - deductions - net, tolerance, missing, explainable)

    def _deductions_add_up(self, doc: PaystubFields, values: dict[str, float], reasons: list[Reason]) -> None:
        """Hard when the lines provably miss net pay: every line there, or more missing than absent lines could
        hold, or deductions and net above gross (a missing line only adds deductions). On a poor scan, or when a
        line OCR did not extract could explain the gap, the miss is soft (DEDUCTIONS_UNACCOUNTED)."""
        sums = self.arithmetic(doc)
        values["deduction_lines_complete"] = flag(sums is not None and sums.complete)
        if sums is None:
            values["deduction_mismatch"] = values["deduction_residual"] = MISSING
            values["deduction_mismatch_flag"] = values["deductions_unaccounted"] = 0.0
            return
        gross = doc.gross_pay
        values["deduction_mismatch"] = abs(sums.residual) / abs(gross)
        values["deduction_residual"] = sums.residual / abs(gross)
        off = abs(sums.residual) > sums.tolerance
        explained = sums.residual > 0 and sums.residual <= sums.explainable + sums.tolerance
        poor_scan = doc.text_quality is not None and doc.text_quality < LOW_TEXT_QUALITY
        misread = misread_field(doc, sums.residual) if off else None
        provable = off and not explained and not poor_scan and misread is None
        values["deduction_mismatch_flag"] = flag(provable)
        values["deductions_unaccounted"] = flag(off and not provable)
        fields = ("gross_pay", "net_pay", *(name for name in DEDUCTION_LINES if name not in sums.missing_lines))
        expected_net = round(doc.net_pay + sums.residual, 2)
        if provable:
            reasons.append(
                Reason(
                    "DEDUCTIONS_DO_NOT_ADD_UP",
                    f"Gross pay less the deduction lines is {expected_net:,.2f}, but net pay is {doc.net_pay:,.2f} "
                    f"(off by {abs(sums.residual) / abs(gross):.1%} of gross)",
                    fields,
                    expected=expected_net,
                    actual=round(doc.net_pay, 2),
                )
            )
        elif off:
            if poor_scan:
                why = "the scan is too poor to read every line"
            elif misread is not None and not explained:
                why = f"one digit of {misread} read wrong by OCR would explain it; ask for a clear copy"
            else:
                why = f"lines not extracted ({', '.join(sums.missing_lines)}) may hold the difference"
            reasons.append(
                Reason(
                    "DEDUCTIONS_UNACCOUNTED",
                    f"Gross pay less the extracted lines misses net pay by {sums.residual:,.2f}; {why}",
                    fields + sums.missing_lines,
                    expected=expected_net,
                    actual=round(doc.net_pay, 2),
                )
            )

    # --- statutory rates ----------------------------------------------------------------------------

    @staticmethod
    def _wage_base_reached(doc: PaystubFields) -> bool:
        """True when year-to-date gross is at or near the Social Security wage base of the pay year."""
        year = (doc.pay_date or doc.pay_period_end or date.today()).year
        return doc.ytd_gross is not None and doc.ytd_gross >= WAGE_BASE_NEAR * wage_base(year)

    @staticmethod
    def _section_125_explains(doc: PaystubFields, fica_wages: float) -> bool:
        """True when Social Security and Medicare imply the same wages below gross and the other deductions
        hold the difference: pre-tax Section 125 premiums, which lower both alike."""
        gross, other = doc.gross_pay, doc.other_deductions
        if doc.social_security is None or doc.medicare is None or other is None:
            return False
        tolerance = max(2.0, RATE_TOLERANCE * gross)
        same_wages = abs(doc.social_security / SOCIAL_SECURITY_RATE - doc.medicare / MEDICARE_RATE) <= tolerance
        return same_wages and gross - fica_wages <= other + tolerance

    def _social_security(self, doc: PaystubFields, values: dict[str, float], reasons: list[Reason]) -> None:
        gross, amount = doc.gross_pay, doc.social_security
        known = amount is not None and bool(gross) and gross > 0
        values["social_security_rate_error"] = amount / gross - SOCIAL_SECURITY_RATE if known else MISSING
        base_reached = self._wage_base_reached(doc)
        values["social_security_wage_base_reached"] = flag(base_reached)
        values["social_security_above_rate"] = values["social_security_below_rate"] = 0.0
        if not known:
            return
        fields = ("social_security", "gross_pay")
        statutory = round(gross * SOCIAL_SECURITY_RATE, 2)
        if amount > gross * (SOCIAL_SECURITY_RATE + RATE_TOLERANCE) and amount - statutory > RATE_TOLERANCE_AMOUNT:
            values["social_security_above_rate"] = 1.0
            reasons.append(
                Reason(
                    "SOCIAL_SECURITY_ABOVE_STATUTORY_RATE",
                    f"Social Security is {amount / gross:.2%} of gross; the statutory rate is "
                    f"{SOCIAL_SECURITY_RATE:.2%} and no wages are taxed above it",
                    fields,
                    expected=statutory,
                    actual=round(amount, 2),
                )
            )
            return
        if amount >= gross * (SOCIAL_SECURITY_RATE - RATE_TOLERANCE):
            return
        if base_reached:
            reasons.append(
                Reason(
                    "SOCIAL_SECURITY_WAGE_BASE_REACHED",
                    f"Social Security is {amount / gross:.2%} of gross: year-to-date wages are at the "
                    "year's Social Security wage base, above which none is withheld",
                    ("social_security", "gross_pay", "ytd_gross"),
                    expected=statutory,
                    actual=round(amount, 2),
                )
            )
        elif not self._section_125_explains(doc, amount / SOCIAL_SECURITY_RATE):
            values["social_security_below_rate"] = 1.0
            reasons.append(
                Reason(
                    "SOCIAL_SECURITY_BELOW_STATUTORY_RATE",
                    f"Social Security is {amount / gross:.2%} of gross, below the statutory "
                    f"{SOCIAL_SECURITY_RATE:.2%}, and neither pre-tax deductions nor the wage base explain it",
                    fields,
                    expected=statutory,
                    actual=round(amount, 2),
                )
            )

    @staticmethod
    def medicare_ceiling_rate(doc: PaystubFields) -> float:
        """The highest Medicare rate a genuine stub can show: 2.35% once year-to-date wages pass $200,000
        (or when YTD is unknown and the period is large), else 1.45%."""
        gross, ytd = doc.gross_pay or 0.0, doc.ytd_gross
        above = (ytd is not None and ytd > ADDITIONAL_MEDICARE_THRESHOLD) or (
            ytd is None and gross >= ADDITIONAL_MEDICARE_UNKNOWN_YTD_GROSS
        )
        return MEDICARE_RATE + (ADDITIONAL_MEDICARE_RATE if above else 0.0)

    def _medicare(self, doc: PaystubFields, values: dict[str, float], reasons: list[Reason]) -> None:
        gross, amount = doc.gross_pay, doc.medicare
        known = amount is not None and bool(gross) and gross > 0
        values["medicare_rate_error"] = amount / gross - MEDICARE_RATE if known else MISSING
        values["medicare_above_rate"] = values["medicare_below_rate"] = 0.0
        if not known:
            return
        fields = ("medicare", "gross_pay")
        ceiling = self.medicare_ceiling_rate(doc)
        if amount > gross * (ceiling + RATE_TOLERANCE) and amount - gross * ceiling > RATE_TOLERANCE_AMOUNT:
            values["medicare_above_rate"] = 1.0
            if ceiling > MEDICARE_RATE:
                fields = (*fields, "ytd_gross")
            reasons.append(
                Reason(
                    "MEDICARE_ABOVE_STATUTORY_RATE",
                    f"Medicare is {amount / gross:.2%} of gross; at most {ceiling:.2%} can be withheld",
                    fields,
                    expected=round(gross * ceiling, 2),
                    actual=round(amount, 2),
                )
            )
        elif amount < gross * (MEDICARE_RATE - RATE_TOLERANCE / 2) and not self._section_125_explains(
            doc, amount / MEDICARE_RATE
        ):
            values["medicare_below_rate"] = 1.0
            reasons.append(
                Reason(
                    "MEDICARE_BELOW_STATUTORY_RATE",
                    f"Medicare is {amount / gross:.2%} of gross, below the statutory {MEDICARE_RATE:.2%}, "
                    "and pre-tax deductions do not explain it",
                    fields,
                    expected=round(gross * MEDICARE_RATE, 2),
                    actual=round(amount, 2),
                )
            )

    @staticmethod
    def _fica_wages(doc: PaystubFields, values: dict[str, float], reasons: list[Reason]) -> None:
        """Social Security and Medicare are figured on the same wages; Social Security can imply fewer
        (wage base) but never more than Medicare does."""
        gross, social_security, medicare = doc.gross_pay, doc.social_security, doc.medicare
        if not gross or gross <= 0 or social_security is None or medicare is None:
            values["fica_wage_gap"] = MISSING
            return
        gap = social_security / SOCIAL_SECURITY_RATE - medicare / MEDICARE_RATE
        values["fica_wage_gap"] = gap / gross
        if gap > max(FICA_GAP_TOLERANCE_AMOUNT, FICA_GAP_TOLERANCE_SHARE * gross):
            reasons.append(
                Reason(
                    "FICA_WAGES_INCONSISTENT",
                    "Social Security and Medicare imply different wages: Social Security implies "
                    f"{social_security / SOCIAL_SECURITY_RATE:,.2f}, Medicare {medicare / MEDICARE_RATE:,.2f}",
                    ("social_security", "medicare"),
                    expected=round(medicare / MEDICARE_RATE * SOCIAL_SECURITY_RATE, 2),
                    actual=round(social_security, 2),
                )
            )

    # --- federal income tax -------------------------------------------------------------------------

    @staticmethod
    def _federal_tax(doc: PaystubFields, values: dict[str, float], reasons: list[Reason]) -> None:
        gross, federal = doc.gross_pay, doc.federal_tax
        values["federal_tax_rate"] = ratio(federal, gross)
        zero_tax = gross is not None and gross > 0 and federal is not None and federal == 0
        values["zero_federal_tax"] = flag(zero_tax)
        if zero_tax:
            # Exempt and low-paid employees have none withheld: unusual, not evidence on its own.
            reasons.append(
                Reason(
                    "NO_FEDERAL_TAX",
                    "No federal income tax withheld (seen on exempt and low-paid employees' stubs)",
                    ("federal_tax",),
                    expected="> 0",
                    actual=0.0,
                )
            )
        elif (
            gross
            and gross > 0
            and federal is not None
            and federal > FEDERAL_TAX_IMPLAUSIBLE_SHARE * gross + FEDERAL_TAX_EXTRA_SLACK
        ):
            reasons.append(
                Reason(
                    "FEDERAL_TAX_IMPLAUSIBLE",
                    f"Federal tax is {federal / gross:.0%} of gross; no withholding method takes more than "
                    f"{FEDERAL_TAX_IMPLAUSIBLE_SHARE:.0%}",
                    ("federal_tax", "gross_pay"),
                    expected=round(FEDERAL_TAX_IMPLAUSIBLE_SHARE * gross + FEDERAL_TAX_EXTRA_SLACK, 2),
                    actual=round(federal, 2),
                )
            )

    # --- year to date -------------------------------------------------------------------------------

    @staticmethod
    def _year_to_date(doc: PaystubFields, values: dict[str, float], reasons: list[Reason]) -> None:
        gross, net, ytd_gross, ytd_net = doc.gross_pay, doc.net_pay, doc.ytd_gross, doc.ytd_net
        low_fields = []
        if ytd_gross is not None and gross is not None and ytd_gross < gross - YTD_TOLERANCE:
            low_fields += ["ytd_gross", "gross_pay"]
        if ytd_net is not None and net is not None and ytd_net < net - YTD_TOLERANCE:
            low_fields += ["ytd_net", "net_pay"]
        values["ytd_below_current"] = flag(bool(low_fields))
        if low_fields:
            low_gross = "ytd_gross" in low_fields
            reasons.append(
                Reason(
                    "YTD_BELOW_CURRENT",
                    "Year-to-date figures are lower than this period's pay (year to date includes this period)",
                    tuple(low_fields),
                    expected=round(gross if low_gross else net, 2),
                    actual=round(ytd_gross if low_gross else ytd_net, 2),
                )
            )
        ytd_net_high = ytd_gross is not None and ytd_net is not None and ytd_net > ytd_gross + YTD_TOLERANCE
        values["ytd_net_exceeds_ytd_gross"] = flag(ytd_net_high)
        if ytd_net_high:
            reasons.append(
                Reason(
                    "YTD_NET_EXCEEDS_YTD_GROSS",
                    f"Year-to-date net ({ytd_net:,.2f}) is higher than year-to-date gross ({ytd_gross:,.2f})",
                    ("ytd_gross", "ytd_net"),
                    expected=round(ytd_gross, 2),
                    actual=round(ytd_net, 2),
                )
            )
        periods = ratio(ytd_gross, gross)
        values["ytd_periods"] = periods
        both_shares = ytd_gross and ytd_net is not None and gross and net is not None
        values["ytd_net_share_gap"] = ytd_net / ytd_gross - net / gross if both_shares else MISSING
        gap = values["ytd_net_share_gap"]
        if gap != MISSING and not -YTD_NET_SHARE_ABOVE <= gap <= YTD_NET_SHARE_BELOW:
            reasons.append(
                Reason(
                    "YTD_NET_SHARE_INCONSISTENT",
                    f"Year to date, net is {ytd_net / ytd_gross:.0%} of gross; this period it is {net / gross:.0%}",
                    ("ytd_gross", "ytd_net", "gross_pay", "net_pay"),
                    expected=round(net / gross, 4),
                    actual=round(ytd_net / ytd_gross, 4),
                )
            )
        allowed = PaystubFeatureExtractor._pays_allowed(doc)
        values["ytd_periods_excess"] = MISSING if periods == MISSING or allowed is None else periods / allowed
        if allowed is not None and periods != MISSING and periods > YTD_PERIODS_SLACK * allowed + 1:
            reasons.append(
                Reason(
                    "YTD_HIGH_FOR_PAY_DATE",
                    f"Year-to-date gross is {periods:.1f} times this period's gross, but at most "
                    f"{allowed} pay dates fit in the year by the pay date",
                    ("ytd_gross", "gross_pay", "pay_date"),
                    expected=round(allowed * gross, 2),
                    actual=round(ytd_gross, 2),
                )
            )

    @staticmethod
    def _pays_allowed(doc: PaystubFields) -> int | None:
        """The most pay dates this year up to the stub's pay date, from the period length; None without a date."""
        if doc.pay_date is None:
            return None
        has_period = doc.pay_period_start is not None and doc.pay_period_end is not None
        length = days_between(doc.pay_period_start, doc.pay_period_end) if has_period else -1.0
        per_year = pays_per_year(length)
        day_of_year = doc.pay_date.timetuple().tm_yday
        return math.ceil(day_of_year * per_year / 365) + 1

    # --- the calendar -------------------------------------------------------------------------------

    @staticmethod
    def _calendar(doc: PaystubFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        future = doc.pay_date is not None and doc.pay_date > today
        values["pay_date_in_future"] = flag(future)
        if reason := future_date_reason("PAY_DATE_IN_FUTURE", "pay_date", doc.pay_date, today, "Pay date"):
            reasons.append(reason)
        start, end, pay = doc.pay_period_start, doc.pay_period_end, doc.pay_date
        before_start = pay is not None and start is not None and pay < start
        too_late = pay is not None and end is not None and (pay - end).days > MAX_PAY_DELAY_DAYS
        values["pay_date_outside_period"] = flag(before_start or too_late)
        if before_start or too_late:
            reasons.append(
                Reason(
                    "PAY_DATE_OUTSIDE_PERIOD",
                    "Pay date does not fall at the end of the pay period"
                    + (
                        " (it is before the period starts)"
                        if before_start
                        else f" (over {MAX_PAY_DELAY_DAYS} days after)"
                    ),
                    ("pay_date", "pay_period_start" if before_start else "pay_period_end"),
                    expected=f">= {start.isoformat()}"
                    if before_start
                    else f"<= {end.isoformat()} + {MAX_PAY_DELAY_DAYS} days",
                    actual=pay.isoformat(),
                )
            )
        period_features(
            "PAY_PERIOD_REVERSED", "Pay period", ("pay_period_start", "pay_period_end"), start, end, values, reasons
        )
