"""A durable local outbox for analyses the document store could not take.

When the store is away (database down, Supabase unreachable), an analysis is written to a
local SQLite file instead, and the response says `stored: false`. The outbox is flushed to
the store in arrival order when it answers again; the document id is the key, so a row that
reached the store before a crash is not stored twice.

A record the store refuses outright (StoreRejected: a value it cannot take) would block
every row behind it forever, so the flush moves it to the `dead_letter` table of the same
file, logs it, and goes on. An operator lists dead letters and moves them back to the
queue with `flask --app Backend/api_server.py outbox list|retry` (cli/outbox.py).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from domain.records import AnalysisRecord, LabelQuery, ListQuery
from store.document_store import DocumentStore, DuplicateDocument, StoredLater, StoreRejected, StoreUnavailable

log = logging.getLogger(__name__)


@dataclass
class FlushResult:
    sent: int
    already_stored: int
    remaining: int
    stopped: bool = False  # it stopped at an outage (rather than kept by others while it ran)
    dead_lettered: int = 0  # refused by the store and moved to the dead_letter table


@dataclass
class DeadLetter:
    """A record the store refused, as kept in the dead_letter table (without its payload)."""

    seq: int
    doc_table: str
    document_id: str
    error_class: str
    error_message: str
    moved_at: str


def _encode(record: AnalysisRecord) -> str:
    return json.dumps(record.as_dict(), default=str)


def _decode(payload: str) -> AnalysisRecord:
    data = json.loads(payload)
    for key in ("created_at", "reviewed_at"):
        data[key] = datetime.fromisoformat(data[key]) if data[key] else None
    # Entries written by an earlier release lack the newer optional fields; their defaults apply.
    return AnalysisRecord(**{f.name: data[f.name] for f in fields(AnalysisRecord) if f.name in data})


def _readable(payload: str) -> AnalysisRecord:
    """The kept record; StoreRejected if the payload cannot be read (no store would ever take it)."""
    try:
        return _decode(payload)
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreRejected("The outbox entry cannot be read back as an analysis", cause=type(exc).__name__) from None


class Outbox:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("""create table if not exists outbox (
                seq integer primary key autoincrement,
                doc_table text not null,
                document_id text not null unique,
                payload text not null)""")
            # Records the store refused (StoreRejected); the messages name no values. A document is
            # here at most once: refused again after a retry, its newer refusal replaces the older.
            conn.execute("""create table if not exists dead_letter (
                seq integer primary key autoincrement,
                doc_table text not null,
                document_id text not null unique,
                payload text not null,
                error_class text not null,
                error_message text not null,
                moved_at text not null)""")
        self._flush_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("pragma journal_mode=wal")
        conn.execute("pragma synchronous=full")  # the outbox is the only copy: no loss on power failure
        return conn

    def put(self, table: str, record: AnalysisRecord) -> None:
        self.put_many(table, [record])

    def put_many(self, table: str, records: list[AnalysisRecord]) -> None:
        """Keep records, in one transaction; a document id already kept is not kept twice."""
        conn = self._connect()
        try:
            with conn:
                conn.execute("begin")
                conn.executemany(
                    "insert or ignore into outbox (doc_table, document_id, payload) values (?, ?, ?)",
                    [(table, record.document_id, _encode(record)) for record in records],
                )
        finally:
            conn.close()

    def pending(self) -> int:
        conn = self._connect()
        try:
            return conn.execute("select count(*) from outbox").fetchone()[0]
        finally:
            conn.close()

    def dead_letters(self) -> int:
        """How many records the store refused are set aside in the dead_letter table."""
        conn = self._connect()
        try:
            return conn.execute("select count(*) from dead_letter").fetchone()[0]
        finally:
            conn.close()

    def counts(self) -> dict[str, int]:
        """Pending and dead-lettered records, read together (for /readyz)."""
        conn = self._connect()
        try:
            pending = conn.execute("select count(*) from outbox").fetchone()[0]
            dead = conn.execute("select count(*) from dead_letter").fetchone()[0]
            return {"pending": pending, "dead_letters": dead}
        finally:
            conn.close()

    def list_dead_letters(self, limit: int | None = None) -> list[DeadLetter]:
        """Dead letters, oldest first, without their payloads (these hold the document's fields)."""
        conn = self._connect()
        try:
            rows = conn.execute(
                "select seq, doc_table, document_id, error_class, error_message, moved_at "
                "from dead_letter order by seq limit ?",
                (-1 if limit is None else limit,),
            ).fetchall()
        finally:
            conn.close()
        return [DeadLetter(*row) for row in rows]

    def retry_dead_letters(self, document_ids: list[str] | None = None) -> int:
        """Move dead letters (all, or those with these document ids) back to the end of the queue; how many moved.

        A document id that is in the queue already stays there once.
        """
        where, params = "", ()
        if document_ids is not None:
            if not document_ids:
                return 0
            where, params = f" where document_id in ({','.join('?' * len(document_ids))})", tuple(document_ids)
        conn = self._connect()
        try:
            with conn:
                conn.execute("begin immediate")
                conn.execute(
                    "insert or ignore into outbox (doc_table, document_id, payload) "
                    f"select doc_table, document_id, payload from dead_letter{where} order by seq",
                    params,
                )
                return conn.execute(f"delete from dead_letter{where}", params).rowcount
        finally:
            conn.close()

    def _dead_letter(self, conn: sqlite3.Connection, seq: int, error: StoreRejected) -> bool:
        """Move the row `seq` from the queue to dead_letter in one transaction; False if another process did."""
        moved_at = datetime.now(UTC).isoformat()
        with conn:
            conn.execute("begin immediate")
            conn.execute(
                "insert or replace into dead_letter (doc_table, document_id, payload, error_class, "
                "error_message, moved_at) select doc_table, document_id, payload, ?, ?, ? from outbox "
                "where seq = ?",
                (error.cause, str(error), moved_at, seq),
            )
            return conn.execute("delete from outbox where seq = ?", (seq,)).rowcount == 1

    def flush(self, store: DocumentStore, wait: float | None = None) -> FlushResult | None:
        """Send pending analyses oldest first; stops at the first outage so the order is kept.

        While another thread flushes, waits for it (at most `wait` seconds when given, then
        returns None): a request must not queue behind a flush that is waiting out the
        store's timeout.
        """
        sent = already = dead = 0
        stopped = False
        if not self._flush_lock.acquire(timeout=-1 if wait is None else wait):
            return None
        try:
            conn = self._connect()
            try:
                rows = conn.execute("select seq, doc_table, document_id, payload from outbox order by seq").fetchall()
                for seq, table, document_id, payload in rows:
                    try:
                        store.save_analysis(table, _readable(payload))
                        sent += 1
                    except DuplicateDocument:
                        already += 1  # it reached the store before; done
                    except StoreRejected as exc:
                        # Retrying will not help, and it must not hold back the rows behind it.
                        if self._dead_letter(conn, seq, exc):
                            dead += 1
                            # Table, id and error class only: the message of a foreign store could quote values.
                            log.error(
                                "Outbox: the store refused document %s of table %s (%s); moved to the "
                                "dead_letter table of %s",
                                document_id,
                                table,
                                exc.cause,
                                self.path,
                            )
                        continue
                    except StoreUnavailable:
                        stopped = True
                        break
                    conn.execute("delete from outbox where seq = ?", (seq,))
                remaining = conn.execute("select count(*) from outbox").fetchone()[0]
            finally:
                conn.close()
        finally:
            self._flush_lock.release()
        if sent or already or dead:
            log.info(
                "Outbox flushed: %d stored, %d already stored, %d dead-lettered, %d remaining",
                sent,
                already,
                dead,
                remaining,
            )
        return FlushResult(sent, already, remaining, stopped, dead)


class OutboxDocumentStore(DocumentStore):
    """A document store whose writes survive outages: what cannot be stored now goes to the outbox.

    New analyses are only sent straight to the store once what waited in the outbox is
    stored, so analyses reach the store in the order they were made. A request waits at most
    `flush_wait` seconds for a flush another thread (or the background flusher) is running;
    then its analysis goes to the outbox too. So during an outage only the request probing
    the store waits out the store's timeout, while a flush that drains normally still holds
    new requests back for a moment rather than letting the outbox grow.
    """

    FLUSH_WAIT_SECONDS = 1.0

    def __init__(self, store: DocumentStore, outbox: Outbox, flush_wait: float = FLUSH_WAIT_SECONDS):
        self.store = store
        self.outbox = outbox
        self.flush_wait = flush_wait
        # Checked in memory on every request; the file is only read when something may be waiting.
        self._maybe_pending = outbox.pending() > 0
        self._kept = 0  # analyses put in the outbox by this process, to notice puts during a flush

    def save_analysis(self, table: str, record: AnalysisRecord) -> None:
        self._save(table, [record], lambda: self.store.save_analysis(table, record))

    def save_analyses(self, table: str, records: list[AnalysisRecord]) -> None:
        self._save(table, records, lambda: self.store.save_analyses(table, records))

    def _save(self, table: str, records: list[AnalysisRecord], send) -> None:
        if self._maybe_pending:
            result = self._flush(wait=self.flush_wait)
            if result is None or result.stopped:  # another thread is still flushing, or the store is away
                self._keep(table, records)
            # Otherwise everything waiting when the flush began is stored; rows kept meanwhile come
            # from requests as recent as this one, and the next flush takes them.
        try:
            send()
        except StoreUnavailable:
            self._keep(table, records)

    def _keep(self, table: str, records: list[AnalysisRecord]) -> None:
        self.outbox.put_many(table, records)
        self._kept += 1
        self._maybe_pending = True
        raise StoredLater("The document store is unavailable; the analysis is kept in the local outbox")

    @property
    def last_read_report(self):
        """The wrapped store's report on its last paged read, where it keeps one (Supabase)."""
        return getattr(self.store, "last_read_report", None)

    def flush(self) -> FlushResult:
        return self._flush(wait=None)

    def _flush(self, wait: float | None) -> FlushResult | None:
        kept_before = self._kept
        result = self.outbox.flush(self.store, wait=wait)
        if result is not None:
            # Something kept while the flush ran may not be in its count: then it stays pending.
            self._maybe_pending = result.remaining > 0 or self._kept != kept_before
        return result

    def get_analysis(self, table, document_id):
        return self.store.get_analysis(table, document_id)

    def list_analyses(self, table: str, query: ListQuery):
        return self.store.list_analyses(table, query)

    def record_review(self, table, document_id, decision, reviewer, notes, at):
        return self.store.record_review(table, document_id, decision, reviewer, notes, at)

    def labelled_documents(self, table: str, query: LabelQuery):
        return self.store.labelled_documents(table, query)

    def count_labelled(self, table: str, query: LabelQuery) -> int:
        return self.store.count_labelled(table, query)

    def recommendation_counts(self, table: str, since):
        return self.store.recommendation_counts(table, since)

    def ping(self) -> bool:
        return self.store.ping()

    def close(self) -> None:
        self.store.close()


def start_flusher(store: OutboxDocumentStore, every_seconds: float) -> threading.Event:
    """Flush the outbox every `every_seconds` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_seconds):
            try:
                if store.outbox.pending():  # rows this or another process could not store
                    store.flush()
            except Exception:  # keep flushing later; the rows stay in the outbox
                log.exception("Outbox flush failed")

    threading.Thread(target=loop, name="outbox-flusher", daemon=True).start()
    return stop
