"""Paystub features: the arithmetic and calendar checks a payroll fraud analyst makes."""

from __future__ import annotations

import math
from datetime import date

from domain.features import MISSING, FeatureExtractor, FeatureSpec, Reason, days_between, flag, ratio
from paystub.fields import PaystubFields

SOCIAL_SECURITY_RATE = 0.062
MEDICARE_RATE = 0.0145
RATE_TOLERANCE = 0.005  # half a percentage point: covers pre-tax benefit deductions and rounding
MISMATCH_TOLERANCE = 0.01  # deductions may miss gross - net by 1% of gross before it is suspicious
MAX_PAY_DELAY_DAYS = 31
REVERSED = -2.0  # period length of a period that ends before it starts


class PaystubFeatureExtractor(FeatureExtractor):
    schema = PaystubFields
    amount_fields = ("gross_pay", "net_pay", "federal_tax", "state_tax")
    features = (
        FeatureSpec("log_gross_pay", "log10(1 + gross pay); -1 when missing."),
        FeatureSpec("net_to_gross_ratio", "Net pay over gross pay; -1 when either is missing."),
        FeatureSpec("tax_to_gross_ratio", "Federal plus state tax over gross pay."),
        FeatureSpec(
            "deductions_to_gross_ratio", "All deductions (taxes, Social Security, Medicare, other) over gross pay."
        ),
        FeatureSpec("net_exceeds_gross", "1 when net pay is above gross pay."),
        FeatureSpec("deduction_mismatch", "|gross - deductions - net| over gross: deductions that do not add up."),
        FeatureSpec("deduction_mismatch_flag", f"1 when that mismatch exceeds {MISMATCH_TOLERANCE:.0%} of gross."),
        FeatureSpec(
            "social_security_rate_error", f"|Social Security / gross - {SOCIAL_SECURITY_RATE}|; -1 when missing."
        ),
        FeatureSpec(
            "social_security_rate_off", f"1 when the Social Security rate is off by more than {RATE_TOLERANCE}."
        ),
        FeatureSpec("medicare_rate_error", f"|Medicare / gross - {MEDICARE_RATE}|; -1 when missing."),
        FeatureSpec("medicare_rate_off", f"1 when the Medicare rate is off by more than {RATE_TOLERANCE}."),
        FeatureSpec("zero_federal_tax", "1 when gross pay is positive and federal tax is zero or missing."),
        FeatureSpec("ytd_below_current", "1 when year-to-date gross or net is below this period's figure."),
        FeatureSpec("ytd_periods", "Year-to-date gross over gross pay (pay periods so far); -1 when missing."),
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
        values["net_to_gross_ratio"] = ratio(net, gross)
        taxes = [t for t in (doc.federal_tax, doc.state_tax) if t is not None]
        values["tax_to_gross_ratio"] = ratio(sum(taxes), gross) if taxes else MISSING
        parts = [doc.federal_tax, doc.state_tax, doc.social_security, doc.medicare, doc.other_deductions]
        deductions = sum(p for p in parts if p is not None)
        values["deductions_to_gross_ratio"] = ratio(deductions, gross) if any(p is not None for p in parts) else MISSING

        net_above = gross is not None and net is not None and net > gross
        values["net_exceeds_gross"] = flag(net_above)
        if net_above:
            reasons.append(Reason("NET_EXCEEDS_GROSS", f"Net pay ({net:,.2f}) is higher than gross pay ({gross:,.2f})"))

        mismatch = MISSING
        if gross and net is not None and any(p is not None for p in parts):
            mismatch = abs(gross - deductions - net) / abs(gross)
        values["deduction_mismatch"] = mismatch
        values["deduction_mismatch_flag"] = flag(mismatch > MISMATCH_TOLERANCE)
        if mismatch > MISMATCH_TOLERANCE:
            reasons.append(
                Reason("DEDUCTIONS_DO_NOT_ADD_UP", f"Gross minus deductions misses net pay by {mismatch:.1%} of gross")
            )

        self._statutory_rate(
            values,
            reasons,
            "social_security",
            doc.social_security,
            gross,
            SOCIAL_SECURITY_RATE,
            "SOCIAL_SECURITY_RATE_MISMATCH",
            "Social Security",
        )
        self._statutory_rate(
            values, reasons, "medicare", doc.medicare, gross, MEDICARE_RATE, "MEDICARE_RATE_MISMATCH", "Medicare"
        )

        zero_tax = gross is not None and gross > 0 and not doc.federal_tax
        values["zero_federal_tax"] = flag(zero_tax)
        if zero_tax:
            reasons.append(Reason("NO_FEDERAL_TAX", "No federal income tax withheld"))

        ytd_low = (doc.ytd_gross is not None and gross is not None and doc.ytd_gross < gross) or (
            doc.ytd_net is not None and net is not None and doc.ytd_net < net
        )
        values["ytd_below_current"] = flag(ytd_low)
        if ytd_low:
            reasons.append(Reason("YTD_BELOW_CURRENT", "Year-to-date figures are lower than this period's pay"))
        values["ytd_periods"] = ratio(doc.ytd_gross, gross)

        future = doc.pay_date is not None and doc.pay_date > today
        values["pay_date_in_future"] = flag(future)
        if future:
            reasons.append(Reason("PAY_DATE_IN_FUTURE", f"Pay date {doc.pay_date.isoformat()} is in the future"))
        outside = doc.pay_date is not None and (
            (doc.pay_period_start is not None and doc.pay_date < doc.pay_period_start)
            or (doc.pay_period_end is not None and (doc.pay_date - doc.pay_period_end).days > MAX_PAY_DELAY_DAYS)
        )
        values["pay_date_outside_period"] = flag(outside)
        if outside:
            reasons.append(Reason("PAY_DATE_OUTSIDE_PERIOD", "Pay date does not fall at the end of the pay period"))
        has_period = doc.pay_period_start is not None and doc.pay_period_end is not None
        # Compare the dates themselves: a length of -1 days would read as MISSING.
        reversed_period = has_period and doc.pay_period_end < doc.pay_period_start
        length = days_between(doc.pay_period_start, doc.pay_period_end)
        values["period_length_days"] = REVERSED if reversed_period else length
        values["period_reversed"] = flag(reversed_period)
        if reversed_period:
            reasons.append(Reason("PAY_PERIOD_REVERSED", "Pay period ends before it starts"))

    @staticmethod
    def _statutory_rate(values, reasons, name, amount, gross, rate, code, label) -> None:
        error = MISSING if amount is None or not gross else abs(amount / gross - rate)
        values[f"{name}_rate_error"] = error
        values[f"{name}_rate_off"] = flag(error > RATE_TOLERANCE)
        if error > RATE_TOLERANCE:
            reasons.append(Reason(code, f"{label} is {amount / gross:.2%} of gross; the statutory rate is {rate:.2%}"))
