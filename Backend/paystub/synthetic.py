"""Synthetic paystubs: plausible payroll arithmetic, and the ways forged stubs break it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np

from domain.synthetic import (
    SyntheticDocumentGenerator,
    address,
    digits,
    drop_optional,
    future_date,
    money,
    person_name,
    pick,
    poor_scan,
    scan_quality,
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
)
PERIOD_DAYS = (7, 14, 15, 30)


class PaystubGenerator(SyntheticDocumentGenerator):
    def genuine(self, rng: np.random.Generator, today: date) -> dict[str, Any]:
        period = int(rng.choice(PERIOD_DAYS))
        end = today - timedelta(days=int(rng.integers(6, 120)))
        start = end - timedelta(days=period - 1)
        gross = money(rng, 600, 9000)
        federal = round(gross * rng.uniform(0.07, 0.2), 2)
        state = round(gross * rng.uniform(0.0, 0.06), 2)
        social_security = round(gross * 0.062, 2)
        medicare = round(gross * 0.0145, 2)
        other = round(gross * rng.uniform(0.0, 0.06), 2)
        net = round(gross - federal - state - social_security - medicare - other, 2)
        periods_so_far = int(rng.integers(1, 27))
        doc = {
            "company_name": pick(rng, COMPANIES),
            "company_address": address(rng),
            "employee_name": person_name(rng),
            "employee_id": "E" + digits(rng, 6),
            "pay_date": end + timedelta(days=int(rng.integers(0, 6))),
            "pay_period_start": start,
            "pay_period_end": end,
            "gross_pay": gross,
            "net_pay": net,
            "federal_tax": federal,
            "state_tax": state,
            "social_security": social_security,
            "medicare": medicare,
            "other_deductions": other,
            "ytd_gross": round(gross * periods_so_far, 2),
            "ytd_net": round(net * periods_so_far, 2),
            "text_quality": scan_quality(rng),
        }
        drop_optional(doc, rng, ("company_address", "employee_id", "other_deductions", "state_tax"))
        return doc

    @staticmethod
    def _net_above_gross(doc, rng, today):
        doc["net_pay"] = _times(doc["gross_pay"], rng.uniform(1.02, 1.5))

    @staticmethod
    def _inflated_gross(doc, rng, today):
        # Gross edited upward; the deduction lines still belong to the real, smaller figure.
        doc["gross_pay"] = _times(doc["gross_pay"], rng.uniform(1.4, 3.0))

    @staticmethod
    def _inflated_net(doc, rng, today):
        doc["net_pay"] = _times(doc["net_pay"], rng.uniform(1.12, 1.4))

    @staticmethod
    def _wrong_statutory_rates(doc, rng, today):
        doc["social_security"] = _times(doc["gross_pay"], rng.uniform(0.01, 0.04))
        doc["medicare"] = _times(doc["gross_pay"], rng.uniform(0.03, 0.06))

    @staticmethod
    def _ytd_below_current(doc, rng, today):
        doc["ytd_gross"] = _times(doc["gross_pay"], rng.uniform(0.2, 0.9))
        doc["ytd_net"] = _times(doc["net_pay"], rng.uniform(0.2, 0.9))

    @staticmethod
    def _pay_date_outside_period(doc, rng, today):
        start = doc["pay_period_start"] or (doc["pay_date"] or today) - timedelta(days=20)
        doc["pay_date"] = start - timedelta(days=int(rng.integers(3, 40)))

    @staticmethod
    def _round_figures(doc, rng, today):
        doc["gross_pay"] = float(rng.integers(2, 12) * 500)
        doc["net_pay"] = float(rng.integers(2, 8) * 500)
        doc["federal_tax"] = float(rng.integers(1, 4) * 100)

    @staticmethod
    def _no_withholding(doc, rng, today):
        doc["federal_tax"] = 0.0
        doc["state_tax"] = 0.0
        gross = doc["gross_pay"]
        doc["net_pay"] = (
            None if gross is None else round(gross - (doc["social_security"] or 0) - (doc["medicare"] or 0), 2)
        )

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
        "future_pay_date": future_date("pay_date", days=(5, 120)),
        "pay_date_outside_period": _pay_date_outside_period,
        "round_figures": _round_figures,
        "no_withholding": _no_withholding,
        "poor_scan": poor_scan(_net_raised_slightly),
    }


def _times(amount: float | None, factor: float) -> float | None:
    """`amount` x `factor` in cents; a field the forger left blank stays blank."""
    return None if amount is None else round(amount * factor, 2)
