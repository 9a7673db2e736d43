"""The document store on Supabase (PostgREST through supabase-py), for production.

- Explicit connect and read timeouts; bounded retries with exponential backoff on transient
  failures (connection errors, timeouts, 5xx, 429) and never on another 4xx. postgrest-py's
  own retry covers only GET/HEAD on 503/520, so it is switched off in favour of this one.
- A 4xx answer about the row itself (a data error, a NOT NULL or CHECK constraint, a body
  PostgREST cannot take), or a row that cannot be encoded as JSON (NaN), raises
  StoreRejected: the outbox sets such a record aside rather than retrying it forever.
  401, 403 and 404 and a table or column missing from the schema mean the project is
  misconfigured (key, RLS, migration), not that the row is wrong: they stay
  StoreUnavailable, so the outbox keeps the rows in order until it is fixed.
- PostgREST caps every response at the project's max-rows setting and answers 200 with fewer
  rows than asked, so training data is read with keyset pagination (created_at, then
  document_id, newest first) in pages no larger than the cap, and checked against an exact
  count; any shortfall is logged and kept in `last_read_report`.
- Errors are logged with the action, HTTP status and PostgREST code only: never the key,
  never document contents.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from postgrest.exceptions import APIError
from supabase import create_client
from supabase.lib.client_options import SyncClientOptions

from domain.records import RECOMMENDATIONS, REVIEW_DECISIONS, AnalysisRecord, LabelQuery, ListQuery
from store.document_store import DocumentStore, DuplicateDocument, StoreRejected, StoreUnavailable

log = logging.getLogger(__name__)
# supabase-py talks HTTP/2, and hpack logs every header it encodes at DEBUG, the service-role key in
# `apikey` among them: with LOG_LEVEL=DEBUG the key would be in the log. Keep hpack at INFO.
logging.getLogger("hpack").setLevel(logging.INFO)
UNIQUE_VIOLATION = "23505"
INSERT_CHUNK = 500  # rows per bulk insert: well under PostgREST's request size limits
# 4xx answers that are not about the row: a wrong or expired key, row-level security, a missing table.
NOT_THE_ROW_STATUSES = {401, 403, 404, 408}
# Codes of a 400 that is about the schema or the request, whatever the row: PostgreSQL's class 42
# (undefined column, permission denied, ...), class 28 (authorization) and PostgREST's schema cache and JWT errors.
NOT_THE_ROW_CODE_PREFIXES = ("42", "28", "PGRST2", "PGRST3")


def refuses_the_row(status: int, code: str | None) -> bool:
    """A 4xx (other than a duplicate, a timeout, rate limiting) that sending the same row again would meet again."""
    if not 400 <= status < 500 or status in NOT_THE_ROW_STATUSES or status in (409, 429):
        return False
    return not (code or "").startswith(NOT_THE_ROW_CODE_PREFIXES)


def _quote(value: str) -> str:
    """A PostgREST filter value inside or()/and(): quoted, since timestamps hold reserved characters."""
    return '"' + value.replace('"', '\\"') + '"'


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _where(builder, conditions: list[str]):
    """Attach PostgREST's top-level `and=(...)` (postgrest-py builds column filters, not logic trees)."""
    if conditions:
        builder.request.params = builder.request.params.add("and", f"({','.join(conditions)})")
    return builder


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class SupabaseDocumentStore(DocumentStore):
    """DocumentStore on the Supabase tables made by supabase/migrations (a service-role key, server side only)."""

    def __init__(
        self,
        url: str,
        key: str,
        tables: Mapping[str, str],
        *,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        max_retries: int = 3,
        backoff_seconds: float = 0.25,
        max_rows: int = 1000,
    ):
        self.type_names = dict(tables)
        self.max_retries = max_retries
        self.backoff_seconds = backoff_seconds
        self.page_size = max_rows
        self.last_read_report: dict[str, Any] | None = None
        self._status = threading.local()
        self.http = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            event_hooks={"response": [self._remember_status]},
        )
        self.client = create_client(url, key, SyncClientOptions(httpx_client=self.http, postgrest_client_retry=False))

    def _remember_status(self, response: httpx.Response) -> None:
        self._status.code = response.status_code

    def _table(self, name: str):
        if name not in self.type_names:
            raise ValueError(f"Unknown document table {name!r}")
        return self.client.table(name)

    # one request, with retries ---------------------------------------------------------------
    def _execute(self, action: str, request: Callable[[], Any], write: bool = False) -> Any:
        for attempt in range(self.max_retries + 1):
            self._status.code = None
            try:
                return request()
            except httpx.TransportError as exc:  # connect errors, timeouts, resets
                problem = type(exc).__name__
            except (TypeError, ValueError) as exc:
                if not write or self._status.code is not None:
                    raise
                # Raised while encoding the body, before anything was sent: a value JSON cannot carry (NaN,
                # infinity, an object). Every attempt would meet it.
                log.error("Supabase cannot %s: the row cannot be sent as JSON (%s)", action, type(exc).__name__)
                raise StoreRejected(
                    f"Supabase cannot {action}: a value cannot be sent as JSON", cause=type(exc).__name__
                ) from None
            except APIError as exc:
                status = self._status.code
                if exc.code == UNIQUE_VIOLATION or status == 409:
                    if write and attempt > 0:
                        return None  # our earlier attempt landed before its answer was lost
                    raise DuplicateDocument(f"Document already stored ({action})") from None
                if status is not None and status < 500 and status != 429:
                    log.error("Supabase refused to %s: HTTP %s, code %s", action, status, exc.code)
                    if write and refuses_the_row(status, exc.code):
                        raise StoreRejected(
                            f"Supabase refused to {action} (HTTP {status}, code {exc.code})", cause=f"HTTP {status}"
                        ) from None
                    raise StoreUnavailable(f"Supabase refused to {action} (HTTP {status})") from None
                problem = f"HTTP {status}, code {exc.code}"
            if attempt < self.max_retries:
                delay = self.backoff_seconds * (2**attempt) * (0.5 + random.random() / 2)
                log.warning(
                    "Supabase could not %s (%s); retry %d of %d in %.2f s",
                    action,
                    problem,
                    attempt + 1,
                    self.max_retries,
                    delay,
                )
                time.sleep(delay)
        log.error("Supabase could not %s after %d attempts (%s)", action, self.max_retries + 1, problem)
        raise StoreUnavailable(f"Supabase could not {action}")

    # records ------------------------------------------------------------------------------------
    def _record(self, table: str, row: dict[str, Any]) -> AnalysisRecord:
        data = dict(row)
        data["created_at"] = _parse_time(data["created_at"])
        data["reviewed_at"] = _parse_time(data.get("reviewed_at"))
        return AnalysisRecord(document_type=self.type_names[table], **data)

    def save_analysis(self, table: str, record: AnalysisRecord) -> None:
        self.save_analyses(table, [record])

    def save_analyses(self, table: str, records: list[AnalysisRecord]) -> None:
        """One bulk insert per INSERT_CHUNK rows (PostgREST inserts a JSON array in one statement)."""
        rows = [{k: v for k, v in record.as_dict().items() if k != "document_type"} for record in records]
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start : start + INSERT_CHUNK]
            builder = self._table(table).insert(chunk[0] if len(chunk) == 1 else chunk, returning="minimal")
            self._execute("save the analysis", builder.execute, write=True)

    def get_analysis(self, table: str, document_id: str) -> AnalysisRecord | None:
        builder = self._table(table).select("*").eq("document_id", document_id).limit(1)
        rows = self._execute("read the analysis", builder.execute).data
        return self._record(table, rows[0]) if rows else None

    def list_analyses(self, table: str, query: ListQuery) -> list[AnalysisRecord]:
        def filters(builder):
            if query.recommendation:
                builder = builder.eq("ai_recommendation", query.recommendation)
            if query.reviewed is True:
                builder = builder.not_.is_("reviewer_decision", "null")
            elif query.reviewed is False:
                builder = builder.is_("reviewer_decision", "null")
            if query.before is not None:
                builder = builder.lt("created_at", _stamp(query.before))
            return builder

        return self._pages(table, "list analyses", filters, [], query.limit)

    def record_review(self, table, document_id, decision, reviewer, notes, at) -> AnalysisRecord | None:
        if decision not in REVIEW_DECISIONS:
            raise ValueError(f"decision must be one of {REVIEW_DECISIONS}")
        builder = (
            self._table(table)
            .update(
                {"reviewer_decision": decision, "reviewer": reviewer, "review_notes": notes, "reviewed_at": _stamp(at)}
            )
            .eq("document_id", document_id)
        )
        rows = self._execute("record the review", builder.execute, write=True)
        rows = rows.data if rows is not None else []
        return self._record(table, rows[0]) if rows else self.get_analysis(table, document_id)

    # training data ------------------------------------------------------------------------------
    def label_filter(self, query: LabelQuery) -> str:
        """The PostgREST condition selecting training labels (see LabelQuery)."""
        decisions = ",".join(REVIEW_DECISIONS)
        condition = f"reviewer_decision.in.({decisions})"
        if query.include_model_labels:
            ai = ["reviewer_decision.is.null", f"ai_recommendation.in.({decisions})"]
            if query.min_confidence is not None:
                ai.append(f"{query.confidence_field}.gte.{query.min_confidence}")
            condition = f"or({condition},and({','.join(ai)}))"
        if query.since is not None:
            since = _quote(_stamp(query.since))
            condition = f"{condition},or(created_at.gte.{since},reviewed_at.gte.{since})"
        return condition

    def _pages(self, table: str, action: str, filters, conditions: list[str], wanted: float) -> list[AnalysisRecord]:
        """Rows newest first, keyset-paged in pages no larger than the max-rows cap, checked against an exact count."""
        rows: list[dict[str, Any]] = []
        cursor, total = None, None
        while len(rows) < wanted:
            page = int(min(self.page_size, wanted - len(rows)))
            builder = filters(self._table(table).select("*", count="exact" if cursor is None else None))
            parts = list(conditions)
            if cursor is not None:
                at, document_id = (_quote(part) for part in cursor)
                parts.append(f"or(created_at.lt.{at},and(created_at.eq.{at},document_id.lt.{document_id}))")
            builder = _where(builder, parts).order("created_at", desc=True).order("document_id", desc=True).limit(page)
            response = self._execute(action, builder.execute)
            if total is None:
                total = response.count
            rows.extend(response.data)
            if not response.data or len(response.data) < page:
                break
            cursor = (response.data[-1]["created_at"], response.data[-1]["document_id"])
        expected = min(total, wanted) if total is not None else None
        self.last_read_report = {
            "table": table,
            "expected": expected,
            "fetched": len(rows),
            "shortfall": (expected - len(rows)) if expected is not None else None,
        }
        if expected is not None and len(rows) < expected:
            log.warning("Supabase returned %d of %d %s rows (%s)", len(rows), expected, table, action)
        return [self._record(table, row) for row in rows]

    def labelled_documents(self, table: str, query: LabelQuery) -> list[AnalysisRecord]:
        wanted = query.limit if query.limit is not None else float("inf")
        return self._pages(table, "read labelled documents", lambda b: b, [self.label_filter(query)], wanted)

    def _count(self, table: str, action: str, apply) -> int:
        builder = apply(self._table(table).select("document_id", count="exact", head=True))
        return int(self._execute(action, builder.execute).count or 0)

    def count_labelled(self, table: str, query: LabelQuery) -> int:
        return self._count(table, "count labelled documents", lambda b: _where(b, [self.label_filter(query)]))

    def recommendation_counts(self, table: str, since: datetime) -> dict[str, int]:
        counts = {}
        for recommendation in RECOMMENDATIONS:
            n = self._count(
                table,
                "count recommendations",
                lambda b, r=recommendation: b.eq("ai_recommendation", r).gte("created_at", _stamp(since)),
            )
            if n:
                counts[recommendation] = n
        return counts

    def ping(self) -> bool:
        try:
            self._count(next(iter(self.type_names)), "answer a ping", lambda b: b.limit(1))
            return True
        except StoreUnavailable:
            return False

    def close(self) -> None:
        self.http.close()
