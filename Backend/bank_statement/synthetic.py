"""Synthetic bank statements: a consistent ledger, and the ways doctored statements break it.

Inside the generator a statement's transactions are dicts with a `date` object and float
`amount`/`balance`, oldest first, so the fraud patterns can do arithmetic on them;
`ocr_noise` renders them as the frontend sends them (ISO or MM/DD/YYYY dates, numbers
or "$1,234.56" strings, sometimes newest first).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np

from domain.synthetic import (
    SyntheticDocumentGenerator,
    digits,
    money,
    person_name,
    pick,
    poor_scan,
    scan_quality,
)

BANKS = (
    "First National Bank",
    "Chase Bank",
    "Wells Fargo",
    "Bank of America",
    "US Bank",
    "PNC Bank",
    "Citizens Bank",
    "Truist",
    "Regions Bank",
    "Navy Federal Credit Union",
    "Capital One",
)
EMPLOYERS = (
    "ACME LOGISTICS",
    "BLUE RIVER HEALTH",
    "NORTHWIND TRADERS",
    "SUMMIT FOODS",
    "ORION SOFTWARE",
    "PIONEER CONSTRUCTION",
    "LAKESIDE SCHOOL DIST",
    "HARBOR FREIGHT LINES",
    "EVERGREEN DENTAL",
)
MERCHANTS = (
    "WALMART",
    "TARGET",
    "KROGER",
    "SAFEWAY",
    "COSTCO",
    "AMAZON MKTPLACE",
    "SHELL OIL",
    "CHEVRON",
    "STARBUCKS",
    "MCDONALDS",
    "CHIPOTLE",
    "CVS PHARMACY",
    "WALGREENS",
    "HOME DEPOT",
    "UBER TRIP",
    "NETFLIX.COM",
    "SPOTIFY",
    "TRADER JOES",
    "BEST BUY",
    "PANERA BREAD",
)
BILLS = (
    "ELECTRIC CO",
    "CITY WATER UTIL",
    "COMCAST CABLE",
    "VERIZON WIRELESS",
    "STATE FARM INS",
    "GEICO AUTO",
    "PLANET FITNESS",
    "CAPITAL ONE CARD PMT",
    "NAVIENT STUDENT LN",
)
HOUSING = ("RENT PAYMENT", "MORTGAGE PMT", "PROPERTY MGMT RENT")
SMALL_REPEATS = ("METRO TRANSIT", "STARBUCKS", "PARKING METER", "VENDING")
ROUND_DEPOSITS = ("DEPOSIT", "MOBILE DEPOSIT", "CASH DEPOSIT", "TRANSFER IN", "WIRE TRANSFER IN", "ONLINE TRANSFER")
PAY_STEP_DAYS = (7, 14, 15, 30)


def log_money(rng: np.random.Generator, low: float, high: float) -> float:
    """Like `money`, but log-uniform: incomes and balances span orders of magnitude."""
    value = round(float(np.exp(rng.uniform(np.log(low), np.log(high)))), 2)
    return value + 0.37 if value % 100 == 0 else value


def _line(day: date, description: str, amount: float) -> dict[str, Any]:
    return {"date": day, "description": description, "amount": round(amount, 2), "balance": 0.0}


def _rebalance(lines: list[dict[str, Any]], index: int, before: float) -> None:
    """Recompute running balances from `index` on, `before` being the balance before that line."""
    for line in lines[index:]:
        before = round(before + line["amount"], 2)
        line["balance"] = before


def _balance_before(lines: list[dict[str, Any]], index: int) -> float:
    if index > 0:
        return lines[index - 1]["balance"]
    return round(lines[0]["balance"] - lines[0]["amount"], 2) if lines else 0.0


def _restate(doc: dict[str, Any]) -> None:
    """The careful forger: totals and closing balance rewritten to match the lines (removed fields stay removed)."""
    lines = doc.get("transactions") or []
    if not lines:
        return
    restated = {
        "total_deposits": round(sum(t["amount"] for t in lines if t["amount"] > 0), 2),
        "total_withdrawals": round(-sum(t["amount"] for t in lines if t["amount"] < 0), 2),
        "closing_balance": lines[-1]["balance"],
    }
    for key, value in restated.items():
        if doc.get(key) is not None:
            doc[key] = value


def _income_indexes(lines: list[dict[str, Any]]) -> list[int]:
    """The lines a forger inflating income goes for: the larger deposits (payroll), else any line."""
    largest = max((t["amount"] for t in lines), default=0.0)
    deposits = [i for i, t in enumerate(lines) if largest > 0 and t["amount"] >= largest / 2]
    return deposits or list(range(len(lines)))


def _period(doc: dict[str, Any], today: date) -> tuple[date, date]:
    """The statement period, falling back on the lines' dates when a pattern removed it."""
    lines = doc.get("transactions") or []
    end = doc.get("statement_end") or (max(t["date"] for t in lines) if lines else today - timedelta(days=10))
    start = doc.get("statement_start") or (min(t["date"] for t in lines) if lines else end - timedelta(days=29))
    return (start, end) if start <= end else (end, start)


class BankStatementGenerator(SyntheticDocumentGenerator):
    def genuine(self, rng: np.random.Generator, today: date) -> dict[str, Any]:
        end = today - timedelta(days=int(rng.integers(1, 61)))
        length = int(rng.integers(28, 32))
        start = end - timedelta(days=length - 1)
        target = int(rng.integers(5, 61))

        def day_in_period() -> date:
            return start + timedelta(days=int(rng.integers(0, length)))

        rows: list[dict[str, Any]] = []
        step = int(rng.choice(PAY_STEP_DAYS))
        monthly_pay = log_money(rng, 900, 120000)
        employer = pick(rng, EMPLOYERS)
        payday = start + timedelta(days=int(rng.integers(0, min(step, length))))
        while payday <= end:
            rows.append(_line(payday, f"PAYROLL DEPOSIT {employer}", monthly_pay * step / 30 * rng.uniform(0.97, 1.03)))
            payday += timedelta(days=step)
        if rng.random() < 0.85:
            rows.append(
                _line(
                    start + timedelta(days=int(rng.integers(0, 6))),
                    pick(rng, HOUSING),
                    -monthly_pay * rng.uniform(0.1, 0.45),
                )
            )
        if rng.random() < 0.15:  # money put aside, or a card paid off in full
            rows.append(
                _line(
                    day_in_period(),
                    pick(rng, ("ONLINE TRANSFER TO SAVINGS", "CREDIT CARD PAYMENT")),
                    -monthly_pay * rng.uniform(0.1, 0.6),
                )
            )
        for bill in rng.choice(BILLS, size=int(rng.integers(1, 5)), replace=False):
            rows.append(_line(day_in_period(), f"ONLINE PMT {bill}", -money(rng, 25, 320)))
        # Card purchases, cash and small credits, drawn in bulk (this loop is most of a statement).
        others = max(0, target - len(rows))
        share = monthly_pay * rng.uniform(0.1, 0.9) / max(others, 1)  # purchases and cash: 10-90% of pay
        days = rng.integers(0, length, size=others).tolist()
        kinds = rng.random(others).tolist()
        spread = rng.random(others).tolist()
        merchants = rng.integers(0, len(MERCHANTS), size=others).tolist()
        stores = rng.integers(1000, 10000, size=others).tolist()
        for day, kind, u, merchant, store in zip(days, kinds, spread, merchants, stores):
            on = start + timedelta(days=day)
            if kind < 0.12:
                rows.append(_line(on, "ATM WITHDRAWAL", -20.0 * (2 + int(u * 9))))
            elif kind < 0.16:
                rows.append(_line(on, f"REFUND {MERCHANTS[merchant]}", 5.13 + u * 115))
            elif kind < 0.20:
                rows.append(_line(on, "ZELLE PAYMENT RECEIVED", 10.07 + u * 390))
            else:
                rows.append(
                    _line(on, f"POS PURCHASE {MERCHANTS[merchant]} #{store}", -max(1.05, share * (0.2 + 1.6 * u)))
                )
        if rng.random() < 0.05:  # a savings top-up: a round deposit on a genuine statement
            top_up = 100.0 * max(1, round(monthly_pay * rng.uniform(0.03, 0.15) / 100))
            rows.append(_line(day_in_period(), "TRANSFER FROM SAVINGS", top_up))
        if rng.random() < 0.03:  # two identical small purchases the same day happen
            day, fare = day_in_period(), -money(rng, 2, 12)
            description = f"POS PURCHASE {pick(rng, SMALL_REPEATS)}"
            rows += [_line(day, description, fare), _line(day, description, fare)]
        rows.sort(key=lambda t: t["date"])  # stable: same-day lines keep their order

        opening = log_money(rng, 20, 250000)
        _rebalance(rows, 0, opening)
        doc = {
            "bank_name": pick(rng, BANKS),
            "account_holder": person_name(rng),
            "account_number": digits(rng, int(rng.integers(8, 13))) if rng.random() < 0.8 else "****" + digits(rng, 4),
            "statement_start": start,
            "statement_end": end,
            "opening_balance": opening,
            "closing_balance": 0.0,
            "total_deposits": 0.0,
            "total_withdrawals": 0.0,
            "transactions": rows,
            "text_quality": scan_quality(rng),
        }
        _restate(doc)
        if rng.random() < 0.05:  # an optional value the OCR did not read
            if rng.random() < 0.5:
                doc["text_quality"] = None
            else:
                rows[int(rng.integers(len(rows)))]["description"] = None
        return doc

    def ocr_noise(self, document: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        """The base renders the top-level values; transaction lines are rendered here, one style per statement."""
        noisy = super().ocr_noise(document, rng)
        lines = document.get("transactions")
        if not lines:
            return noisy
        us_dates = rng.random() < 0.3
        string_share = float(rng.choice([0.0, 0.0, 0.3, 1.0]))
        draws = rng.random((len(lines), 3)).tolist()
        rendered = []
        for line, (amount_draw, balance_draw, paren_draw) in zip(lines, draws):
            amount, balance = line["amount"], line["balance"]
            if amount_draw < string_share:
                amount = f"(${-amount:,.2f})" if amount < 0 and paren_draw < 0.3 else f"${amount:,.2f}"
            if balance_draw < string_share:
                balance = f"${balance:,.2f}"
            rendered.append(
                {
                    "date": line["date"].strftime("%m/%d/%Y") if us_dates else line["date"].isoformat(),
                    "description": line["description"] or "",
                    "amount": amount,
                    "balance": balance,
                }
            )
        if rng.random() < 0.15:  # many banks list the newest line first
            rendered.reverse()
        noisy["transactions"] = rendered
        return noisy

    @staticmethod
    def _closing_balance_edited(doc, rng, today):
        lines = doc.get("transactions") or []
        if doc.get("closing_balance") is None:
            if lines:
                lines[-1]["balance"] = round(lines[-1]["balance"] + money(rng, 800, 9000), 2)
            return
        edited = round(abs(doc["closing_balance"]) * rng.uniform(1.2, 3.0) + money(rng, 300, 6000), 2)
        doc["closing_balance"] = edited
        if lines and rng.random() < 0.5:  # the last line edited to match: its running balance breaks instead
            lines[-1]["balance"] = edited

    @staticmethod
    def _inflated_totals(doc, rng, today):
        keys = ["total_deposits"] if rng.random() < 0.7 else ["total_deposits", "total_withdrawals"]
        for key in keys:
            if doc.get(key) is None:
                continue
            original = doc[key]
            doc[key] = round(original * rng.uniform(1.15, 2.5) + money(rng, 200, 3000), 2)
            if key == "total_deposits" and doc.get("closing_balance") is not None and rng.random() < 0.5:
                # closing raised to reconcile with the inflated total
                doc["closing_balance"] = round(doc["closing_balance"] + doc[key] - original, 2)

    @staticmethod
    def _edited_transaction_amount(doc, rng, today):
        lines = doc.get("transactions") or []
        if not lines:
            return
        i = int(rng.choice(_income_indexes(lines)))
        line = lines[i]
        line["amount"] = round(abs(line["amount"]) * rng.uniform(1.5, 4.0) + money(rng, 100, 2000), 2)
        if rng.random() < 0.5:  # that line's balance fixed too: the break moves to the next line
            line["balance"] = round(_balance_before(lines, i) + line["amount"], 2)

    @staticmethod
    def _transactions_outside_period(doc, rng, today):
        lines = doc.get("transactions") or []
        if rng.random() < 0.4 and doc.get("statement_start") and doc.get("statement_end"):
            # the statement dates edited (a newer-looking period), the lines left as they were
            shift = timedelta(days=int(rng.integers(10, 45)) * int(rng.choice([-1, 1])))
            doc["statement_start"] += shift
            doc["statement_end"] += shift
            return
        if not lines:
            return
        start, end = _period(doc, today)
        for i in rng.choice(len(lines), size=min(len(lines), int(rng.integers(1, 4))), replace=False):
            days = timedelta(days=int(rng.integers(3, 45)))
            lines[int(i)]["date"] = start - days if rng.random() < 0.5 else end + days

    @staticmethod
    def _duplicated_transactions(doc, rng, today):
        lines = doc.get("transactions") or []
        if not lines:
            return
        careful = rng.random() < 0.5
        for _ in range(int(rng.integers(1, 4))):
            i = int(rng.choice(_income_indexes(lines)))
            lines.insert(i + 1, dict(lines[i]))  # same balance as the original: a break unless rebalanced
            if careful:
                _rebalance(lines, i + 1, lines[i]["balance"])
        if careful:
            _restate(doc)

    @staticmethod
    def _large_round_deposits(doc, rng, today):
        lines = doc.get("transactions")
        if lines is None:
            return
        start, end = _period(doc, today)
        income = sum(t["amount"] for t in lines if t["amount"] > 0) or doc.get("total_deposits") or 3000.0
        careful = rng.random() < 0.5
        for _ in range(int(rng.integers(1, 4))):
            # enough to matter next to the real income, in round hundreds or five hundreds
            unit = 500.0 if rng.random() < 0.6 else 100.0
            amount = max(1000.0, unit * round(abs(income) * rng.uniform(0.3, 1.5) / unit))
            day = start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))
            position = next((k for k, t in enumerate(lines) if t["date"] > day), len(lines))
            before = _balance_before(lines, position) if lines else doc.get("opening_balance") or 0.0
            lines.insert(position, _line(day, pick(rng, ROUND_DEPOSITS), amount))
            lines[position]["balance"] = round(before + amount, 2)
            if careful:
                _rebalance(lines, position + 1, lines[position]["balance"])
        if careful:
            _restate(doc)

    @staticmethod
    def _future_statement_end(doc, rng, today):
        end = doc.get("statement_end")
        if end is None:
            return
        shift = timedelta(days=(today - end).days + int(rng.integers(3, 60)))
        doc["statement_end"] = end + shift
        if doc.get("statement_start") is not None:
            doc["statement_start"] += shift
        if rng.random() < 0.6:  # the whole statement re-dated, lines included
            for line in doc.get("transactions") or []:
                line["date"] += shift

    @staticmethod
    def _one_balance_raised(doc, rng, today):
        # What a poor scan hides: one running balance, or the closing balance, raised.
        lines = doc.get("transactions") or []
        if lines and (doc.get("closing_balance") is None or rng.random() < 0.5):
            line = lines[int(rng.integers(len(lines)))]
            line["balance"] = round(line["balance"] + money(rng, 150, 5000), 2)
        elif doc.get("closing_balance") is not None:
            doc["closing_balance"] = round(doc["closing_balance"] + money(rng, 150, 5000), 2)

    fraud_patterns = {
        "closing_balance_edited": _closing_balance_edited,
        "inflated_totals": _inflated_totals,
        "edited_transaction_amount": _edited_transaction_amount,
        "transactions_outside_period": _transactions_outside_period,
        "duplicated_transactions": _duplicated_transactions,
        "large_round_deposits": _large_round_deposits,
        "future_statement_end": _future_statement_end,
        "poor_scan": poor_scan(_one_balance_raised),
    }
