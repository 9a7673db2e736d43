"""Synthetic bank statements: genuine ledgers as varied as real ones, and the traces doctored ones leave.

Inside the generator a statement's transactions are dicts with a `date` object and float
`amount`/`balance`, oldest first and every balance filled in, so the fraud patterns can do
arithmetic on them. How the statement prints them is decided with the genuine statement and kept
under the private key `_render` (listing order, balances on every line / once a day / never,
pending lines, a line value OCR lost); `ocr_noise` applies it and renders the lines as the
frontend sends them (ISO or MM/DD/YYYY dates, numbers or "$1,234.56" strings).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

import numpy as np

from bank_statement.ledger import LOOKALIKE_DIGITS
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
    "Ally Bank",
    "Golden 1 Credit Union",
    "TD Bank",
)
BUSINESSES = (
    "ACME LOGISTICS LLC",
    "BLUE RIVER CAFE INC",
    "NORTHWIND TRADERS",
    "SUMMIT PLUMBING CO",
    "ORION DESIGN LLC",
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
BENEFITS = ("SSA TREAS 310 SOC SEC", "STATE UI BENEFIT", "VA BENEFIT", "CHILD SUPPORT PMT", "SSI TREAS 310")
GIG_PAYERS = ("DOORDASH PAYOUT", "UBER DRIVER PAYOUT", "LYFT EXPRESS PAY", "INSTACART SHOPPER", "ETSY DEPOSIT")
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
    "CAPITAL ONE CARD PMT",
    "NAVIENT STUDENT LN",
    "TOYOTA FINANCIAL",
)
SUBSCRIPTIONS = (("NETFLIX.COM", 15.49), ("SPOTIFY", 11.99), ("HULU", 7.99), ("APPLE.COM/BILL", 2.99),
                 ("PLANET FITNESS", 24.99), ("AMAZON PRIME", 14.99), ("YOUTUBE PREMIUM", 13.99))  # fmt: skip
HOUSING = ("RENT PAYMENT", "MORTGAGE PMT", "PROPERTY MGMT RENT")
VENDORS = ("SYSCO FOODS", "ULINE", "GRAINGER", "OFFICE DEPOT", "FEDEX", "ADOBE SYSTEMS", "GOOGLE ADS")
CUSTOMER_DEPOSITS = ("STRIPE TRANSFER", "SQUARE INC DEPOSIT", "ACH CREDIT CUSTOMER", "PAYPAL TRANSFER")
SMALL_REPEATS = ("POS PURCHASE METRO TRANSIT", "POS PURCHASE STARBUCKS", "PARKING METER", "VENDING MACHINE")
ROUND_DEPOSITS = ("DEPOSIT", "MOBILE DEPOSIT", "CASH DEPOSIT", "TRANSFER IN", "WIRE TRANSFER IN", "ONLINE TRANSFER")
PAY_STEP_DAYS = (7, 14, 15, 30)
MASKS = ("****", "XXXXXX", "xxxx", "...", "X")
# How statements print their lines (shares of genuine statements).
NEWEST_FIRST_RATE = 0.3
BALANCE_STYLES = (("every", 0.6), ("daily", 0.25), ("none", 0.15))
SAME_DAY_SHUFFLE_RATE = 0.1  # a day's lines listed in another order than the bank booked them
PENDING_RATE = 0.08
LINE_DROP_RATE = 0.06  # OCR loses one value of one line
MISREAD_RATE = 0.04  # OCR reads one digit of one figure as a look-alike
TOTALS_NOT_PRINTED_RATE = 0.08
POOR_SCAN_RATE = 0.04  # a faint copy: lower text quality, and one to four line values lost
LINE_FIELDS = ("amount", "balance", "date", "description")


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
    """The summary written to match the lines (removed fields stay removed)."""
    lines = doc.get("transactions") or []
    restated = {
        "total_deposits": round(sum(t["amount"] for t in lines if t["amount"] > 0), 2),
        "total_withdrawals": round(-sum(t["amount"] for t in lines if t["amount"] < 0), 2),
        "closing_balance": lines[-1]["balance"] if lines else doc.get("opening_balance"),
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


def _lookalikes(digit: str, leading: bool) -> list[str]:
    """The digits OCR may read `digit` as (a leading digit never as 0, which would shorten the number)."""
    return sorted(b for a, b in LOOKALIKE_DIGITS if a == digit and not (leading and b == "0"))


def misread(value: float, rng: np.random.Generator) -> float:
    """`value` with one digit read as a look-alike: what OCR does to a figure now and then."""
    text = str(abs(round(value * 100)))
    positions = [i for i, d in enumerate(text) if _lookalikes(d, i == 0)]
    i = int(rng.choice(positions))
    read = text[:i] + pick(rng, _lookalikes(text[i], i == 0)) + text[i + 1 :]
    return round(int(read) / 100 * (-1 if value < 0 else 1), 2)


# --- the period and the lines of a genuine statement ----------------------------------------------------


def _statement_period(rng: np.random.Generator, today: date, quarterly: bool) -> tuple[date, date]:
    """A calendar month (or quarter) that has ended, or 28-31 days ending mid-month."""
    months_back = int(rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 9, 12]))
    if quarterly or rng.random() < 0.55:
        month_end = today.replace(day=1) - timedelta(days=1)
        for _ in range(months_back - 1):
            month_end = month_end.replace(day=1) - timedelta(days=1)
        start = month_end.replace(day=1)
        for _ in range(2 if quarterly else 0):
            start = (start - timedelta(days=1)).replace(day=1)
        return start, month_end
    end = today - timedelta(days=int(rng.integers(1, 30 * months_back + 1)))
    return end - timedelta(days=int(rng.integers(27, 31))), end


def _income(rng, kind: str, start: date, end: date, monthly: float) -> list[dict[str, Any]]:
    """Deposits: pay on a schedule, benefits once a month, gig payouts weekly, business receipts."""
    length = (end - start).days + 1
    rows = []
    source = rng.random()
    if kind == "business":
        for _ in range(int(rng.integers(4, 40))):
            day = start + timedelta(days=int(rng.integers(0, length)))
            rows.append(_line(day, pick(rng, CUSTOMER_DEPOSITS), log_money(rng, 40, monthly / 3)))
    elif kind == "savings":
        if rng.random() < 0.5:
            day = start + timedelta(days=int(rng.integers(0, length)))
            amount = 50.0 * int(rng.integers(1, 40)) if rng.random() < 0.6 else money(rng, 20, 3000)
            rows.append(_line(day, "TRANSFER FROM CHECKING", amount))
    elif source < 0.7:  # wages
        step = int(rng.choice(PAY_STEP_DAYS))
        employer = pick(rng, EMPLOYERS)
        payday = start + timedelta(days=int(rng.integers(0, min(step, length))))
        while payday <= end:
            rows.append(_line(payday, f"PAYROLL DEPOSIT {employer}", monthly * step / 30 * rng.uniform(0.9, 1.1)))
            payday += timedelta(days=step)
    elif source < 0.85:  # benefits, once a month, often the same amount
        day = start + timedelta(days=int(rng.integers(0, length)))
        rows.append(_line(day, pick(rng, BENEFITS), round(monthly, 2)))
    else:  # gig work: several payouts a month, amounts all over
        payer = pick(rng, GIG_PAYERS)
        for week in range(0, length, 7):
            if rng.random() < 0.85:
                day = start + timedelta(days=min(length - 1, week + int(rng.integers(0, 7))))
                rows.append(_line(day, payer, monthly / 4 * rng.uniform(0.3, 1.7)))
    return rows


def _spending(rng, kind: str, start: date, end: date, monthly: float, target: int) -> list[dict[str, Any]]:
    """Withdrawals and the small credits between them: housing, bills, subscriptions, cards, cash, P2P, checks."""
    length = (end - start).days + 1

    def day() -> date:
        return start + timedelta(days=int(rng.integers(0, length)))

    rows = []
    if kind == "checking" and rng.random() < 0.8:
        rent = monthly * rng.uniform(0.15, 0.45)
        rent = round(rent, -1) if rng.random() < 0.6 else rent  # rent is often a round figure
        rows.append(_line(start + timedelta(days=int(rng.integers(0, min(6, length)))), pick(rng, HOUSING), -rent))
    if kind != "savings":
        for bill in rng.choice(BILLS, size=int(rng.integers(0, 5)), replace=False):
            rows.append(_line(day(), f"ONLINE PMT {bill}", -money(rng, 25, 320)))
        for k in rng.choice(len(SUBSCRIPTIONS), size=int(rng.integers(0, 4)), replace=False):
            name, price = SUBSCRIPTIONS[int(k)]
            rows.append(_line(day(), name, -price))
            if rng.random() < 0.15:  # a second plan, or last month's charge retried: the same amount again
                rows.append(_line(day(), name, -price))
    if kind == "business":
        for _ in range(int(rng.integers(1, 12))):
            rows.append(_line(day(), f"ACH DEBIT {pick(rng, VENDORS)}", -log_money(rng, 30, monthly / 4)))
        if rng.random() < 0.5:
            rows.append(_line(day(), "ADP PAYROLL", -monthly * rng.uniform(0.2, 0.5)))
    others = max(0, target - len(rows))
    share = monthly * rng.uniform(0.1, 0.9) / max(others, 1)
    kinds = rng.random(others)
    for u, v in zip(kinds.tolist(), rng.random(others).tolist()):
        on = day()
        if kind == "savings":
            rows.append(_line(on, "TRANSFER TO CHECKING", -(50.0 * int(1 + v * 20) if u < 0.5 else 5 + v * 900)))
        elif u < 0.10:
            rows.append(_line(on, "ATM WITHDRAWAL", -20.0 * (1 + int(v * 15))))
            if v < 0.4:
                rows.append(_line(on, "NON-BANK ATM FEE", -float(pick(rng, ("2.50", "3.00", "3.50")))))
        elif u < 0.14:
            rows.append(_line(on, f"REFUND {pick(rng, MERCHANTS)}", 5.13 + v * 115))
        elif u < 0.19:
            rows.append(_line(on, pick(rng, ("ZELLE PAYMENT FROM", "VENMO CASHOUT")), 10.07 + v * 390))
        elif u < 0.25:
            rows.append(_line(on, pick(rng, ("ZELLE PAYMENT TO", "VENMO PAYMENT")), -(5.0 + v * 300)))
        elif u < 0.28:
            rows.append(_line(on, f"CHECK #{int(100 + v * 9000)}", -max(10.0, share * (1 + 4 * v))))
        elif u < 0.30:
            rows.append(_line(on, "MOBILE DEPOSIT CHECK", 20.0 + v * 800))
        else:
            store = int(1000 + v * 8999)
            rows.append(_line(on, f"POS PURCHASE {pick(rng, MERCHANTS)} #{store}", -max(1.05, share * (0.2 + 1.6 * v))))
    return rows


def _month_end_lines(rng, kind: str, end: date, opening: float) -> list[dict[str, Any]]:
    """Interest on savings (and some checking), a maintenance fee on some accounts, a round transfer now and then."""
    rows = []
    if kind == "savings" or rng.random() < 0.3:
        rows.append(_line(end, "INTEREST PAYMENT", max(0.01, abs(opening) * rng.uniform(0.0001, 0.004))))
    if kind != "savings" and rng.random() < 0.15:
        rows.append(_line(end, "MONTHLY MAINTENANCE FEE", -float(pick(rng, ("5.00", "12.00", "15.00", "25.00")))))
    if rng.random() < 0.06:  # money moved between one's own accounts: a large round deposit, genuinely
        rows.append(
            _line(
                end - timedelta(days=int(rng.integers(0, 20))),
                pick(rng, ROUND_DEPOSITS),
                500.0 * int(rng.integers(2, 11)),
            )
        )
    return rows


def _overdraft_fees(rows: list[dict[str, Any]], opening: float) -> list[dict[str, Any]]:
    """An overdraft fee on each of the first three days the account ends below zero."""
    fees, balance = [], opening
    by_day: dict[date, float] = {}
    for row in rows:
        balance += row["amount"]
        by_day[row["date"]] = balance
    for day, end_balance in by_day.items():
        if end_balance < 0 and len(fees) < 3:
            fees.append(_line(day, "OVERDRAFT FEE", -35.0))
    return fees


def _account_number(rng: np.random.Generator) -> str:
    """Full digits, or masked as statements print them ("****1234", "XXXXXX1234")."""
    if rng.random() < 0.5:
        return digits(rng, int(rng.integers(8, 13)))
    return pick(rng, MASKS) + digits(rng, 4)


def _render_settings(rng: np.random.Generator, lines: list[dict[str, Any]], end: date, poor: bool) -> dict[str, Any]:
    """How this statement prints its lines (see the module docstring); a `poor` scan loses more line values."""
    lost = int(rng.integers(1, 5)) if poor else int(rng.random() < LINE_DROP_RATE)
    styles, weights = zip(*BALANCE_STYLES)
    pending = []
    if lines and rng.random() < PENDING_RATE:
        for _ in range(int(rng.integers(1, 4))):
            on = end - timedelta(days=int(rng.integers(-3, 3)))
            pending.append(_line(on, f"POS PURCHASE {pick(rng, MERCHANTS)}", -money(rng, 3, 150)))
    return {
        "newest_first": bool(rng.random() < NEWEST_FIRST_RATE),
        "balances": str(rng.choice(styles, p=weights)),
        "shuffle_days": bool(rng.random() < SAME_DAY_SHUFFLE_RATE),
        "pending": pending,
        "pending_marker": pick(rng, ("flag", "description")),
        "line_drop": [pick(rng, LINE_FIELDS) for _ in range(lost)],
    }


def _genuine_quirks(doc: dict[str, Any], rng: np.random.Generator) -> None:
    """What genuine statements show now and then: repeated lines, a posting a day or two outside the period,
    totals not printed, a misread digit, a poor scan, an optional value not read."""
    lines = doc["transactions"]
    if lines and rng.random() < 0.06:  # two coffees, two fares, two withdrawals the same day
        i = int(rng.integers(len(lines)))
        twin = _line(lines[i]["date"], pick(rng, SMALL_REPEATS), -money(rng, 2, 60))
        lines[i + 1 : i + 1] = [twin, dict(twin)]
        _rebalance(lines, i + 1, lines[i]["balance"])
        _restate(doc)
    if lines and rng.random() < 0.04:  # a card purchase made a day or two before it posted, across the period edge
        edge = lines[-1] if rng.random() < 0.25 else lines[0]
        shift = int(rng.integers(1, 3))
        edge["date"] = edge["date"] + timedelta(days=shift if edge is lines[-1] else -shift)
    if rng.random() < TOTALS_NOT_PRINTED_RATE:
        doc["total_deposits"] = doc["total_withdrawals"] = None
    if rng.random() < MISREAD_RATE:
        _misread_one_figure(doc, rng)
    doc["text_quality"] = (
        round(float(rng.uniform(0.2, 0.72)), 3) if rng.random() < POOR_SCAN_RATE else scan_quality(rng)
    )
    if rng.random() < 0.05:  # an optional value the OCR did not read
        doc["text_quality"] = None


def _misread_one_figure(doc: dict[str, Any], rng: np.random.Generator) -> None:
    lines = doc["transactions"]
    where = rng.random()
    if lines and where < 0.6:
        line = lines[int(rng.integers(len(lines)))]
        key = "amount" if where < 0.3 else "balance"
        if abs(line[key]) >= 0.1:
            line[key] = misread(line[key], rng)
        return
    key = pick(rng, ("opening_balance", "closing_balance", "total_deposits", "total_withdrawals"))
    if doc.get(key) and abs(doc[key]) >= 0.1:
        doc[key] = misread(doc[key], rng)


def _lines_to_forge(doc: dict[str, Any], rng: np.random.Generator, today: date) -> list[dict[str, Any]]:
    """The lines a pattern edits; a statement without lines gets deposits inserted first (a forger's first move)."""
    if doc.get("transactions") == []:
        BankStatementGenerator._inserted_deposits(doc, rng, today)
    return doc.get("transactions") or []


def _keep_balances_visible(doc: dict[str, Any]) -> None:
    """A forger's edit of a running balance shows only on a statement that prints balances on every line."""
    doc.setdefault("_render", {})["balances"] = "every"


def _no_line_drop(doc: dict[str, Any]) -> None:
    """The forged lines stay readable: OCR losing one of them would hide the pattern the label is about."""
    doc.setdefault("_render", {})["line_drop"] = None


class BankStatementGenerator(SyntheticDocumentGenerator):
    def genuine(self, rng: np.random.Generator, today: date) -> dict[str, Any]:
        kind = str(rng.choice(["checking", "savings", "business"], p=[0.7, 0.13, 0.17]))
        start, end = _statement_period(rng, today, quarterly=kind == "savings" and rng.random() < 0.3)
        activity = rng.random()
        if kind == "savings" or activity < 0.04:  # dormant or quiet
            target = 0 if rng.random() < (0.25 if kind == "savings" else 0.5) else int(rng.integers(1, 8))
        elif activity < 0.2:
            target = int(rng.integers(2, 11))
        elif activity < 0.82 or kind != "business":
            target = int(rng.integers(10, 61))
        else:
            target = int(rng.integers(60, 220))
        monthly = log_money(rng, 700, 30000) if kind != "business" else log_money(rng, 5000, 400000)
        rows = [] if target == 0 else _income(rng, kind, start, end, monthly)
        rows += [] if target == 0 else _spending(rng, kind, start, end, monthly, target)
        overdrawn = kind == "checking" and rng.random() < 0.08
        opening = log_money(rng, 20, 400) if overdrawn else log_money(rng, 50, 250000 if kind != "business" else 900000)
        rows += _month_end_lines(rng, kind, end, opening) if target else []
        rows.sort(key=lambda t: t["date"])  # stable: same-day lines keep their order
        if overdrawn:
            rows += _overdraft_fees(rows, opening)
            rows.sort(key=lambda t: t["date"])
        _rebalance(rows, 0, opening)
        doc = {
            "bank_name": pick(rng, BANKS),
            "account_holder": pick(rng, BUSINESSES) if kind == "business" else person_name(rng),
            "account_number": _account_number(rng),
            "statement_start": start,
            "statement_end": end,
            "opening_balance": opening,
            "closing_balance": opening,
            "total_deposits": 0.0,
            "total_withdrawals": 0.0,
            "transactions": rows,
            "text_quality": None,
        }
        _restate(doc)
        _genuine_quirks(doc, rng)
        doc["_render"] = _render_settings(rng, rows, end, poor=(doc["text_quality"] or 1.0) < 0.6)
        if rows and rng.random() < 0.03:  # an optional value the OCR did not read
            rows[int(rng.integers(len(rows)))]["description"] = None
        return doc

    def ocr_losses(self, document: dict[str, Any], rng: np.random.Generator, protected: Collection[str] = ()) -> None:
        """The base's field losses; the private rendering settings are not a field OCR can lose."""
        super().ocr_losses(document, rng, protected={*protected, "_render"})

    def ocr_noise(self, document: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        """The base renders the top-level values; transaction lines are rendered here, one style per statement."""
        document = dict(document)
        settings = document.pop("_render", None) or {}
        noisy = super().ocr_noise(document, rng)
        lines = document.get("transactions")
        if not lines:
            return noisy
        printed = self._printed_lines(lines, settings, rng)
        us_dates = rng.random() < 0.3
        string_share = float(rng.choice([0.0, 0.0, 0.3, 1.0]))
        draws = rng.random((len(printed), 3)).tolist()
        rendered = []
        for line, (amount_draw, balance_draw, paren_draw) in zip(printed, draws):
            amount, balance, day = line["amount"], line["balance"], line["date"]
            if amount is not None and amount_draw < string_share:
                amount = f"(${-amount:,.2f})" if amount < 0 and paren_draw < 0.3 else f"${amount:,.2f}"
            if balance is not None and balance_draw < string_share:
                balance = f"${balance:,.2f}"
            row = {
                "date": None if day is None else day.strftime("%m/%d/%Y") if us_dates else day.isoformat(),
                "description": line["description"] or "",
                "amount": amount,
                "balance": balance,
            }
            if line.get("pending"):
                row["pending"] = True
            rendered.append(row)
        if settings.get("newest_first"):
            rendered.reverse()
        noisy["transactions"] = rendered
        return noisy

    @staticmethod
    def _printed_lines(lines: list[dict[str, Any]], settings: dict[str, Any], rng: np.random.Generator) -> list:
        """The lines as the statement prints them, oldest first: balances per its style, a day's lines maybe
        listed in another order, pending lines last, one value maybe lost to OCR."""
        printed = [dict(line) for line in lines]
        day_end = {line["date"]: line["balance"] for line in printed}  # the last line of a day ends it
        if settings.get("shuffle_days"):
            order = rng.permutation(len(printed))
            printed = [printed[i] for i in sorted(order.tolist(), key=lambda i: printed[i]["date"])]
        style = settings.get("balances", "every")
        for i, line in enumerate(printed):
            last_of_day = i + 1 == len(printed) or printed[i + 1]["date"] != line["date"]
            if style == "none" or (style == "daily" and not last_of_day):
                line["balance"] = None
            elif style == "daily":
                line["balance"] = day_end[line["date"]]
        for pending in settings.get("pending") or ():
            marked = dict(pending, balance=None)
            if settings.get("pending_marker") == "flag":
                marked["pending"] = True
            else:
                marked["description"] = "PENDING " + marked["description"]
            printed.append(marked)
        for dropped in settings.get("line_drop") or ():
            printed[int(rng.integers(len(lines)))][dropped] = None
        return printed

    # --- fraud patterns: each leaves evidence in figures that must add up ----------------------------------

    @staticmethod
    def _closing_balance_edited(doc, rng, today):
        lines = doc.get("transactions") or []
        _no_line_drop(doc)
        if doc.get("closing_balance") is None:
            if lines:
                _keep_balances_visible(doc)
                lines[-1]["balance"] = round(lines[-1]["balance"] + money(rng, 800, 9000), 2)
            return
        edited = round(abs(doc["closing_balance"]) * rng.uniform(1.2, 3.0) + money(rng, 300, 6000), 2)
        doc["closing_balance"] = edited
        if lines and rng.random() < 0.5:  # the last line edited to match: its running balance breaks instead
            lines[-1]["balance"] = edited

    @staticmethod
    def _inflated_totals(doc, rng, today):
        """Stated totals raised (a statement that printed none gets them): the lines no longer add up to them,
        or, when there are no lines, the summary no longer reconciles."""
        _no_line_drop(doc)
        lines = doc.get("transactions") or []
        keys = ["total_deposits"] if rng.random() < 0.7 else ["total_deposits", "total_withdrawals"]
        for key in keys:
            if doc.get(key) is None:
                sign = 1 if key == "total_deposits" else -1
                doc[key] = round(sign * sum(t["amount"] for t in lines if sign * t["amount"] > 0), 2)
            original = doc[key]
            doc[key] = round(original * rng.uniform(1.15, 2.5) + money(rng, 200, 3000), 2)
            if key == "total_deposits" and lines and doc.get("closing_balance") is not None and rng.random() < 0.5:
                # closing raised to reconcile with the inflated total
                doc["closing_balance"] = round(doc["closing_balance"] + doc[key] - original, 2)

    @staticmethod
    def _edited_transaction_amount(doc, rng, today):
        lines = _lines_to_forge(doc, rng, today)
        if not lines:
            return
        _no_line_drop(doc)
        if doc.get("total_deposits") is None:
            _keep_balances_visible(doc)
        i = int(rng.choice(_income_indexes(lines)))
        line = lines[i]
        line["amount"] = round(abs(line["amount"]) * rng.uniform(1.5, 4.0) + money(rng, 100, 2000), 2)
        if rng.random() < 0.5:  # that line's balance fixed too: the break moves to the next line
            line["balance"] = round(_balance_before(lines, i) + line["amount"], 2)

    @staticmethod
    def _transactions_outside_period(doc, rng, today):
        lines = _lines_to_forge(doc, rng, today)
        _no_line_drop(doc)
        if lines and rng.random() < 0.4 and doc.get("statement_start") and doc.get("statement_end"):
            # the statement dates edited (another period), the lines left as they were: some fall outside
            dates = [t["date"] for t in lines]
            if rng.random() < 0.5:
                shift = timedelta(days=max(10, (min(dates) - doc["statement_start"]).days + int(rng.integers(5, 20))))
            else:
                shift = -timedelta(days=max(10, (doc["statement_end"] - max(dates)).days + int(rng.integers(5, 20))))
            doc["statement_start"] += shift
            doc["statement_end"] += shift
            return
        if not lines:
            return
        start, end = _period(doc, today)
        for i in rng.choice(len(lines), size=min(len(lines), int(rng.integers(1, 4))), replace=False):
            days = timedelta(days=int(rng.integers(3, 45)))  # farther out than a purchase posted late
            lines[int(i)]["date"] = start - days if rng.random() < 0.5 else end + days

    @staticmethod
    def _duplicated_transactions(doc, rng, today):
        """Deposits listed twice: with the original's balance (a break), carried through the running
        balances with the summary left as printed (the lines no longer match the totals or the closing), or,
        by a careful forger, with the summary rewritten too. Genuine repeats are small same-day purchases;
        a payroll deposit twice on one day is not, which the duplicate deposit share tells apart."""
        lines = _lines_to_forge(doc, rng, today)
        if not lines:
            return
        _no_line_drop(doc)
        how = rng.random()
        carried = how >= 0.4
        if not carried or (doc.get("total_deposits") is None and doc.get("closing_balance") is None):
            _keep_balances_visible(doc)
        for _ in range(int(rng.integers(1, 4))):
            i = int(rng.choice(_income_indexes(lines)))
            lines.insert(i + 1, dict(lines[i]))  # same balance as the original: a break unless carried
            if carried:
                _rebalance(lines, i + 1, lines[i]["balance"])
        if how >= 0.7:
            _restate(doc)

    @staticmethod
    def _inserted_deposits(doc, rng, today):
        """Deposits added to the lines (round figures more often than not) without the ledger following:
        later balances left as they were, or the summary left as printed."""
        lines = doc.get("transactions")
        if lines is None:
            return
        _no_line_drop(doc)
        start, end = _period(doc, today)
        income = sum(t["amount"] for t in lines if t["amount"] > 0) or doc.get("total_deposits") or 3000.0
        carried = rng.random() < 0.5 and lines
        if not carried or (doc.get("total_deposits") is None and doc.get("closing_balance") is None):
            _keep_balances_visible(doc)
        for _ in range(int(rng.integers(1, 4))):
            amount = abs(income) * rng.uniform(0.3, 1.5)
            if rng.random() < 0.6:
                unit = 500.0 if rng.random() < 0.6 else 100.0
                amount = max(1000.0, unit * round(amount / unit))
            day = start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))
            position = next((k for k, t in enumerate(lines) if t["date"] > day), len(lines))
            before = _balance_before(lines, position) if lines else doc.get("opening_balance") or 0.0
            lines.insert(position, _line(day, pick(rng, ROUND_DEPOSITS), amount))
            lines[position]["balance"] = round(before + lines[position]["amount"], 2)
            if carried:
                _rebalance(lines, position + 1, lines[position]["balance"])

    @staticmethod
    def _balances_raised(doc, rng, today):
        """Every balance from one line on raised by the same sum, and the closing balance with them: the
        running balance jumps once, and the summary no longer reconciles (or, with deposits raised too,
        the lines no longer match the totals)."""
        lines = _lines_to_forge(doc, rng, today)
        if not lines:
            return
        _no_line_drop(doc)
        _keep_balances_visible(doc)
        raise_by = money(rng, 300, 15000)
        for line in lines[int(rng.integers(len(lines))) :]:
            line["balance"] = round(line["balance"] + raise_by, 2)
        if doc.get("closing_balance") is not None:
            doc["closing_balance"] = round(doc["closing_balance"] + raise_by, 2)
            if doc.get("total_deposits") is not None and rng.random() < 0.5:
                doc["total_deposits"] = round(doc["total_deposits"] + raise_by, 2)

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
        _no_line_drop(doc)
        if lines and (doc.get("closing_balance") is None or rng.random() < 0.5):
            _keep_balances_visible(doc)
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
        "inserted_deposits": _inserted_deposits,
        "balances_raised": _balances_raised,
        "future_statement_end": _future_statement_end,
        "poor_scan": poor_scan(_one_balance_raised),
    }
