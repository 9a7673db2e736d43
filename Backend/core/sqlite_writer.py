"""Group commit for the SQLite document store: one writer thread per process, one transaction per batch.

Each analysis must be committed before its response goes out. Through SQLAlchemy one
insert and commit costs about 300 microseconds of CPU, and the threads of a worker then
queue for SQLite's single write lock. Here a request hands its rows to the process's
writer thread and waits; the writer inserts everything waiting with the driver's own
executemany in one transaction, commits, and wakes the requests. A request still returns
only after its rows are committed. Reads stay with SQLAlchemy, and so do the column types:
values are converted by the table's own bind processors, so what is written is exactly
what SQLAlchemy would have written.
"""
from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import Table
from sqlalchemy.engine import Engine

from .document_store import DuplicateDocument, StoreUnavailable

log = logging.getLogger(__name__)

MAX_ROWS_PER_TRANSACTION = 512
WAIT_SECONDS = 60.0


@dataclass
class _Pending:
    table: str
    rows: list[tuple]
    done: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None


class _TableInsert:
    """The INSERT statement of one table, and how to turn a row dict into its parameters."""

    def __init__(self, table: Table, engine: Engine):
        compiled = table.insert().compile(dialect=engine.dialect)
        self.sql = str(compiled)
        columns = compiled.positiontup  # the order of the ? placeholders
        identity: Callable[[Any], Any] = lambda value: value  # noqa: E731
        dialect = engine.dialect
        processors = {c.name: c.type.dialect_impl(dialect).bind_processor(dialect) or identity for c in table.columns}
        self.convert = [(name, processors[name]) for name in columns]

    def parameters(self, row: dict[str, Any]) -> tuple:
        return tuple(convert(row.get(name)) for name, convert in self.convert)


class SqliteGroupWriter:
    """Inserts rows into one SQLite database from a single thread, committing what has queued up together."""

    def __init__(self, engine: Engine, tables: dict[str, Table]):
        self.database = engine.url.database
        self.inserts = {name: _TableInsert(table, engine) for name, table in tables.items()}
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Return once `rows` are committed; DuplicateDocument or StoreUnavailable otherwise."""
        statement = self.inserts[table]
        pending = _Pending(table, [statement.parameters(row) for row in rows])
        self._ensure_started()
        self._queue.put(pending)
        if not pending.done.wait(WAIT_SECONDS):
            raise StoreUnavailable("Document store could not save the analysis (the writer did not answer)")
        if pending.error is not None:
            raise pending.error

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="sqlite-writer", daemon=True)
                    self._thread.start()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.database, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        while True:
            first = self._queue.get()
            if first is None:
                break
            batch, rows = [first], len(first.rows)
            while rows < MAX_ROWS_PER_TRANSACTION:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(item)
                rows += len(item.rows)
            try:
                conn = conn or self._connect()
                self._write(conn, batch)
            except Exception as exc:  # the waiting requests must always be woken
                log.error("SQLite writer could not store %d analyses: %s", rows, type(exc).__name__)
                if conn is not None:
                    conn.close()
                    conn = None  # reconnect for the next batch
                for item in batch:
                    item.error = StoreUnavailable("Document store could not save the analysis")
            for item in batch:
                item.done.set()
        if conn is not None:
            conn.close()

    def _write(self, conn: sqlite3.Connection, batch: list[_Pending]) -> None:
        try:
            self._transaction(conn, batch)
        except sqlite3.IntegrityError:
            # Someone's document id is already stored: find whose, store everyone else's.
            for item in batch:
                try:
                    self._transaction(conn, [item])
                except sqlite3.IntegrityError:
                    item.error = DuplicateDocument(f"{item.table} already holds one of these documents")

    def _transaction(self, conn: sqlite3.Connection, batch: list[_Pending]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for item in batch:
                conn.executemany(self.inserts[item.table].sql, item.rows)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
