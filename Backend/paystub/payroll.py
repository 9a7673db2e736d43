"""US payroll facts the paystub features and generator share: statutory rates and wage bases.

Social Security (OASDI) is 6.2% of FICA wages up to the year's wage base; Medicare is 1.45% of
all FICA wages, plus an additional 0.9% withheld on wages above $200,000 in the calendar year.
FICA wages are gross pay less pre-tax Section 125 deductions (health premiums, FSA, HSA);
401(k) deferrals lower only income-tax wages.
"""

from __future__ import annotations

SOCIAL_SECURITY_RATE = 0.062
MEDICARE_RATE = 0.0145
ADDITIONAL_MEDICARE_RATE = 0.009
ADDITIONAL_MEDICARE_THRESHOLD = 200_000.0
SUPPLEMENTAL_FEDERAL_RATE = 0.22  # flat federal withholding on bonuses (supplemental wages up to $1M)

# The Social Security wage base (maximum taxable earnings) by calendar year, from SSA.
SOCIAL_SECURITY_WAGE_BASE = {
    2022: 147_000.0,
    2023: 160_200.0,
    2024: 168_600.0,
    2025: 176_100.0,
    2026: 184_500.0,
}

# States without a wage income tax (New Hampshire taxed only interest and dividends).
NO_INCOME_TAX_STATES = frozenset({"AK", "FL", "NV", "NH", "SD", "TN", "TX", "WA", "WY"})


def wage_base(year: int) -> float:
    """The Social Security wage base of `year`; the nearest year in the table outside its range."""
    known = sorted(SOCIAL_SECURITY_WAGE_BASE)
    return SOCIAL_SECURITY_WAGE_BASE[min(max(year, known[0]), known[-1])]
