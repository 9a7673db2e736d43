"""Bank statements: a month (a quarter for some savings accounts) of an account's activity, posted day by day.

Conventions:
- personal checking (65%): pay by direct deposit (weekly to monthly), benefits or gig payouts; rent or a
  mortgage, utilities, subscriptions, card purchases (from a handful to about seventy a month), ATM
  cash with out-of-network fees, Zelle and Venmo, transfers to savings, paper checks, refunds;
  monthly maintenance fees on some accounts, a little interest on some; an account that goes below
  zero is charged an overdraft fee per item (up to three a day);
- savings (10%): interest, a few transfers; business checking (25%): card settlements and deposits,
  payroll runs, tax payments, vendors, wires and their fees, an account analysis fee;
- a few dormant accounts with no transactions at all;
- printed oldest first (80%) or newest first; a running balance on every line, only on the day's last
  line (15%) or not at all (5%); credits before debits within a day at some banks; total withdrawals
  printed as a negative figure on some statements; the account number in full or masked.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from quality.checks import COMMUNITY_WORDS, LARGE_BANKS
from quality.common import (
    OBVIOUS,
    SUBTLE,
    Draft,
    Spelling,
    add_months,
    apply_ocr,
    business_name,
    cents,
    chance,
    half_up,
    person_name,
    pick,
)

DOC_TYPE = "bank_statement"
ONLINE_BANKS = ("Ally Bank", "Discover Bank", "SoFi Bank, N.A.", "Capital One 360", "The Bancorp Bank (Chime)", "Varo")
MERCHANTS = (
    # (descriptor, low, high) in dollars
    ("KROGER #{n3}", 12, 190),
    ("WALMART SUPERCENTER #{n4}", 8, 260),
    ("TARGET T-{n4}", 6, 180),
    ("COSTCO WHSE #{n4}", 40, 420),
    ("STARBUCKS STORE {n5}", 3, 18),
    ("MCDONALD'S F{n5}", 4, 22),
    ("CHIPOTLE {n4}", 9, 38),
    ("SHELL OIL {n8}", 20, 85),
    ("CHEVRON {n5}", 18, 90),
    ("AMAZON MKTPL*{code}", 6, 240),
    ("AMZN Mktp US*{code}", 5, 160),
    ("CVS/PHARMACY #{n5}", 4, 75),
    ("WALGREENS #{n5}", 4, 60),
    ("UBER *TRIP", 8, 55),
    ("DOORDASH*{word}", 14, 70),
    ("HOME DEPOT #{n4}", 9, 480),
    ("TRADER JOE'S #{n3}", 14, 150),
    ("SQ *{word} COFFEE", 4, 16),
    ("TST* {word} GRILL", 18, 110),
    ("APPLE.COM/BILL", 1, 20),
    ("PAYPAL *{word}", 10, 200),
)
SUBSCRIPTIONS = (("NETFLIX.COM", 1549), ("SPOTIFY USA", 1199), ("HULU", 1799), ("PLANET FITNESS", 2499))
SUBSCRIPTIONS += (("YOUTUBEPREMIUM", 1399), ("AMAZON PRIME*{code}", 1499), ("ADOBE *CREATIVE CLD", 5999))
BILLERS = (
    ("DUKE ENERGY", 60, 260),
    ("CITY OF {city} UTIL", 35, 140),
    ("COMCAST XFINITY", 55, 160),
    ("VERIZON WIRELESS", 45, 230),
    ("T-MOBILE", 40, 190),
    ("GEICO AUTO", 70, 260),
    ("STATE FARM RO 27", 60, 300),
    ("TOYOTA FINANCIAL", 280, 640),
    ("NAVIENT", 90, 420),
    ("SPECTRUM", 50, 150),
)
CITIES = ("AUSTIN", "DENVER", "TAMPA", "COLUMBUS", "PHOENIX", "RALEIGH", "BOISE", "FRESNO", "OMAHA")


@dataclass
class Tx:
    day: date
    description: str
    amount: int  # cents, positive for a credit
    balance: int | None = None


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        n3=rng.randint(100, 999),
        n4=rng.randint(1000, 9999),
        n5=rng.randint(10000, 99999),
        n8=rng.randint(10_000_000, 99_999_999),
        code="".join(pick(rng, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(6)),
        word=pick(rng, ["BLUEBIRD", "CORNER", "SUNSET", "MAIN ST", "RIVERSIDE", "HARBOR"]),
        city=pick(rng, CITIES),
    )


def _day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _recurring_days(rng: random.Random, start: date, end: date, every: int) -> list[date]:
    first = start + timedelta(days=rng.randrange(every))
    days = []
    while first <= end:
        days.append(first)
        first += timedelta(days=every)
    return days


def _card_line(rng: random.Random, merchant: str, day: date, last4: str, style: int) -> str:
    if style == 0:
        return f"DEBIT CARD PURCHASE - {merchant} {pick(rng, CITIES)} {pick(rng, ['TX', 'CO', 'FL', 'OH', 'AZ'])}"
    if style == 1:
        return f"POS PURCHASE {merchant}"
    if style == 2:
        return f"{merchant} {day.month:02d}/{day.day:02d} CARD {last4}"
    return f"Card Purchase {day.month:02d}/{day.day:02d} {merchant.title()} Card {last4}"


def _personal(rng: random.Random, start: date, end: date, tags: list[str]) -> list[Tx]:
    txs: list[Tx] = []
    employer = business_name(rng).upper()  # chains included: they employ many
    last4 = f"{rng.randint(0, 9999):04d}"
    style = rng.randrange(4)
    income = pick(rng, ["payroll", "benefits", "gig", "none"], [0.75, 0.1, 0.1, 0.05])
    if income == "payroll":
        every = pick(rng, [7, 14, 15, 30], [0.25, 0.45, 0.2, 0.1])
        net = cents(rng.lognormvariate(math.log(1700 * every / 14), 0.45))
        ppd = rng.randint(1_000_000_000, 9_999_999_999)
        template = pick(
            rng,
            [f"{employer} PAYROLL PPD ID: {ppd}", f"DIRECT DEP {employer}", f"ACH CREDIT {employer} DIR DEP"],
        )
        for day in _recurring_days(rng, start, end, every):
            txs.append(Tx(day, template, net if chance(rng, 0.5) else half_up(net * rng.uniform(0.93, 1.08))))
        tags.append("payroll_deposits")
    elif income == "benefits":
        txs.append(Tx(_day_in(rng, start, end), "SSA TREAS 310 XXSOC SEC", cents(rng.uniform(900, 2600))))
    elif income == "gig":
        for day in _recurring_days(rng, start, end, 7):
            txs.append(
                Tx(
                    day,
                    pick(rng, ["DOORDASH, INC. PAYOUT", "UBER EATS PAYOUT", "LYFT INC"]),
                    cents(rng.uniform(120, 700)),
                )
            )
    if chance(rng, 0.7):
        landlord = pick(
            rng,
            [f"ONLINE PMT {business_name(rng, chains=False).upper()}", "WELLS FARGO HOME MTG", "MR. COOPER MTG PMT"],
        )
        txs.append(Tx(start + timedelta(days=rng.randint(0, 5)), landlord, -rng.randrange(800, 3600, 5) * 100))
    for name, low, high in rng.sample(BILLERS, rng.randint(0, 5)):
        txs.append(Tx(_day_in(rng, start, end), _fill(rng, name), -cents(rng.uniform(low, high))))
    for name, price in rng.sample(SUBSCRIPTIONS, rng.randint(0, 3)):
        txs.append(Tx(_day_in(rng, start, end), _fill(rng, name), -price))
    purchases = int(rng.choice([rng.uniform(0, 8), rng.uniform(8, 35), rng.uniform(35, 75)]))
    for _ in range(purchases):
        template, low, high = pick(rng, MERCHANTS)
        day = _day_in(rng, start, end)
        txs.append(Tx(day, _card_line(rng, _fill(rng, template), day, last4, style), -cents(rng.uniform(low, high))))
    if purchases:
        tags.append("card_purchases")
        if chance(rng, 0.05):  # two coffees, the same shop, the same day
            same = pick(rng, [t for t in txs if t.amount < 0 and "PURCHASE" in t.description.upper()] or txs)
            txs.append(replace(same))
            tags.append("repeat_purchase_same_day")
    for _ in range(pick(rng, [0, 0, 1, 2, 3, 4])):
        day = _day_in(rng, start, end)
        txs.append(
            Tx(day, f"ATM WITHDRAWAL {rng.randint(100, 9999)} {pick(rng, CITIES)}", -rng.randrange(20, 401, 20) * 100)
        )
        tags.append("atm")
        if chance(rng, 0.3):
            txs.append(Tx(day, "NON-NETWORK ATM FEE", -pick(rng, [250, 300, 350])))
            tags.append("fees")
    for _ in range(pick(rng, [0, 0, 1, 2, 3, 5])):
        who = person_name(rng).upper()
        out = chance(rng, 0.6)
        text = pick(rng, [f"ZELLE PAYMENT {'TO' if out else 'FROM'} {who}", f"VENMO {'PAYMENT' if out else 'CASHOUT'}"])
        amount = rng.randrange(10, 600, 5) * 100 if chance(rng, 0.7) else cents(rng.uniform(5, 400))
        txs.append(Tx(_day_in(rng, start, end), text, -amount if out else amount))
        tags.append("transfers")
    if chance(rng, 0.3):
        savings = f"{rng.randint(0, 9999):04d}"
        amount = rng.randrange(25, 1001, 25) * 100
        txs.append(Tx(_day_in(rng, start, end), f"ONLINE TRANSFER TO SAV XXXXXX{savings}", -amount))
        tags.append("transfers")
    number = rng.randint(1001, 3500)
    for _ in range(pick(rng, [0, 0, 0, 1, 2, 3])):
        number += rng.randint(1, 4)
        txs.append(
            Tx(
                _day_in(rng, start, end),
                pick(rng, [f"CHECK {number}", f"CHECK #{number}", f"Check {number}"]),
                -cents(rng.uniform(20, 1500)),
            )
        )
        tags.append("checks_paid")
    if chance(rng, 0.08):
        txs.append(Tx(_day_in(rng, start, end), "AMAZON.COM REFUND", cents(rng.uniform(8, 120))))
    if chance(rng, 0.15):
        txs.append(
            Tx(
                end,
                pick(rng, ["MONTHLY MAINTENANCE FEE", "MONTHLY SERVICE FEE", "SERVICE CHARGE"]),
                -pick(rng, [495, 500, 1000, 1200, 1500, 2500]),
            )
        )
        tags.append("fees")
    if chance(rng, 0.1):
        txs.append(Tx(end, pick(rng, ["INTEREST PAYMENT", "INTEREST EARNED"]), rng.randint(1, 250)))
        tags.append("interest")
    return txs


def _savings(rng: random.Random, start: date, end: date, opening: int, tags: list[str]) -> list[Tx]:
    txs = []
    for _ in range(rng.randint(0, 3)):
        txs.append(
            Tx(
                _day_in(rng, start, end),
                f"ONLINE TRANSFER FROM CHK ...{rng.randint(0, 9999):04d}",
                rng.randrange(25, 2001, 25) * 100,
            )
        )
        tags.append("transfers")
    if chance(rng, 0.3):
        txs.append(Tx(_day_in(rng, start, end), "ONLINE TRANSFER TO CHK", -rng.randrange(50, 1501, 50) * 100))
        tags.append("transfers")
    apy = pick(rng, [0.0001, 0.001, 0.005, 0.038, 0.042])
    months = round((end - start).days / 30.4)
    for m in range(months):
        txs.append(
            Tx(
                min(end, add_months(start, m + 1) - timedelta(days=1)),
                "INTEREST PAID",
                max(1, half_up(opening * apy / 12)),
            )
        )
    tags.append("interest")
    return txs


def _business(rng: random.Random, start: date, end: date, tags: list[str]) -> list[Tx]:
    txs = []
    processor = pick(
        rng, ["BANKCARD {n8} DEP", "STRIPE TRANSFER ST-{code}", "SQUARE INC {n8}", "MERCHANT BNKCD DEPOSIT"]
    )
    scale = rng.lognormvariate(math.log(1800), 0.9)
    volume = pick(rng, [1, 2, 4], [0.6, 0.25, 0.15])  # card batches a day: one terminal, or several
    day = start
    while day <= end:
        if day.weekday() < 5 or chance(rng, 0.3):
            for _ in range(rng.randint(1, volume)):
                txs.append(Tx(day, _fill(rng, processor), cents(scale * rng.uniform(0.4, 1.6) / volume)))
        if chance(rng, 0.15):
            txs.append(
                Tx(
                    day,
                    pick(rng, ["DEPOSIT", "REMOTE DEPOSIT CAPTURE", "MOBILE DEPOSIT"]),
                    cents(scale * rng.uniform(0.5, 4)),
                )
            )
        day += timedelta(days=1)
    payroll = pick(rng, ["ADP PAYROLL FEES ADP", "GUSTO NET PAY", "PAYCHEX PAYROLL", "INTUIT PAYROLL"])
    for d in _recurring_days(rng, start, end, 14):
        txs.append(Tx(d, payroll, -cents(scale * rng.uniform(4, 9))))
        txs.append(Tx(d + timedelta(days=1) if d < end else d, "IRS USATAXPYMT", -cents(scale * rng.uniform(1, 2.5))))
    for _ in range(rng.randint(2, 25) * volume):
        vendor = business_name(rng, chains=False).upper()
        txs.append(
            Tx(
                _day_in(rng, start, end),
                pick(rng, [f"ACH DEBIT {vendor}", f"CHECK {rng.randint(2000, 9999)}", f"BILL PAY {vendor}"]),
                -cents(scale * rng.uniform(0.05, 3) / volume),
            )
        )
    for _ in range(rng.randint(0, 30) * volume):
        template, low, high = pick(rng, MERCHANTS)
        txs.append(
            Tx(
                _day_in(rng, start, end),
                f"PURCHASE AUTHORIZED ON {_fill(rng, template)}",
                -cents(rng.uniform(low, high) * 2),
            )
        )
    tags.append("card_purchases")
    if chance(rng, 0.4):
        d = _day_in(rng, start, end)
        incoming = chance(rng, 0.5)
        amount = cents(scale * rng.uniform(2, 15))
        txs.append(Tx(d, "WIRE TRANSFER IN" if incoming else "WIRE TRANSFER OUT", amount if incoming else -amount))
        txs.append(Tx(d, "WIRE FEE", -pick(rng, [1500, 2500, 3000, 4500])))
        tags += ["transfers", "fees"]
    if chance(rng, 0.5):
        txs.append(Tx(end, "ACCOUNT ANALYSIS FEE", -cents(rng.uniform(15, 140))))
        tags.append("fees")
    return txs


# the draft ---------------------------------------------------------------------------------------


def _period(rng: random.Random, today: date, months: int) -> tuple[date, date]:
    start_day = 1 if chance(rng, 0.55) else rng.randint(2, 28)
    start = date(today.year, today.month, start_day)
    while add_months(start, months) - timedelta(days=1) >= today:
        start = add_months(start, -1)
    back = 0 if chance(rng, 0.5) else 1 if chance(rng, 0.5) else rng.randint(2, 6)
    start = add_months(start, -back * months)
    return start, add_months(start, months) - timedelta(days=1)


def post(rng: random.Random, opening: int, txs: list[Tx], credits_first: bool) -> list[Tx]:
    """The transactions in posting order with running balances, overdraft fees added where a debit
    takes the balance below zero (up to three a day)."""
    ordered = sorted(txs, key=lambda t: (t.day, (t.amount < 0) if credits_first else 0))
    out, balance, fees_today, fee_day = [], opening, 0, None
    for tx in ordered:
        balance += tx.amount
        out.append(replace(tx, balance=balance))
        if fee_day != tx.day:
            fee_day, fees_today = tx.day, 0
        if tx.amount < 0 and balance < 0 and fees_today < 3 and "FEE" not in tx.description:
            balance -= 3500
            fees_today += 1
            out.append(Tx(tx.day, pick(rng, ["OVERDRAFT FEE", "OVERDRAFT ITEM FEE"]), -3500, balance))
    return out


def draft(rng: random.Random, today: date) -> tuple[Draft, dict]:
    kind = pick(rng, ["personal", "savings", "business"], [0.65, 0.1, 0.25])
    tags = [f"account_{kind}"]
    months = 3 if kind == "savings" and chance(rng, 0.3) else 1
    if months == 3:
        tags.append("quarterly_statement")
    start, end = _period(rng, today, months)
    roll = rng.random()
    if roll < 0.45:
        _, printed, _, _ = pick(rng, LARGE_BANKS)
        bank = pick(rng, printed)
    elif roll < 0.65:
        bank = pick(rng, ONLINE_BANKS)
    else:
        kind_name = pick(rng, ["Federal Credit Union", "Credit Union", "Community Bank", "State Bank"])
        bank = f"{pick(rng, COMMUNITY_WORDS)} {kind_name}"
    if kind == "business":
        holder = business_name(rng, chains=False)
        opening = cents(rng.lognormvariate(math.log(35000), 1.1))
    else:
        holder = person_name(rng)
        if chance(rng, 0.08):
            holder = f"{holder} {pick(rng, ['and', '&', 'OR'])} {person_name(rng)}"
        median = 2500 if kind == "personal" else 9000
        opening = cents(rng.lognormvariate(math.log(median), 1.1))
        if kind == "personal" and chance(rng, 0.1):
            opening = cents(rng.uniform(-250, 350))
    if chance(rng, 0.02):
        txs: list[Tx] = []
        tags.append("no_transactions")
    elif kind == "personal":
        txs = _personal(rng, start, end, tags)
    elif kind == "savings":
        txs = _savings(rng, start, end, opening, tags)
    else:
        txs = _business(rng, start, end, tags)
    credits_first = chance(rng, 0.5)
    posted = post(rng, opening, txs, credits_first)
    overdraft_prone = chance(rng, 0.1 if kind == "personal" else 0.02)
    low = min((t.balance for t in posted), default=opening)
    if not overdraft_prone and low < 0:  # most people keep enough in the account: start this one higher
        opening += -low + cents(rng.lognormvariate(math.log(400), 1.0))
        posted = post(rng, opening, txs, credits_first)
    elif overdraft_prone and any(t.amount < 0 for t in txs):
        # living close to zero: overdrawn by a little at the month's low point (a bank declines more than that)
        opening += -cents(rng.uniform(20, 900)) - low
        posted = post(rng, opening, txs, credits_first)
    if any(t.description.startswith("OVERDRAFT") for t in posted):
        tags += ["overdraft", "fees"]
    if len(posted) <= 5:
        tags.append("few_transactions")
    if len(posted) >= 100:
        tags.append("many_transactions")
    length = rng.randint(9, 13)
    account = f"{rng.randint(1, 10**length - 1):0{length}d}"
    values = {
        "bank_name": bank,
        "account_holder": holder,
        "account_number": account,
        "statement_start": start,
        "statement_end": end,
        "opening_balance": opening,
        "transactions": posted,
    }
    summarise(values)
    return Draft(values, sorted(set(tags), key=tags.index)), {"today": today}


def summarise(v: dict) -> None:
    """Closing balance and totals from the opening balance and the transactions."""
    txs = v["transactions"]
    v["total_deposits"] = sum(t.amount for t in txs if t.amount > 0)
    v["total_withdrawals"] = -sum(t.amount for t in txs if t.amount < 0)
    v["closing_balance"] = v["opening_balance"] + v["total_deposits"] - v["total_withdrawals"]


def rebalance(v: dict) -> None:
    balance = v["opening_balance"]
    for i, tx in enumerate(v["transactions"]):
        balance += tx.amount
        v["transactions"][i] = replace(tx, balance=balance)


# fraud -------------------------------------------------------------------------------------------

# In the order two patterns are applied: a subtle duplicate redoes every figure, so it goes first.
PATTERNS = {
    "duplicated_transactions": (SUBTLE, OBVIOUS),
    "balances_do_not_reconcile": (SUBTLE, OBVIOUS),
    "totals_do_not_match_transactions": (SUBTLE, OBVIOUS),
    "running_balance_jump": (SUBTLE, OBVIOUS),
    "future_statement_end": (SUBTLE, OBVIOUS),
    "transactions_outside_period": (SUBTLE, OBVIOUS),
}
EXCLUSIVE = {frozenset({"future_statement_end", "transactions_outside_period"})}
SUMMARY = ("opening_balance", "closing_balance", "total_deposits", "total_withdrawals", "transactions")


class NotApplicable(Exception):
    """The pattern needs something this statement does not have (transactions, a deposit)."""


def apply_fraud(rng: random.Random, d: Draft, context: dict, pattern: str, level: str) -> None:
    v, subtle, today, txs = d.values, level == SUBTLE, context["today"], d.values["transactions"]
    deposits = [i for i, t in enumerate(txs) if t.amount > 0]
    if pattern == "balances_do_not_reconcile":
        closing = v["closing_balance"]
        if subtle:
            v["closing_balance"] += max(cents(rng.uniform(150, 2500)), half_up(abs(closing) * rng.uniform(0.05, 0.2)))
        else:
            v["closing_balance"] = max(abs(closing), 100_000) * rng.randint(3, 20) + cents(rng.uniform(0, 999))
        d.touched |= set(SUMMARY)
    elif pattern == "totals_do_not_match_transactions":
        if not txs:
            raise NotApplicable
        if subtle:  # more money through the account; the summary box still adds up
            extra = max(cents(rng.uniform(200, 3000)), half_up(v["total_deposits"] * rng.uniform(0.05, 0.15)))
            v["total_deposits"] += extra
            v["total_withdrawals"] += extra
        else:
            extra = max(v["total_deposits"], 100_000) * rng.randint(1, 3)
            v["total_deposits"] += extra
            v["closing_balance"] += extra
        d.touched |= set(SUMMARY)
    elif pattern == "running_balance_jump":
        if len(txs) < 2:
            raise NotApplicable
        k = rng.randrange(1, len(txs))
        jump = cents(rng.uniform(200, 2500)) if subtle else cents(rng.uniform(10_000, 80_000))
        for i in range(k, len(txs)):
            txs[i] = replace(txs[i], balance=txs[i].balance + jump)
        v["closing_balance"] += jump
        d.touched |= set(SUMMARY) | {"all_balances"}
    elif pattern == "duplicated_transactions":
        if not deposits:
            raise NotApplicable
        if subtle:  # a deposit entered twice, every figure recomputed to match
            i = max(deposits, key=lambda j: txs[j].amount)
            txs.insert(i + 1, replace(txs[i]))
            rebalance(v)
            summarise(v)
        else:  # several deposits pasted in again, balances copied with them
            for i in sorted(rng.sample(deposits, min(len(deposits), rng.randint(3, 6))), reverse=True):
                txs.insert(i + 1, replace(txs[i]))
            v["total_deposits"] = sum(t.amount for t in txs if t.amount > 0)
        d.touched |= set(SUMMARY) | {"all_balances"}
    elif pattern == "future_statement_end":
        shift = today + timedelta(days=rng.randint(3, 25) if subtle else rng.randint(60, 400)) - v["statement_end"]
        v["statement_start"] += shift
        v["statement_end"] += shift
        v["transactions"] = [replace(t, day=t.day + shift) for t in txs]
        d.touched |= {"statement_end", "statement_start"}
    elif pattern == "transactions_outside_period":
        if len(txs) < 2:
            raise NotApplicable
        if subtle:  # the last line or two posted a few days after the period closed
            for i in range(len(txs) - rng.randint(1, min(2, len(txs) - 1)), len(txs)):
                txs[i] = replace(txs[i], day=v["statement_end"] + timedelta(days=rng.randint(1, 6)))
        else:
            months = pick(rng, [-12, -6, -3, 3, 5, 12])
            for i in rng.sample(range(len(txs)), max(2, len(txs) // 3)):
                txs[i] = replace(txs[i], day=add_months(txs[i].day, months))
        d.touched |= {"statement_end", "statement_start", "transactions"}
    else:
        raise ValueError(f"unknown bank statement pattern {pattern}")


# rendering ---------------------------------------------------------------------------------------


def render(rng: random.Random, d: Draft, context: dict) -> dict:
    v, spell, tags = d.values, Spelling(rng), d.variation
    mode = pick(rng, ["every", "end_of_day", "none"], [0.8, 0.15, 0.05]) if "all_balances" not in d.touched else "every"
    if mode != "every" and v["transactions"]:
        tags.append(f"running_balance_{mode}")
    newest_first = chance(rng, 0.2)
    rows = []
    txs = v["transactions"]
    for i, tx in enumerate(txs):
        last_of_day = i + 1 == len(txs) or txs[i + 1].day != tx.day
        show = mode == "every" or (mode == "end_of_day" and last_of_day)
        rows.append(
            {
                "date": spell.date(tx.day),
                "description": tx.description,
                "amount": spell.amount(tx.amount, signed=True),
                "balance": spell.amount(tx.balance) if show and tx.balance is not None else None,
            }
        )
    if newest_first and rows:
        rows.reverse()
        tags.append("newest_first")
    if rows and chance(rng, 0.03) and "transactions" not in d.touched:  # OCR lost a cell or two of the table
        for row in rng.sample(rows, min(len(rows), rng.randint(1, 3))):
            cell = pick(rng, ["balance", "description", "date", "amount"], [0.5, 0.25, 0.15, 0.1])
            row[cell] = None
            tags.append(f"ocr_dropped:transactions.{cell}")
    rows = [{k: val for k, val in row.items() if val is not None} for row in rows]
    account = v["account_number"]
    if chance(rng, 0.12):
        account = pick(rng, ["XXXXXX", "******", "...", "x"]) + account[-4:]
        tags.append("masked_account_number")
    withdrawals = spell.amount(v["total_withdrawals"])
    if chance(rng, 0.1) and v["total_withdrawals"]:
        withdrawals = spell.amount(-v["total_withdrawals"])
        tags.append("withdrawals_printed_negative")
    doc = {
        "bank_name": v["bank_name"],
        "account_holder": v["account_holder"],
        "account_number": account,
        "statement_start": spell.date(v["statement_start"]),
        "statement_end": spell.date(v["statement_end"]),
        "opening_balance": spell.amount(v["opening_balance"]),
        "closing_balance": spell.amount(v["closing_balance"]),
        "total_deposits": spell.amount(v["total_deposits"]),
        "total_withdrawals": withdrawals,
        "transactions": rows,
    }
    return apply_ocr(
        doc,
        rng,
        tags,
        protected=d.touched,
        amount_fields=("opening_balance", "closing_balance", "total_deposits", "total_withdrawals"),
        text_fields=("bank_name", "account_holder"),
        digit_fields=("account_number",),
    )
