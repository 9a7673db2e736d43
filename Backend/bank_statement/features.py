"""Bank statement features: the reconciliation and ledger checks a fraud analyst makes on a statement."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bank_statement.fields import BankStatementFields, Transaction
from domain.features import MISSING, FeatureExtractor, FeatureSpec, Reason, days_between, flag, is_round_amount, ratio

CENT = 0.01 + 1e-6  # figures must agree to the cent; the 1e-6 absorbs float rounding in sums
LARGE_DEPOSIT = 1000.0
ROUND_DEPOSIT_UNIT = 100.0


@dataclass
class Ledger:
    """What one pass over the transaction lines finds."""

    count: int = 0
    incomplete: int = 0  # lines missing a date, amount or balance
    amounts_complete: bool = False  # every line has an amount, so the sums below are the statement's
    deposit_sum: float = 0.0
    withdrawal_sum: float = 0.0  # positive
    balance_breaks: int = 0
    last_balance: float | None = None  # the chronologically last line's balance
    outside_period: int = 0
    duplicates: int = 0
    duplicate_deposit_sum: float = 0.0
    round_deposits: int = 0
    round_deposit_sum: float = 0.0
    negative_balances: int = 0


def scan_transactions(
    transactions: Sequence[Transaction],
    opening: float | None,
    start: date | None,
    end: date | None,
) -> Ledger:
    """One pass over the lines, in statement order.

    Statements list lines oldest first or newest first; the order the dates mostly follow
    decides which (the balances do when the dates cannot). Running balances are checked
    both ways in the same pass and the count for the detected order is kept. After a
    break the next line is checked against the stated balance, so one edited line counts
    once, not for every line after it.
    """
    ledger = Ledger(count=len(transactions), amounts_complete=bool(transactions))
    seen: set[tuple[date, float, str | None]] = set()
    oldest_first_breaks = newest_first_breaks = ascending = descending = 0
    previous: Transaction | None = None
    for line in transactions:
        day, amount, balance = line.date, line.amount, line.balance
        if day is None or amount is None or balance is None:
            ledger.incomplete += 1
        if amount is None:
            ledger.amounts_complete = False
        else:
            if amount >= 0:
                ledger.deposit_sum += amount
                if amount >= LARGE_DEPOSIT and is_round_amount(amount, ROUND_DEPOSIT_UNIT):
                    ledger.round_deposits += 1
                    ledger.round_deposit_sum += amount
            else:
                ledger.withdrawal_sum -= amount
        if balance is not None and balance < 0:
            ledger.negative_balances += 1
        if day is not None:
            if (start is not None and day < start) or (end is not None and day > end):
                ledger.outside_period += 1
            if amount is not None:
                key = (day, amount, line.description)
                if key in seen:
                    ledger.duplicates += 1
                    if amount > 0:
                        ledger.duplicate_deposit_sum += amount
                else:
                    seen.add(key)
        # Oldest first: this balance is the previous line's balance (the opening one for the first) plus this amount.
        before = opening if previous is None else previous.balance
        if before is not None and amount is not None and balance is not None and abs(before + amount - balance) > CENT:
            oldest_first_breaks += 1
        if previous is not None:
            # Newest first: the previous line's balance is this balance plus the previous line's amount.
            if (
                previous.balance is not None
                and previous.amount is not None
                and balance is not None
                and abs(balance + previous.amount - previous.balance) > CENT
            ):
                newest_first_breaks += 1
            if previous.date is not None and day is not None:
                ascending += day > previous.date
                descending += day < previous.date
        previous = line
    if not transactions:
        return ledger
    last = transactions[-1]
    # Newest first, the last line is the oldest: its balance is the opening balance plus its amount.
    if opening is not None and last.amount is not None and last.balance is not None:
        newest_first_breaks += abs(opening + last.amount - last.balance) > CENT
    # Dates decide the order; when they do not (all on one day), the balances do.
    newest_first = descending > ascending or (descending == ascending and newest_first_breaks < oldest_first_breaks)
    ledger.balance_breaks = newest_first_breaks if newest_first else oldest_first_breaks
    ledger.last_balance = (transactions[0] if newest_first else last).balance
    return ledger


class BankStatementFeatureExtractor(FeatureExtractor):
    schema = BankStatementFields
    amount_fields = ("opening_balance", "closing_balance", "total_deposits", "total_withdrawals")
    features = (
        FeatureSpec("transaction_count", "How many transaction lines the statement lists."),
        FeatureSpec("incomplete_transaction_count", "Transaction lines missing a date, amount or balance."),
        FeatureSpec("log_total_deposits", "log10(1 + stated total deposits); -1 when missing."),
        FeatureSpec(
            "deposits_to_withdrawals_ratio",
            "Stated total deposits over stated total withdrawals; -1 when either is missing or withdrawals are 0.",
        ),
        FeatureSpec(
            "reconciliation_error",
            "|opening + deposits - withdrawals - closing| over the largest of those four stated figures; "
            "-1 when any is missing.",
        ),
        FeatureSpec(
            "reconciliation_off",
            "1 when opening + deposits - withdrawals misses the closing balance by more than a cent.",
        ),
        FeatureSpec(
            "deposit_total_error",
            "|sum of deposit lines - stated total deposits| over the stated total; -1 when either is unavailable.",
        ),
        FeatureSpec(
            "withdrawal_total_error",
            "|sum of withdrawal lines - stated total withdrawals| over the stated total; "
            "-1 when either is unavailable.",
        ),
        FeatureSpec(
            "totals_mismatch", "1 when the lines' deposits or withdrawals miss the stated totals by more than a cent."
        ),
        FeatureSpec(
            "running_balance_break_count",
            "Lines whose balance is not the previous balance (the opening one for the first) plus the amount.",
        ),
        FeatureSpec("running_balance_broken", "1 when any line breaks the running balance by more than a cent."),
        FeatureSpec("closing_differs_from_last_balance", "1 when the last line's balance is not the closing balance."),
        FeatureSpec("outside_period_count", "Lines dated before the statement starts or after it ends."),
        FeatureSpec("outside_period", "1 when any line is dated outside the statement period."),
        FeatureSpec("duplicate_transaction_count", "Lines repeating an earlier one's date, amount and description."),
        FeatureSpec("duplicate_transactions", "1 when any line repeats an earlier one."),
        FeatureSpec(
            "duplicate_deposit_share",
            "Deposits on repeated lines over all deposit lines; -1 when the lines deposit nothing.",
        ),
        FeatureSpec(
            "large_round_deposit_count",
            f"Deposit lines of at least {LARGE_DEPOSIT:,.0f} that are whole multiples of {ROUND_DEPOSIT_UNIT:,.0f}.",
        ),
        FeatureSpec("large_round_deposits", "1 when there is any large round-number deposit line."),
        FeatureSpec(
            "large_round_deposit_share",
            "Large round-number deposits over all deposit lines; -1 when the lines deposit nothing.",
        ),
        FeatureSpec("negative_balance_count", "Lines whose running balance is below zero."),
        FeatureSpec("statement_end_in_future", "1 when the statement ends after today."),
        FeatureSpec(
            "period_length_days",
            "Days from statement start to statement end; -1 when either is missing, -2 when reversed.",
        ),
        FeatureSpec("period_reversed", "1 when the statement period ends before it starts."),
    )

    def compute(self, doc: BankStatementFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        opening, closing = doc.opening_balance, doc.closing_balance
        deposits = doc.total_deposits
        withdrawals = None if doc.total_withdrawals is None else abs(doc.total_withdrawals)
        start, end = doc.statement_start, doc.statement_end
        ledger = scan_transactions(doc.transactions or (), opening, start, end)

        values["transaction_count"] = float(ledger.count)
        values["incomplete_transaction_count"] = float(ledger.incomplete)
        has_deposits = deposits is not None and deposits >= 0
        values["log_total_deposits"] = math.log10(1 + deposits) if has_deposits else MISSING
        values["deposits_to_withdrawals_ratio"] = ratio(deposits, withdrawals)

        self._reconciliation(values, reasons, opening, deposits, withdrawals, closing)
        self._totals(values, reasons, ledger, deposits, withdrawals)

        breaks = ledger.balance_breaks
        values["running_balance_break_count"] = float(breaks)
        values["running_balance_broken"] = flag(breaks > 0)
        if breaks:
            reasons.append(
                Reason(
                    "RUNNING_BALANCE_BREAK",
                    f"{breaks} transaction(s) whose balance is not the previous balance plus the amount",
                )
            )
        last = ledger.last_balance
        closing_differs = closing is not None and last is not None and abs(closing - last) > CENT
        values["closing_differs_from_last_balance"] = flag(closing_differs)
        if closing_differs:
            reasons.append(
                Reason(
                    "CLOSING_BALANCE_MISMATCH",
                    f"The last transaction's balance ({last:,.2f}) is not the closing balance ({closing:,.2f})",
                )
            )

        outside = ledger.outside_period
        values["outside_period_count"] = float(outside)
        values["outside_period"] = flag(outside > 0)
        if outside:
            reasons.append(
                Reason("TRANSACTION_OUTSIDE_PERIOD", f"{outside} transaction(s) dated outside the statement period")
            )

        duplicates = ledger.duplicates
        values["duplicate_transaction_count"] = float(duplicates)
        values["duplicate_transactions"] = flag(duplicates > 0)
        values["duplicate_deposit_share"] = ratio(ledger.duplicate_deposit_sum, ledger.deposit_sum)
        if duplicates:
            reasons.append(
                Reason(
                    "DUPLICATE_TRANSACTIONS",
                    f"{duplicates} transaction(s) repeat another's date, amount and description",
                )
            )

        rounds = ledger.round_deposits
        values["large_round_deposit_count"] = float(rounds)
        values["large_round_deposits"] = flag(rounds > 0)
        values["large_round_deposit_share"] = ratio(ledger.round_deposit_sum, ledger.deposit_sum)
        if rounds:
            reasons.append(
                Reason(
                    "LARGE_ROUND_DEPOSITS",
                    f"{rounds} large round-number deposit(s) totalling {ledger.round_deposit_sum:,.2f}",
                )
            )

        values["negative_balance_count"] = float(ledger.negative_balances)

        future = end is not None and end > today
        values["statement_end_in_future"] = flag(future)
        if future:
            reasons.append(Reason("STATEMENT_END_IN_FUTURE", f"Statement end {end.isoformat()} is in the future"))
        # Compare the dates, not the length: a period reversed by one day is -1 days long, which reads as MISSING.
        reversed_period = start is not None and end is not None and end < start
        values["period_length_days"] = -2.0 if reversed_period else days_between(start, end)
        values["period_reversed"] = flag(reversed_period)
        if reversed_period:
            reasons.append(Reason("STATEMENT_PERIOD_REVERSED", "Statement period ends before it starts"))

    @staticmethod
    def _reconciliation(values, reasons, opening, deposits, withdrawals, closing) -> None:
        if opening is None or deposits is None or withdrawals is None or closing is None:
            values["reconciliation_error"] = MISSING
            values["reconciliation_off"] = 0.0
            return
        gap = round(opening + deposits - withdrawals - closing, 2)
        scale = max(abs(opening), abs(closing), abs(deposits), withdrawals, 1.0)
        values["reconciliation_error"] = abs(gap) / scale
        off = abs(gap) > CENT
        values["reconciliation_off"] = flag(off)
        if off:
            reasons.append(
                Reason(
                    "BALANCE_DOES_NOT_RECONCILE",
                    f"Opening balance plus deposits minus withdrawals misses the closing balance by {gap:,.2f}",
                )
            )

    @staticmethod
    def _totals(values, reasons, ledger: Ledger, deposits, withdrawals) -> None:
        usable = ledger.amounts_complete
        deposit_gap = round(ledger.deposit_sum - deposits, 2) if usable and deposits is not None else None
        withdrawal_gap = round(ledger.withdrawal_sum - withdrawals, 2) if usable and withdrawals is not None else None
        values["deposit_total_error"] = MISSING if deposit_gap is None else abs(deposit_gap) / max(abs(deposits), 1.0)
        values["withdrawal_total_error"] = (
            MISSING if withdrawal_gap is None else abs(withdrawal_gap) / max(withdrawals, 1.0)
        )
        off = [
            f"{label} off by {gap:,.2f}"
            for label, gap in (("deposits", deposit_gap), ("withdrawals", withdrawal_gap))
            if gap is not None and abs(gap) > CENT
        ]
        values["totals_mismatch"] = flag(bool(off))
        if off:
            reasons.append(
                Reason(
                    "TRANSACTIONS_DO_NOT_MATCH_TOTALS",
                    "Transaction lines do not add up to the stated totals: " + ", ".join(off),
                )
            )
