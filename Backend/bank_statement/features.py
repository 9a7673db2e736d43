"""Bank statement features: the reconciliation and ledger checks a fraud analyst makes on a statement.

Hard evidence (a figure that does not add up) is reported only when every value the check needs
was read; a gap a dropped value could explain is LEDGER_INCOMPLETE, and a gap one misread digit
explains is POSSIBLE_OCR_MISREAD, both soft. Counts are taken relative to the number of lines,
so a dormant account and a busy one look ordinary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from bank_statement.fields import BankStatementFields
from bank_statement.ledger import (
    CENT,
    Ledger,
    LineStats,
    close,
    line_stats,
    one_digit_gap,
    one_digit_misread,
    read_ledger,
)
from domain.features import (
    INCOMPLETE_DOCUMENT,
    MISSING,
    FeatureExtractor,
    FeatureSpec,
    Reason,
    flag,
    future_date_reason,
    period_features,
    ratio,
)

LARGE_DEPOSIT = 1000.0
ROUND_DEPOSIT_UNIT = 100.0
FUTURE_GRACE_DAYS = 1  # a statement dated "today" where the customer is may be tomorrow in UTC
OUTSIDE_PERIOD_CAP_DAYS = 60
MAX_RELATIVE_ERROR = 2.0  # relative errors are capped: beyond twice the stated figure, more says nothing
MAX_PERIOD_DAYS = 400
SUMMARY = ("opening_balance", "total_deposits", "total_withdrawals", "closing_balance")


@dataclass(frozen=True)
class Finding:
    """A figure that does not add up: reported as `code` (hard), or as POSSIBLE_OCR_MISREAD (soft) when
    `misread` (one look-alike digit would close the gap) and no other finding rules that out."""

    code: str
    misread: bool
    message: str
    fields: tuple[str, ...]
    expected: float | None
    actual: float | None


def _share(part: float, whole: float) -> float:
    """part / whole, MISSING when there is no whole."""
    return part / whole if whole else MISSING


def _relative(gap: float | None, scale: float | None) -> float:
    """|gap| over |scale| (at least 1), capped; MISSING when there is no gap to measure."""
    if gap is None or scale is None:
        return MISSING
    return min(abs(gap) / max(abs(scale), 1.0), MAX_RELATIVE_ERROR)


class BankStatementFeatureExtractor(FeatureExtractor):
    schema = BankStatementFields
    amount_fields = SUMMARY
    features = (
        FeatureSpec("has_opening_balance", "1 when the opening balance was extracted."),
        FeatureSpec("has_closing_balance", "1 when the closing balance was extracted."),
        FeatureSpec("has_total_deposits", "1 when the total deposits were extracted."),
        FeatureSpec("has_total_withdrawals", "1 when the total withdrawals were extracted."),
        FeatureSpec("has_transactions", "1 when at least one transaction line was extracted."),
        FeatureSpec("log_transaction_count", "log10(1 + transaction lines listed, pending ones included)."),
        FeatureSpec("pending_line_share", "Pending (not yet posted) lines over all lines; -1 when there are none."),
        FeatureSpec("missing_amount_share", "Posted lines without an amount over posted lines; -1 without lines."),
        FeatureSpec("missing_date_share", "Posted lines without a date over posted lines; -1 without lines."),
        FeatureSpec(
            "balance_shown_share",
            "Posted lines showing a running balance over posted lines (1 every line, lower once a day, 0 never); "
            "-1 without lines.",
        ),
        FeatureSpec("log_total_deposits", "log10(1 + stated total deposits); -1 when missing."),
        FeatureSpec(
            "deposit_share_of_flows",
            "Stated total deposits over stated deposits plus withdrawals; -1 when either is missing or both are 0.",
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
            f"|sum of posted deposit lines - stated total deposits| over the stated total, at most "
            f"{MAX_RELATIVE_ERROR:g}; -1 when either is unavailable.",
        ),
        FeatureSpec(
            "withdrawal_total_error",
            f"|sum of posted withdrawal lines - stated total withdrawals| over the stated total, at most "
            f"{MAX_RELATIVE_ERROR:g}; -1 when either is unavailable.",
        ),
        FeatureSpec(
            "totals_mismatch", "1 when the lines' deposits or withdrawals miss the stated totals by more than a cent."
        ),
        FeatureSpec(
            "running_balance_break_share",
            "Breaks of the running balance (a day's balances that are not the previous balance plus the "
            "amounts, in any order within the day) over posted lines; -1 without lines.",
        ),
        FeatureSpec("running_balance_broken", "1 when the running balance breaks anywhere it can be checked."),
        FeatureSpec(
            "closing_differs_from_last_balance",
            "1 when the balance the lines end on is not the closing balance.",
        ),
        FeatureSpec(
            "ledger_incomplete",
            "1 when a line without an amount, date or balance leaves a check of the lines undone.",
        ),
        FeatureSpec(
            "misread_explained_count",
            "Ledger checks that fail only by one digit OCR confuses for another (1 for 7, 3 for 8...).",
        ),
        FeatureSpec("outside_period_share", "Posted lines dated outside the statement period over posted lines."),
        FeatureSpec(
            "outside_period_max_days",
            f"The most days a line lies outside the period, at most {OUTSIDE_PERIOD_CAP_DAYS}; 0 when none does.",
        ),
        FeatureSpec("outside_period", "1 when any posted line is dated outside the statement period."),
        FeatureSpec(
            "duplicate_transaction_share",
            "Lines repeating an earlier one's date, amount and description, over posted lines.",
        ),
        FeatureSpec("duplicate_transactions", "1 when any line repeats an earlier one."),
        FeatureSpec(
            "duplicate_deposit_share",
            "Deposits on repeated lines over all deposit lines; -1 when the lines deposit nothing.",
        ),
        FeatureSpec(
            "large_round_deposits",
            f"1 when a deposit line of at least {LARGE_DEPOSIT:,.0f} is a whole multiple of {ROUND_DEPOSIT_UNIT:,.0f}.",
        ),
        FeatureSpec(
            "large_round_deposit_share",
            "Large round-number deposits over all deposit lines; -1 when the lines deposit nothing.",
        ),
        FeatureSpec(
            "negative_balance_share",
            "Running balances below zero (an overdraft) over lines showing a balance; -1 when none shows one.",
        ),
        FeatureSpec("statement_end_in_future", "1 when the statement ends after tomorrow."),
        FeatureSpec(
            "period_length_days",
            f"Days from statement start to statement end, at most {MAX_PERIOD_DAYS}; -1 when either is missing, "
            "-2 when reversed.",
        ),
        FeatureSpec("period_reversed", "1 when the statement period ends before it starts."),
    )

    def compute(self, doc: BankStatementFields, today: date, values: dict[str, float], reasons: list[Reason]) -> None:
        opening, closing = doc.opening_balance, doc.closing_balance
        deposits = doc.total_deposits
        withdrawals = None if doc.total_withdrawals is None else abs(doc.total_withdrawals)
        ledger = read_ledger(doc.transactions or (), opening)
        stats = line_stats(ledger, doc.statement_start, doc.statement_end, LARGE_DEPOSIT, ROUND_DEPOSIT_UNIT)

        self._presence(doc, ledger, values, reasons)
        self._line_shares(ledger, stats, values)
        values["log_total_deposits"] = math.log10(1 + deposits) if deposits is not None and deposits >= 0 else MISSING
        flows = (deposits or 0.0) + (withdrawals or 0.0) if deposits is not None and withdrawals is not None else 0.0
        values["deposit_share_of_flows"] = ratio(deposits, flows) if flows > 0 else MISSING

        findings: list[Finding] = []
        self._reconciliation(values, findings, opening, deposits, withdrawals, closing)
        self._totals(values, findings, ledger, stats, deposits, withdrawals)
        self._running_balance(values, findings, ledger, closing)
        self._report_gaps(values, reasons, findings)
        self._incomplete_ledger(values, reasons, ledger, stats)
        self._outside_period(values, reasons, ledger, stats, doc.statement_start, doc.statement_end)
        self._unusual_lines(values, reasons, ledger, stats)
        self._dates(values, reasons, doc.statement_start, doc.statement_end, today)

    # --- what is there ---------------------------------------------------------------------------------

    @staticmethod
    def _presence(doc: BankStatementFields, ledger: Ledger, values: dict[str, float], reasons: list[Reason]) -> None:
        """Presence flags, and the balances and lines a reviewer must ask for because nothing stands in for them.

        A missing opening balance is worked out from the first day's running balance, a missing closing
        balance from the last one; a statement without lines is a dormant account when it moves no money.
        """
        opening, closing = doc.opening_balance, doc.closing_balance
        values["has_opening_balance"] = flag(opening is not None)
        values["has_closing_balance"] = flag(closing is not None)
        values["has_total_deposits"] = flag(doc.total_deposits is not None)
        values["has_total_withdrawals"] = flag(doc.total_withdrawals is not None)
        values["has_transactions"] = flag(bool(doc.transactions))
        wanted = []
        if opening is None and not ledger.opening_recoverable:
            wanted.append("opening_balance")
        if closing is None and ledger.last_balance is None:
            wanted.append("closing_balance")
        if not doc.transactions:
            dormant = (
                opening is not None
                and closing is not None
                and close(opening, closing)
                and not doc.total_deposits
                and not doc.total_withdrawals
            )
            if not dormant:
                wanted.append("transactions")
        if wanted:
            _ask_for(values, reasons, wanted)

    @staticmethod
    def _line_shares(ledger: Ledger, stats: LineStats, values: dict[str, float]) -> None:
        posted = len(ledger.posted)
        values["log_transaction_count"] = math.log10(1 + ledger.count)
        values["pending_line_share"] = _share(len(ledger.pending), ledger.count) if ledger.pending else MISSING
        values["missing_amount_share"] = _share(stats.missing_amount, posted)
        values["missing_date_share"] = _share(stats.missing_date, posted)
        values["balance_shown_share"] = _share(stats.shown_balances, posted)
        values["negative_balance_share"] = _share(stats.negative_balances, stats.shown_balances)

    # --- figures that must add up (hard unless a dropped or misread value explains them) ----------------

    @staticmethod
    def _reconciliation(values, findings, opening, deposits, withdrawals, closing) -> None:
        """Opening + deposits - withdrawals = closing."""
        if opening is None or deposits is None or withdrawals is None or closing is None:
            values["reconciliation_error"] = MISSING
            values["reconciliation_off"] = 0.0
            return
        expected = round(opening + deposits - withdrawals, 2)
        gap = round(expected - closing, 2)
        scale = max(abs(opening), abs(closing), abs(deposits), withdrawals, 1.0)
        values["reconciliation_error"] = min(abs(gap) / scale, MAX_RELATIVE_ERROR)
        off = abs(gap) > CENT
        values["reconciliation_off"] = flag(off)
        if not off:
            return
        misread = (
            one_digit_misread(closing, expected)
            or one_digit_misread(opening, closing - deposits + withdrawals)
            or one_digit_misread(deposits, closing - opening + withdrawals)
            or one_digit_misread(withdrawals, opening + deposits - closing)
        )
        findings.append(
            Finding(
                "BALANCE_DOES_NOT_RECONCILE",
                misread,
                f"Opening balance plus deposits minus withdrawals misses the closing balance by {gap:,.2f}",
                SUMMARY,
                expected,
                round(closing, 2),
            )
        )

    @staticmethod
    def _totals(values, findings, ledger: Ledger, stats: LineStats, deposits, withdrawals) -> None:
        """The posted lines add up to the stated totals (or, with pending lines, the lines as a whole do).

        A misread line amount would also break the running balance where every line shows one, so a
        line is blamed only when the balance breaks or is not shown on every line.
        """
        usable = bool(ledger.posted) and not stats.missing_amount
        lines_may_be_misread = ledger.chain.breaks > 0 or stats.shown_balances < len(ledger.posted)
        checks = (
            ("total_deposits", deposits, stats.deposits, stats.deposits + stats.pending_deposits, 1.0),
            ("total_withdrawals", withdrawals, stats.withdrawals, stats.withdrawals + stats.pending_withdrawals, -1.0),
        )
        off = []
        for name, stated, posted_sum, with_pending, sign in checks:
            gap = round(posted_sum - stated, 2) if usable and stated is not None else None
            values[f"{name.removeprefix('total_')[:-1]}_total_error"] = _relative(gap, stated)
            if gap is None or abs(gap) <= CENT or close(with_pending, stated):
                continue
            amounts = [sign * line.amount for line in ledger.posted if sign * line.amount >= 0]
            misread = one_digit_gap(gap) and (
                one_digit_misread(stated, posted_sum)
                or (lines_may_be_misread and any(one_digit_misread(a, a - gap) for a in amounts))
            )
            off.append((name, round(posted_sum, 2), round(stated, 2), misread))
        values["totals_mismatch"] = flag(bool(off))
        if off:
            name, expected, actual, _ = off[0]
            findings.append(
                Finding(
                    "TRANSACTIONS_DO_NOT_MATCH_TOTALS",
                    all(misread for *_, misread in off),
                    "Transaction lines do not add up to the stated totals: "
                    + ", ".join(f"{n.removeprefix('total_')} off by {a - e:,.2f}" for n, e, a, _ in off),
                    ("transactions", *(n for n, *_ in off)),
                    expected,
                    actual,
                )
            )

    @staticmethod
    def _running_balance(values, findings, ledger: Ledger, closing: float | None) -> None:
        """Running balances follow the amounts day by day, and end on the closing balance."""
        chain = ledger.chain
        values["running_balance_break_share"] = _share(chain.breaks, len(ledger.posted))
        values["running_balance_broken"] = flag(chain.breaks > 0)
        if chain.breaks:
            expected, actual = chain.first_gap or (None, None)
            findings.append(
                Finding(
                    "RUNNING_BALANCE_BREAK",
                    chain.explained >= chain.breaks,
                    f"{chain.breaks} place(s) where the running balance is not the previous balance plus the amounts",
                    ("transactions",),
                    expected,
                    actual,
                )
            )
        end = chain.end
        differs = closing is not None and bool(end) and not any(close(closing, e) for e in end)
        values["closing_differs_from_last_balance"] = flag(differs)
        if differs:
            amounts = [line.amount for line in ledger.posted if line.amount is not None]
            misread = any(
                one_digit_gap(closing - e)
                and (one_digit_misread(closing, e) or any(one_digit_misread(a, a + closing - e) for a in amounts))
                for e in end
            )
            findings.append(
                Finding(
                    "CLOSING_BALANCE_MISMATCH",
                    misread,
                    f"The lines end on a balance of {end[-1]:,.2f}, not the closing balance of {closing:,.2f}",
                    ("transactions", "closing_balance"),
                    round(end[-1], 2),
                    round(closing, 2),
                )
            )

    @staticmethod
    def _report_gaps(values, reasons, findings: list[Finding]) -> None:
        """Each failed check as its hard reason, or as a soft POSSIBLE_OCR_MISREAD when one misread digit
        explains it. One misread figure fails at most two of the four checks (a total: the totals and the
        reconciliation; a line amount: the totals and the running balance...): with three or more failing,
        no misread explains them and every one is hard."""
        plausible = len(findings) <= 2
        explained = 0
        for finding in findings:
            misread = plausible and finding.misread
            explained += misread
            reasons.append(
                Reason(
                    "POSSIBLE_OCR_MISREAD" if misread else finding.code,
                    finding.message + ("; one digit OCR often misreads would explain it" if misread else ""),
                    finding.fields,
                    expected=finding.expected,
                    actual=finding.actual,
                )
            )
        values["misread_explained_count"] = float(explained)

    @staticmethod
    def _incomplete_ledger(values, reasons, ledger: Ledger, stats: LineStats) -> None:
        """A soft reason when dropped line values leave a ledger check undone."""
        missing_amounts = stats.missing_amount
        undone = ledger.chain.unverifiable + missing_amounts
        values["ledger_incomplete"] = flag(undone > 0)
        if undone:
            reasons.append(
                Reason(
                    "LEDGER_INCOMPLETE",
                    f"{missing_amounts} line(s) without an amount and {ledger.chain.unverifiable} day(s) whose balance "
                    "cannot be checked: the totals or running balances were only partly verified",
                    ("transactions",),
                    expected=0,
                    actual=undone,
                )
            )

    # --- unusual but seen on genuine statements (soft) -------------------------------------------------

    @staticmethod
    def _outside_period(values, reasons, ledger: Ledger, stats: LineStats, start: date | None, end: date | None):
        count, furthest, furthest_date = stats.outside, stats.furthest_outside_days, stats.furthest_outside_date
        values["outside_period_share"] = _share(count, len(ledger.posted)) if ledger.posted else 0.0
        values["outside_period_max_days"] = float(min(furthest, OUTSIDE_PERIOD_CAP_DAYS))
        values["outside_period"] = flag(count > 0)
        if count:
            reasons.append(
                Reason(
                    "TRANSACTION_OUTSIDE_PERIOD",
                    f"{count} transaction(s) dated outside the statement period, up to {furthest} day(s) outside",
                    ("transactions", "statement_start", "statement_end"),
                    expected=f"{start.isoformat() if start else '?'} to {end.isoformat() if end else '?'}",
                    actual=furthest_date.isoformat() if furthest_date else None,
                )
            )

    @staticmethod
    def _unusual_lines(values, reasons, ledger: Ledger, stats: LineStats) -> None:
        """Repeated lines and large round deposits: genuine statements show both (two coffees, a savings
        transfer), so they are soft, and measured as shares."""
        posted, deposit_sum = ledger.posted, stats.deposits
        duplicates, duplicate_deposits = stats.duplicates, stats.duplicate_deposits
        values["duplicate_transaction_share"] = _share(duplicates, len(posted)) if posted else 0.0
        values["duplicate_transactions"] = flag(duplicates > 0)
        values["duplicate_deposit_share"] = ratio(duplicate_deposits, deposit_sum)
        if duplicates:
            reasons.append(
                Reason(
                    "DUPLICATE_TRANSACTIONS",
                    f"{duplicates} transaction(s) repeat another's date, amount and description",
                    ("transactions",),
                    expected=0,
                    actual=duplicates,
                )
            )
        rounds = stats.round_deposits
        values["large_round_deposits"] = flag(bool(rounds))
        values["large_round_deposit_share"] = ratio(sum(rounds), deposit_sum)
        if rounds:
            reasons.append(
                Reason(
                    "LARGE_ROUND_DEPOSITS",
                    f"{len(rounds)} large round-number deposit(s) totalling {sum(rounds):,.2f}",
                    ("transactions",),
                    actual=round(sum(rounds), 2),
                )
            )

    # --- dates (hard: a statement cannot end in the future or before it starts) --------------------------

    @staticmethod
    def _dates(values, reasons, start: date | None, end: date | None, today: date) -> None:
        future = end is not None and end > today + timedelta(days=FUTURE_GRACE_DAYS)
        values["statement_end_in_future"] = flag(future)
        end_reason = future_date_reason(
            "STATEMENT_END_IN_FUTURE", "statement_end", end, today, "Statement end", FUTURE_GRACE_DAYS
        )
        if end_reason:
            reasons.append(end_reason)
        period_features(
            "STATEMENT_PERIOD_REVERSED",
            "Statement period",
            ("statement_start", "statement_end"),
            start,
            end,
            values,
            reasons,
            max_days=MAX_PERIOD_DAYS,
        )


def _ask_for(values: dict[str, float], reasons: list[Reason], wanted: list[str]) -> None:
    """Add `wanted` fields to the document's INCOMPLETE_DOCUMENT reason (made here if the base made none)."""
    earlier = next((r for r in reasons if r.code == INCOMPLETE_DOCUMENT), None)
    fields = (*(earlier.fields if earlier else ()), *wanted)
    values["missing_key_field_count"] = float(len(fields))
    reason = Reason(
        INCOMPLETE_DOCUMENT,
        f"{len(fields)} key field(s) missing or unreadable; ask the applicant for: {', '.join(fields)}",
        fields=fields,
    )
    if earlier:
        reasons[reasons.index(earlier)] = reason
    else:
        reasons.insert(0, reason)
