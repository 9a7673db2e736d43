from datetime import date

import pytest

from domain.amount_words import amount_to_words, words_to_amount
from domain.parsing import (
    parse_amount,
    parse_date,
    parse_digits,
    parse_flag,
    parse_identifier,
    parse_quality,
    parse_text,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (1234.56, 1234.56),
        (12, 12.0),
        ("$1,234.56", 1234.56),
        ("1234.56", 1234.56),
        ("-$5.00", -5.0),
        ("(12.00)", -12.0),
        ("  $ 1,000 ", 1000.0),
        ("1,234,567.89 USD", 1234567.89),
        (".5", 0.5),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_amounts_in_every_ocr_spelling(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize(
    "raw", ["abc", "1e5", "1,23,4", "$", "12.3.4", True, [1], {"a": 1}, float("nan"), float("inf"), 1e13, "--5"]
)
def test_unreadable_amounts_are_refused(raw):
    with pytest.raises(ValueError):
        parse_amount(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2024-01-31", date(2024, 1, 31)),
        ("01/31/2024", date(2024, 1, 31)),
        ("1/5/2024", date(2024, 1, 5)),
        ("2024-01-31T23:10:00Z", date(2024, 1, 31)),
        ("2024-01-31T10:00:00+02:00", date(2024, 1, 31)),
        (None, None),
        ("", None),
    ],
)
def test_dates_iso_and_us(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/01/2024", "2024-02-30", "13/01/2024", "yesterday", 20240131, True])
def test_unreadable_dates_are_refused(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


def test_text_identifiers_digits_flags_quality():
    assert parse_text("  Acme  ") == "Acme"
    with pytest.raises(ValueError):
        parse_text(12)
    with pytest.raises(ValueError):
        parse_text("x" * 501)
    assert parse_identifier(1001) == "1001"
    assert parse_digits("021000021") == "021000021"
    with pytest.raises(ValueError, match="leading zeros"):
        parse_digits(21000021)
    assert parse_flag("yes") is True and parse_flag(False) is False and parse_flag("0") is False
    with pytest.raises(ValueError):
        parse_flag("maybe")
    assert parse_quality("0.5") == 0.5
    for bad in (1.5, -0.1, "high", float("nan"), True):
        with pytest.raises(ValueError):
            parse_quality(bad)


@pytest.mark.parametrize("amount", [0.5, 19.99, 100.0, 1205.37, 45123.07, 1_000_000.0, 999.99])
def test_written_amounts_round_trip(amount):
    assert words_to_amount(amount_to_words(amount)) == amount


@pytest.mark.parametrize(
    "text, expected",
    [
        ("one thousand, two hundred and thirty-four dollars and fifty-six cents", 1234.56),
        ("Five Hundred Dollars Only", 500.0),
        ("****Seventy-Five and 00/100****", 75.0),
        ("****One Hundred and 00/100 Dollars****", 100.0),
        ("Two Hundred and no/100", 200.0),
        ("Forty and XX/100 Dollars", 40.0),
        ("1,200 and 00/100", 1200.0),
        ("garbage words", None),
        ("", None),
    ],
)
def test_written_amount_spellings(text, expected):
    assert words_to_amount(text) == expected


def test_every_spelling_of_seeded_amounts_reads_back_exactly():
    """The common spellings take a one-regex fast path, the rest the general one: both must agree with the amount."""
    import random

    rng = random.Random(7)
    for _ in range(500):
        cents = rng.randrange(0, 10**11)
        amount = cents / 100
        plain, grouped = f"{amount:.2f}", f"{amount:,.2f}"
        for spelling, sign in [
            (plain, 1),
            (grouped, 1),
            (f"${grouped}", 1),
            (f"-{plain}", -1),
            (f"-${grouped}", -1),
            (f"$-{grouped}", -1),
            (f"({grouped})", -1),
            (f"(${plain})", -1),
            (f"(-{plain})", -1),
            (f" ${grouped} ", 1),
            (f"{grouped} USD", 1),
            (f"+${plain}", 1),
            (f"$ {plain}", 1),
        ]:
            assert parse_amount(spelling) == sign * amount, spelling
    for unbalanced in ["(12.00", "12.00)", "($1,2345.00)", "-$-5", "$$5", "1,23.00", "(1,234)x"]:
        with pytest.raises(ValueError):
            parse_amount(unbalanced)


def test_iso_dates_and_trimmed_text_take_the_same_answers_on_every_path():
    assert parse_date("2024-02-29") == date(2024, 2, 29) and parse_date(" 2024-02-29 ") == date(2024, 2, 29)
    for impossible in ["2023-02-29", "2024-13-01", "2024-1-011"]:
        with pytest.raises(ValueError):
            parse_date(impossible)
    assert parse_text("Acme") == "Acme" and parse_text("\tAcme\n") == "Acme" and parse_text("x" * 500) == "x" * 500
