"""The ledger checks of a bank statement: running balances, totals and what can still be checked.

A statement lists its lines oldest first or newest first; it prints the running balance on
every line, on a day's last line only, or not at all; lines of one day may be listed in any
order; pending lines are left out of its totals and balances; and OCR drops or misreads a
value now and then. None of that is evidence of an edit, so the checks here work day by day,
accept any listing order within a day, skip (and count) what a dropped value leaves
unverifiable, and tell a gap that one misread digit explains from any other gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from bank_statement.fields import Transaction

CENT = 0.01 + 1e-6  # figures must agree to the cent; the 1e-6 absorbs float rounding in sums
MAX_SUBSET_LINES = 12  # a day's lines searched for the balances a partly printed day passes through
MAX_CANDIDATES = 8  # balances a day may end on after an unverifiable stretch; more adds nothing but time

# Digits OCR confuses for one another (either way round): 1 for 7, 3 for 8, 5 for 6...
_LOOKALIKE_PAIRS = ("08", "06", "09", "17", "14", "38", "35", "56", "58", "68", "89", "27", "49", "23")
LOOKALIKE_DIGITS = frozenset(pair for p in _LOOKALIKE_PAIRS for pair in ((p[0], p[1]), (p[1], p[0])))


def close(a: float, b: float) -> bool:
    """True when two amounts agree to the cent."""
    return abs(a - b) <= CENT


def one_digit_gap(gap: float) -> bool:
    """True when `gap` is one non-zero digit in one place (0.04, 3.00, 500.00...): the only gaps a single
    misread digit leaves. A cheap test that rules out nearly every other gap before digits are compared."""
    cents = abs(round(gap * 100))
    if cents == 0:
        return False
    while cents % 10 == 0:
        cents //= 10
    return cents < 10


def one_digit_misread(stated: float, true: float) -> bool:
    """True when `stated` is `true` with exactly one digit read as a look-alike (1,234.56 read as 7,234.56).

    The sign and the number of digits must be the same: a misread swaps a character, it adds none.
    """
    if (stated < 0) != (true < 0) or not one_digit_gap(stated - true):
        return False
    read, real = str(abs(round(stated * 100))), str(abs(round(true * 100)))
    if len(read) != len(real):
        return False
    differing = [(a, b) for a, b in zip(read, real) if a != b]
    return len(differing) == 1 and differing[0] in LOOKALIKE_DIGITS


def is_pending(line: Transaction) -> bool:
    """A line the bank has not posted yet: marked pending, or described as such."""
    return bool(line.pending) or (line.description is not None and "PENDING" in line.description.upper())


@dataclass
class Chain:
    """What following the running balances day by day finds.

    `breaks` counts days (or lines, when a day shows every balance) that contradict the amounts;
    `explained` counts those a one-digit misread accounts for; `unverifiable` counts days a dropped
    amount, date or balance leaves unchecked; `end` holds the balances the last day may end on
    (None when unknown); `first_gap` is the first break's (expected, stated) balance.
    """

    breaks: int = 0
    explained: int = 0
    unverifiable: int = 0
    end: tuple[float, ...] | None = None
    first_gap: tuple[float, float] | None = None


def group_days(lines: Sequence[Transaction]) -> list[list[Transaction]]:
    """Consecutive lines of one date, in the order given; an undated line joins the day before it."""
    days: list[list[Transaction]] = []
    for line in lines:
        if days and (line.date is None or line.date == days[-1][-1].date or days[-1][-1].date is None):
            days[-1].append(line)
        else:
            days.append([line])
    return days


def _line_misread(line: Transaction, need: float, pool: Sequence[float]) -> bool:
    """Whether one misread digit, in this line's amount or balance or in an earlier balance, closes its gap."""
    return any(
        one_digit_misread(line.balance, before + line.amount)
        or one_digit_misread(line.amount, line.balance - before)
        or one_digit_misread(before, need)
        for before in pool
    )


def _day_end_misread(
    day: Sequence[Transaction], before: Sequence[float], stated: Sequence[float], expected: Sequence[float]
) -> bool:
    """Whether one misread digit, in a stated balance, the balance before or one of the day's amounts,
    explains the day's end."""
    for balance in stated[-MAX_CANDIDATES:]:
        for end in expected:
            gap = balance - end
            if (
                one_digit_misread(balance, end)
                or any(one_digit_misread(b, b + gap) for b in before)
                or any(line.amount is not None and one_digit_misread(line.amount, line.amount + gap) for line in day)
            ):
                return True
    return False


def _reachable(day: Sequence[Transaction], before: Sequence[float]) -> bool:
    """Whether every balance shown on a day whose other balances are not shown is one the day passes
    through: an earlier balance plus the line's amount plus some of the day's other amounts, in any order.

    Days of more than MAX_SUBSET_LINES lines are not searched (2^n orders): they count as passable.
    """
    if len(day) > MAX_SUBSET_LINES:
        return True
    for i, line in enumerate(day):
        if line.balance is None:
            continue
        if line.amount is None:
            return True  # an unread amount on the day: anything is reachable
        sums = {0}
        for j, other in enumerate(day):
            if j != i and other.amount is not None:
                cents = round(other.amount * 100)
                sums |= {s + cents for s in sums}
        needed = [round((line.balance - line.amount - b) * 100) for b in before]
        if not any(n + d in sums for n in needed for d in (-1, 0, 1)):
            return False
    return True


def _unique(values: Iterable[float]) -> tuple[float, ...]:
    """Distinct amounts (to the cent), the latest MAX_CANDIDATES kept."""
    kept: dict[int, float] = {}
    for value in values:
        kept.setdefault(round(value * 100), value)
    return tuple(list(kept.values())[-MAX_CANDIDATES:])


def _check_lines(day: Sequence[Transaction], before: tuple[float, ...] | None, chain: Chain) -> int:
    """Lines of a day showing every balance whose balance is no earlier balance plus their amount.

    Any order within the day is accepted: a line's previous balance may be the day before's or any
    other balance of the same day. When nothing came before (no opening balance), the day's first
    line cannot be checked, so one failing line is forgiven.
    """
    stated = [line.balance for line in day]
    pool = stated + list(before or ())
    pool_cents = {round(p * 100) for p in pool}  # a set: a day may have thousands of lines
    failing = explained = 0
    for line in day:
        if line.amount is None:
            continue
        need = line.balance - line.amount
        cents = round(need * 100)
        if cents in pool_cents or cents - 1 in pool_cents or cents + 1 in pool_cents:
            continue
        failing += 1
        if failing <= 2:  # one misread figure fails at most two lines: beyond that none explains them
            explained += _line_misread(line, need, pool)
        if chain.first_gap is None and before:
            nearest = min(pool, key=lambda p: abs(p + line.amount - line.balance))
            chain.first_gap = (round(nearest + line.amount, 2), round(line.balance, 2))
    if before is None and failing:
        failing -= 1
        explained = min(explained, failing)
    chain.explained += explained
    return failing


def follow_in_order(lines: Sequence[Transaction], opening: float | None) -> Chain | None:
    """The common case in one pass: every line has an amount and every balance shown is the one before plus
    the amounts since, in the order given. None when anything needs the day-by-day check (`follow_balances`),
    which finds the same on such a statement, only slower."""
    if opening is None or not lines:
        return None
    balance = opening
    for line in lines:
        if line.amount is None:
            return None
        balance += line.amount
        if line.balance is not None:
            if abs(balance - line.balance) > CENT:
                return None
            balance = line.balance
    return Chain(end=(balance,))


def follow_balances(days: Sequence[list[Transaction]], opening: float | None) -> Chain:
    """Follow the running balance day by day from `opening` (None when unknown); see Chain."""
    chain = Chain()
    before: tuple[float, ...] | None = None if opening is None else (opening,)
    for day in days:
        stated = [line.balance for line in day if line.balance is not None]
        complete = all(line.amount is not None for line in day)
        undated = any(line.date is None for line in day)
        expected = None
        if before and complete:
            net = sum(line.amount for line in day)
            expected = (before[0] + net,) if len(before) == 1 else _unique(b + net for b in before)
        failing = _check_lines(day, before, chain) if stated and len(stated) == len(day) else 0
        if expected is None:
            chain.unverifiable += not complete  # a dropped amount; an unknown opening balance is no line's fault
            end = _unique(stated) if stated else None
        elif not stated:
            end = expected
        elif matched := _unique(s for s in stated if any(close(s, e) for e in expected)):
            end = matched
        elif undated or (len(stated) < len(day) and _reachable(day, before)):
            # a dropped balance (or date) may be the day's last one: the balances shown are ones the day
            # passes through, so nothing contradicts the amounts
            chain.unverifiable += 1
            end = expected
        else:
            if not failing:
                failing = 1
                chain.explained += _day_end_misread(day, before, stated, expected)
                if chain.first_gap is None:
                    chain.first_gap = (round(expected[0], 2), round(stated[-1], 2))
            end = _unique((*expected, *stated))  # the next day may follow either: one edit counts once
        chain.breaks += failing
        before = end
    chain.end = before if days else None  # no lines: nothing says where they end
    return chain


@dataclass
class Ledger:
    """What the transaction lines say, once ordered oldest first (pending lines set apart)."""

    count: int = 0
    posted: list[Transaction] = field(default_factory=list)
    pending: list[Transaction] = field(default_factory=list)
    newest_first: bool = False
    chain: Chain = field(default_factory=Chain)
    days: list[list[Transaction]] = field(default_factory=list)

    @property
    def opening_recoverable(self) -> bool:
        """The first day shows a balance and every amount, so the opening balance can be worked out."""
        return (
            bool(self.days)
            and any(line.balance is not None for line in self.days[0])
            and all(line.amount is not None for line in self.days[0])
        )

    @property
    def last_balance(self) -> float | None:
        """The balance the lines end on, when they show one."""
        for day in reversed(self.days):
            shown = [line.balance for line in day if line.balance is not None]
            if shown:
                return shown[-1]
        return None


def _newest_first(lines: Sequence[Transaction]) -> bool | None:
    """True or False when the dates say which way the lines run; None when they cannot (one day, no dates)."""
    ascending = descending = 0
    dated = [line.date for line in lines if line.date is not None]
    for earlier, later in zip(dated, dated[1:]):
        ascending += later > earlier
        descending += later < earlier
    return None if ascending == descending else descending > ascending


def read_ledger(transactions: Sequence[Transaction], opening: float | None) -> Ledger:
    """Order the posted lines oldest first (by their dates, or by their balances when the dates cannot
    tell) and follow their running balances from `opening`."""
    ledger = Ledger(count=len(transactions))
    for line in transactions:
        (ledger.pending if is_pending(line) else ledger.posted).append(line)
    order = _newest_first(ledger.posted)
    candidates = [False, True] if order is None else [order]
    best: tuple[int, bool, list[list[Transaction]], Chain] | None = None
    for newest_first in candidates:
        lines = ledger.posted[::-1] if newest_first else ledger.posted
        days = group_days(lines)
        chain = follow_in_order(lines, opening) or follow_balances(days, opening)
        if best is None or chain.breaks < best[0]:
            best = (chain.breaks, newest_first, days, chain)
    _, ledger.newest_first, ledger.days, ledger.chain = best
    if ledger.newest_first:
        ledger.posted.reverse()
    return ledger


@dataclass
class LineStats:
    """Counts and sums over the posted lines, taken in one pass (a busy statement has hundreds of lines)."""

    missing_amount: int = 0
    missing_date: int = 0
    shown_balances: int = 0
    negative_balances: int = 0
    deposits: float = 0.0
    withdrawals: float = 0.0  # positive
    pending_deposits: float = 0.0
    pending_withdrawals: float = 0.0
    duplicates: int = 0
    duplicate_deposits: float = 0.0
    round_deposits: list[float] = field(default_factory=list)
    outside: int = 0
    furthest_outside_days: int = 0
    furthest_outside_date: date | None = None


def line_stats(ledger: Ledger, start: date | None, end: date | None, large_deposit: float, unit: float) -> LineStats:
    """LineStats of `ledger`: round deposits are those of at least `large_deposit` in whole `unit`s; a line
    repeats another when its date, amount and description are the same."""
    stats = LineStats()
    seen: set[tuple[date, float, str | None]] = set()
    for line in ledger.posted:
        day, amount, balance = line.date, line.amount, line.balance
        if balance is not None:
            stats.shown_balances += 1
            stats.negative_balances += balance < 0
        if amount is None:
            stats.missing_amount += 1
        elif amount >= 0:
            stats.deposits += amount
            if amount >= large_deposit and amount % unit == 0:
                stats.round_deposits.append(amount)
        else:
            stats.withdrawals -= amount
        if day is None:
            stats.missing_date += 1
            continue
        outside = (start - day).days if start is not None and day < start else 0
        outside = (day - end).days if end is not None and day > end else outside
        if outside:
            stats.outside += 1
            if outside > stats.furthest_outside_days:
                stats.furthest_outside_days, stats.furthest_outside_date = outside, day
        if amount is not None:
            key = (day, amount, line.description)
            if key in seen:
                stats.duplicates += 1
                stats.duplicate_deposits += max(amount, 0.0)
            seen.add(key)
    for line in ledger.pending:
        if line.amount is not None:
            if line.amount >= 0:
                stats.pending_deposits += line.amount
            else:
                stats.pending_withdrawals -= line.amount
    return stats
