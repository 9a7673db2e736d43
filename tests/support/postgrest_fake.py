"""A small PostgREST for tests: the requests the Supabase store makes, answered as PostgREST would.

It keeps rows per table in memory and understands the subset of PostgREST's grammar the
store uses: column filters (`eq`, `lt`, `gte`, `in`, `is`, `not.is`), logical `and(...)`
/ `or(...)` trees with quoted values, `order`, `limit`, `Prefer: count=exact`,
`return=minimal|representation`, inserts (409 on a duplicate key) and PATCH updates.
Every response holds at most `max_rows` rows, with a 200, as PostgREST's max-rows cap does.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import parse_qsl, urlparse

import httpx

REST = re.compile(r"https://project\.supabase\.co/rest/v1/(\w+)")
TIME_COLUMNS = {"created_at", "reviewed_at"}
NUMBER_COLUMNS = {"confidence_score", "risk_score"}


def error(status: int, code: str, message: str = "error") -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message, "details": None, "hint": None})


def _split(text: str) -> list[str]:
    """Split a PostgREST list on top-level commas, respecting parentheses and quotes."""
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current] if current else parts


def _value(column: str, raw: str):
    raw = raw[1:-1] if raw.startswith('"') and raw.endswith('"') else raw
    if column in TIME_COLUMNS:
        return datetime.fromisoformat(raw)
    return float(raw) if column in NUMBER_COLUMNS else raw


def _condition(row: dict, column: str, expression: str) -> bool:
    negate = expression.startswith("not.")
    operator, _, raw = expression.removeprefix("not.").partition(".")
    actual = row.get(column)
    if column in TIME_COLUMNS and actual is not None:
        actual = datetime.fromisoformat(actual)
    if operator == "is":
        result = actual is None if raw == "null" else actual == (raw == "true")
    elif operator == "in":
        result = actual in [v.strip('"') for v in _split(raw[1:-1])]
    elif actual is None:
        result = False
    else:
        wanted = _value(column, raw)
        result = {"eq": actual == wanted, "lt": actual < wanted, "gte": actual >= wanted}[operator]
    return not result if negate else result


def _logic(row: dict, expression: str) -> bool:
    """Evaluate `or(...)`, `and(...)` or `column.op.value`."""
    for word, combine in (("or(", any), ("and(", all)):
        if expression.startswith(word):
            return combine(_logic(row, part) for part in _split(expression[len(word) : -1]))
    column, _, rest = expression.partition(".")
    return _condition(row, column, rest)


class FakePostgrest:
    def __init__(self, max_rows: int = 1000):
        self.max_rows = max_rows
        self.rows: dict[str, list[dict]] = {}
        self.requests: list[httpx.Request] = []
        self.lose_rows = 0  # rows the count admits but the pages never return, to provoke a shortfall

    def matches(self, row: dict, params: list[tuple[str, str]]) -> bool:
        for key, value in params:
            if key in ("select", "order", "limit", "offset", "on_conflict", "columns"):
                continue
            if key in ("and", "or"):
                if not _logic(row, f"{key}{value}"):
                    return False
            elif not _condition(row, key, value):
                return False
        return True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        table = REST.match(str(request.url)).group(1)
        rows = self.rows.setdefault(table, [])
        params = parse_qsl(urlparse(str(request.url)).query, keep_blank_values=True)
        prefer = request.headers.get("prefer", "")
        if request.method == "POST":
            body = json.loads(request.content)
            new = body if isinstance(body, list) else [body]  # an array is one statement: all rows or none
            ids = [r["document_id"] for r in new]
            if len(set(ids)) < len(ids) or any(r["document_id"] in ids for r in rows):
                return error(409, "23505", "duplicate key value violates unique constraint")
            rows.extend(new)
            return httpx.Response(201, json=[] if "return=minimal" in prefer else new)
        matched = [r for r in rows if self.matches(r, params)]
        if request.method == "PATCH":
            for row in matched:
                row.update(json.loads(request.content))
            return httpx.Response(200, json=[] if "return=minimal" in prefer else matched)
        order = dict(params).get("order", "created_at.desc,document_id.desc")
        if order.startswith("created_at.desc"):
            matched.sort(key=lambda r: (datetime.fromisoformat(r["created_at"]), r["document_id"]), reverse=True)
        limit = min(int(dict(params).get("limit", self.max_rows)), self.max_rows)
        page = matched[:limit]
        total = len(matched) + self.lose_rows if "count=exact" in prefer else "*"
        headers = {"Content-Range": f"0-{max(len(page) - 1, 0)}/{total}"}
        return httpx.Response(200, json=[] if request.method == "HEAD" else page, headers=headers)
