"""Reading the MICR line, the magnetic-ink band along the bottom of a check, as OCR returns it.

A US check's MICR line (E-13B font) holds, left to right: an optional auxiliary on-us
field (the serial number on business checks), the routing number between two transit
symbols, the on-us field (the account number and, on personal checks, the serial, each
closed by an on-us symbol) and, once a bank has processed the check, the amount:

    personal:                ⑆021000021⑆ 123456789⑈ 1001
    personal, serial first:  ⑆021000021⑆ 1001 123456789⑈
    business:                ⑈001001⑈ ⑆021000021⑆ 123456789⑈
    processed:               ⑆021000021⑆ 123456789⑈ 1001 ⑇0000012537⑇

OCR does not know E-13B. It keeps the symbols, spells them as the letters of the common
MICR fonts (A transit, B amount, C on-us, D dash), as look-alikes (T, O, U, ":", ";", "|")
or loses them, with or without the space around them. So this reader does not rely on
the symbols: it finds the routing number (a nine-digit group, between transit symbols if
there are any, else the first that passes the ABA checksum), drops the amount field, and
keeps every other digit group. The features then look for the printed account and check
numbers among those groups (`find_number`) instead of trusting one layout.

A read is `confident` when nothing had to be guessed: the routing number is a group of
its own that passes the checksum, and no character needed repairing. Only a confident read
may be evidence that the MICR line disagrees with the face of the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from check.routing import is_valid_routing_number

ROUTING_LENGTH = 9
AMOUNT_FIELD_LENGTH = 10  # the amount field is ten digits of cents: ⑇0000012537⑇

# Canonical form: digits, "T" transit, "U" on-us, "$" amount, "S" a symbol of unknown kind, " " a gap.
_SYMBOLS = {
    **dict.fromkeys("⑆TtAa", "T"),
    **dict.fromkeys("⑈UuOoCc/", "U"),
    **dict.fromkeys("⑇$Bb", "$"),
    **dict.fromkeys(":;|!¦‖\"'", "S"),
    **dict.fromkeys("⑉Dd-", ""),  # the dash symbol only separates digits inside a field
}
# Letters OCR reads for digits; between two digits they are the digit, whatever symbol they could spell.
_DIGIT_LOOKALIKES = {"O": "0", "o": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1", "S": "5",
                     "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "b": "6", "g": "9", "q": "9"}  # fmt: skip
_BETWEEN_DIGITS = re.compile(r"(?<=\d)([OoQIl|iSsBZzGbgq]+)(?=\d)")
# Look-alikes that spell no MICR symbol are digits beside a single digit too ("l25915698").
_BESIDE_DIGIT = re.compile(r"(?<=\d)([IliSsZzGgqQ])|([IliSsZzGgqQ])(?=\d)")
_AMOUNT_FIELD = re.compile(r"\$\s*(\d*)\s*\$?\s*$")
_DIGIT_GROUP = re.compile(r"\d+")


@dataclass(frozen=True)
class MicrLine:
    """What a MICR line says.

    `routing`: the routing number as read (nine digits, or the digits between transit symbols).
    `groups`: every other digit group, left to right, the amount field left out.
    `account`, `serial`: the layout's best guess at which group is which (None when it shows none);
    `amount_cents`: the encoded amount, when the line carries one; `amount_group`: the group in `groups`
    taken for the amount field because its symbols were lost (a guess, so it is kept among the groups).
    `clean`: the routing number is a digit group of its own and no character needed repairing;
    `confident`: clean, and the routing number passes the checksum (see the module docstring).
    """

    routing: str
    groups: tuple[str, ...]
    account: str | None
    serial: str | None
    amount_cents: int | None = None
    amount_group: str | None = None
    clean: bool = True
    confident: bool = True


def repair_lookalikes(value: str) -> tuple[str, bool]:
    """`value` with letters OCR reads for digits ("O21OOOO21") turned back into digits when every other
    character is a digit or separator; (value, whether anything was repaired)."""
    stripped = re.sub(r"[\s\-.]", "", value)
    if stripped.isascii() and stripped.isdigit():
        return stripped, False
    candidate = "".join(_DIGIT_LOOKALIKES.get(c, c) for c in stripped)
    if candidate and candidate.isascii() and candidate.isdigit():
        return candidate, True
    return stripped, False


def _canonical(text: str) -> tuple[str, bool]:
    """The line in canonical form, and whether it needed repairs (look-alike digits, unknown characters)."""
    repaired = _BETWEEN_DIGITS.sub(lambda m: "".join(_DIGIT_LOOKALIKES[c] for c in m.group(1)), text)
    repaired = _BESIDE_DIGIT.sub(lambda m: _DIGIT_LOOKALIKES[m.group()], repaired)
    damaged = repaired != text
    out = []
    for c in repaired:
        if c.isascii() and c.isdigit():
            out.append(c)
        elif c in _SYMBOLS:
            out.append(_SYMBOLS[c])
        elif c.isspace():
            out.append(" ")
        else:
            out.append(" ")
            damaged = True
    return "".join(out), damaged


def _split_amount(line: str) -> tuple[str, int | None]:
    """The line without its amount field (after an amount symbol, at the end), and the amount in cents."""
    match = _AMOUNT_FIELD.search(line)
    if not match:
        return line.replace("$", " "), None
    digits = match.group(1)
    cents = int(digits) if len(digits) == AMOUNT_FIELD_LENGTH else None
    return line[: match.start()].replace("$", " "), cents


@dataclass(frozen=True)
class _Routing:
    digits: str
    start: int  # where the routing number's digits start and end in the canonical line
    end: int
    on_its_own: bool  # a digit group of its own, not cut from a longer one


def _neighbour_symbols(line: str, start: int, end: int) -> str:
    """The symbols (T, U, S) right before and after line[start:end], spaces skipped."""
    return line[:start].rstrip()[-1:] + line[end:].lstrip()[:1]


def _find_routing(line: str, hint: str | None = None) -> _Routing | None:
    """Where the routing number is in the canonical line.

    A nine-digit group scores for passing the ABA checksum, for standing between two transit symbols
    (or beside one) and for unknown symbols beside it; a transit field a digit too short or long (a
    made-up routing number, or a digit lost) scores less than a valid one; the best, leftmost on a tie, wins.
    Then, when symbols were lost together with their spaces and glued the routing number to its
    neighbours: the `hint` (the routing number printed on the face) inside a longer group, else the first
    nine digits of a longer group when they pass the checksum.
    """
    best, best_score = None, -1.0
    for match in _DIGIT_GROUP.finditer(line):
        digits, sides = match.group(), _neighbour_symbols(line, match.start(), match.end())
        enclosed = sides == "TT"
        if len(digits) == ROUTING_LENGTH:
            score = 4 * is_valid_routing_number(digits) + (3 if enclosed else sides.count("T")) + sides.count("S") / 2
        elif enclosed and abs(len(digits) - ROUTING_LENGTH) == 1:
            score = 2.0
        else:
            continue
        if score > best_score:
            best, best_score = _Routing(digits, match.start(), match.end(), True), score
    usable_hint = hint is not None and hint.isascii() and hint.isdigit() and abs(len(hint) - ROUTING_LENGTH) <= 1
    if usable_hint and hint in line and (best is None or best.digits != hint):
        at = line.find(hint)  # the face's routing number, maybe glued to its neighbours
        alone = re.search(rf"(?<!\d){hint}(?!\d)", line)
        if alone:
            return _Routing(hint, alone.start(), alone.end(), True)
        return _Routing(hint, at, at + len(hint), False)
    if best is not None:
        return best
    for match in re.finditer(r"\d{10,}", line):
        if is_valid_routing_number(match.group()[:ROUTING_LENGTH]):
            return _Routing(match.group()[:ROUTING_LENGTH], match.start(), match.start() + ROUTING_LENGTH, False)
    return None


def parse_micr(text: str | None, routing_hint: str | None = None) -> MicrLine | None:
    """The routing number, digit groups and layout guess of a MICR line; None when no routing number is found.

    `routing_hint`, the routing number printed on the face, helps find the routing number in a line whose
    symbols OCR lost with their spaces; a line read that way is never `clean`.
    """
    if not text:
        return None
    canonical, damaged = _canonical(text)
    line, amount_cents = _split_amount(canonical)
    routing = _find_routing(line, routing_hint)
    if routing is None:
        return None
    before, after = line[: routing.start], line[routing.end :]
    before_groups = _DIGIT_GROUP.findall(before)
    after_groups = _DIGIT_GROUP.findall(after)
    amount_group = None
    last = after_groups[-1] if len(after_groups) >= 2 else ""
    if amount_cents is None and len(last) == AMOUNT_FIELD_LENGTH and last.startswith("000"):
        amount_group, amount_cents = last, int(last)  # the amount field, its symbols lost
    on_us_groups = after_groups[:-1] if amount_group else after_groups
    account, serial = _layout(before_groups, after, on_us_groups)
    clean = routing.on_its_own and not damaged
    confident = clean and is_valid_routing_number(routing.digits)
    groups = tuple(before_groups + after_groups)
    return MicrLine(routing.digits, groups, account, serial, amount_cents, amount_group, clean, confident)


def _layout(before_groups: list[str], after: str, after_groups: list[str]) -> tuple[str | None, str | None]:
    """(account, serial) as the layout places them: the serial left of the routing number on business checks;
    after it, the group closed by an on-us symbol is the account."""
    if before_groups:
        return (after_groups[0] if after_groups else None), before_groups[-1]
    if len(after_groups) < 2:
        return (after_groups[0] if after_groups else None), None
    first_closed = re.match(r"\s*\d+\s*U", after)
    if first_closed or len(after_groups[0]) >= len(after_groups[1]):
        return after_groups[0], after_groups[1]
    return after_groups[1], after_groups[0]  # serial first: "⑆021000021⑆ 1001 123456789⑈"


def _significant(number: str) -> str:
    return number.lstrip("0")


def find_number(number: str, groups: tuple[str, ...], min_inside: int = 4) -> bool:
    """Whether `number` (digits) is among the MICR's digit `groups`, leading zeros ignored.

    It is there as a group, as consecutive groups (a dash read as a gap: "12 345678"), or inside a group
    when at least `min_inside` digits long (a symbol lost with its space glued it to its neighbour).
    """
    wanted = _significant(number)
    if not wanted:
        return any(not _significant(g) for g in groups)
    for start in range(len(groups)):
        joined = ""
        for group in groups[start:]:
            joined += group
            if _significant(joined) == wanted:
                return True
            if len(joined) > len(number) + 10:
                break
    return len(wanted) >= min_inside and any(wanted in group for group in groups)


def same_number(a: str | None, b: str | None) -> bool | None:
    """Whether two printed numbers agree, ignoring separators and leading zeros; None if either is absent.

    MICR serials are often zero-padded ("001001" for check 1001), so leading zeros do not count.
    """
    if a is None or b is None:
        return None
    a_digits = re.sub(r"[\s\-.⑉]", "", a).lstrip("0")
    b_digits = re.sub(r"[\s\-.⑉]", "", b).lstrip("0")
    return a_digits == b_digits
