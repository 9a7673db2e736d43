"""Group commit for the SQLite document store: one connection per process, one transaction per batch.

Each analysis must be committed before its response goes out. Through SQLAlchemy one
insert and commit costs about 300 microseconds of CPU, and the threads of a worker then
queue for SQLite's single write lock. Here a request queues its rows and takes the
process's write lock; whoever holds it inserts everything queued (its own rows and those
of requests that arrived meanwhile) with the driver's own executemany in one transaction,
commits, and marks them done, so a request that finds its rows done when it gets the lock
has nothing left to do. A lone request thus commits its own rows with no thread hand-off
(that cost a worker with one thread about 60 microseconds a request), and concurrent ones
still share a commit. A request returns only after its rows are committed. Reads stay with SQLAlchemy, and so do the column types:
values are converted by the table's own bind processors, so what is written is exactly
what SQLAlchemy would have written.

A row SQLite refuses (a duplicate document id, a NOT NULL or CHECK constraint, a value
that cannot be bound) fails only the save it belongs to: the batch is retried one save at
a time, so the others are still stored.
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

from .document_store import DuplicateDocument, StoreRejected, StoreUnavailable

log = logging.getLogger(__name__)

MAX_ROWS_PER_TRANSACTION = 512
WAIT_SECONDS = 60.0
CHECKPOINT_SECONDS = 1.0
DUPLICATE_KEY = ("SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE")  # document_id is the only key


def is_duplicate_key(exc: sqlite3.IntegrityError) -> bool:
    """The document id is already stored (rather than a NOT NULL, CHECK or other constraint)."""
    name = getattr(exc, "sqlite_errorname", None)
    if name is not None:
        return name in DUPLICATE_KEY
    return str(exc).startswith("UNIQUE constraint failed")


def sqlite_refusal(exc: BaseException, table: str) -> Exception | None:
    """What SQLite refusing these rows means to the caller: DuplicateDocument, StoreRejected, or None (not a refusal).

    Only the error's class and SQLite's error name are kept: the driver's message can quote values.
    """
    if isinstance(exc, sqlite3.IntegrityError):
        if is_duplicate_key(exc):
            return DuplicateDocument(f"{table} already holds one of these documents")
        code = getattr(exc, "sqlite_errorname", None) or "constraint"
        return StoreRejected(f"{table} refused the analysis (IntegrityError, {code})", cause="IntegrityError")
    if isinstance(exc, sqlite3.DataError):
        return StoreRejected(f"{table} refused the analysis (DataError)", cause="DataError")
    if isinstance(exc, (sqlite3.InterfaceError, sqlite3.ProgrammingError)) and "binding parameter" in str(exc):
        # "Error binding parameter 3: type 'list' is not supported"; other ProgrammingErrors (a closed
        # connection) are about the connection, not the row.
        return StoreRejected(f"{table} refused the analysis (a value of an unsupported type)", cause=type(exc).__name__)
    if isinstance(exc, (OverflowError, UnicodeEncodeError)):  # an integer beyond 64 bits, a lone surrogate
        return StoreRejected(f"{table} refused the analysis (a value it cannot store: {type(exc).__name__})",
                             cause=type(exc).__name__)
    return None


@dataclass
class _Pending:
    table: str
    rows: list[tuple]
    done: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None
    committed: bool = False


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
    """Inserts rows into one SQLite database over one connection, committing what has queued up together."""

    def __init__(self, engine: Engine, tables: dict[str, Table]):
        self.database = engine.url.database
        self.inserts = {name: _TableInsert(table, engine) for name, table in tables.items()}
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._write_lock = threading.Lock()  # held by the thread committing the queue
        self._conn: sqlite3.Connection | None = None
        self._checkpointer: threading.Thread | None = None
        self._stop = threading.Event()

    def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Return once `rows` are committed; DuplicateDocument, StoreRejected or StoreUnavailable otherwise."""
        statement = self.inserts[table]
        try:
            parameters = [statement.parameters(row) for row in rows]
        except (TypeError, ValueError, OverflowError) as exc:
            # A bind processor refused a value (orjson: an integer beyond 64 bits), as SQLAlchemy's StatementError.
            kind = type(exc).__name__
            log.error("SQLite writer cannot convert a value for %s: %s", table, kind)
            raise StoreRejected(f"{table} refused the analysis (a value that cannot be converted: {kind})",
                                cause=kind) from None
        pending = _Pending(table, parameters)
        self._queue.put(pending)
        if not self._write_lock.acquire(timeout=WAIT_SECONDS):
            raise StoreUnavailable("Document store could not save the analysis (the writer did not answer)")
        try:
            while not pending.done.is_set():  # else the previous holder committed it with its own
                self._commit_queued()
        finally:
            self._write_lock.release()
        if pending.error is not None:
            raise pending.error

    def close(self) -> None:
        """Close the connection and stop the checkpointer; a later insert opens them again."""
        self._stop.set()
        if self._checkpointer is not None:
            self._checkpointer.join(timeout=5)
            self._checkpointer = None
        with self._write_lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
        self._stop = threading.Event()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.database, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer thread does it
        return conn

    def _checkpoint(self, stop: threading.Event) -> None:
        conn = None
        while not stop.wait(CHECKPOINT_SECONDS):
            try:
                conn = conn or self._connect()
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:  # busy or unavailable: the next round tries again
                log.debug("WAL checkpoint skipped: %s", type(exc).__name__)
                if conn is not None:
                    conn.close()
                    conn = None
        if conn is not None:
            conn.close()

    def _commit_queued(self) -> None:
        """With the write lock held: insert and commit what is queued (up to a transaction's worth), mark it done."""
        batch: list[_Pending] = []
        rows = 0
        while rows < MAX_ROWS_PER_TRANSACTION:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            batch.append(item)
            rows += len(item.rows)
        if not batch:
            return
        if self._checkpointer is None:
            self._checkpointer = threading.Thread(target=self._checkpoint, args=(self._stop,),
                                                  name="sqlite-checkpointer", daemon=True)
            self._checkpointer.start()
        try:
            self._conn = self._conn or self._connect()
            self._write(self._conn, batch)
        except Exception as exc:  # every save in the batch must get an answer
            log.error("SQLite writer could not store %d analyses: %s", rows, type(exc).__name__)
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # reconnect for the next batch
            for item in batch:
                if not item.committed and item.error is None:
                    item.error = StoreUnavailable("Document store could not save the analysis")
        for item in batch:
            item.done.set()

    def _write(self, conn: sqlite3.Connection, batch: list[_Pending]) -> None:
        try:
            self._transaction(conn, batch)
            return
        except Exception as exc:
            if sqlite_refusal(exc, batch[0].table) is None:
                raise  # the database, not a row: every save in the batch is unavailable
        # Someone's row was refused (a document id already stored, a value SQLite cannot take):
        # find whose, store everyone else's.
        for item in batch:
            try:
                self._transaction(conn, [item])
            except Exception as exc:
                refusal = sqlite_refusal(exc, item.table)
                if refusal is None:
                    raise
                if isinstance(refusal, StoreRejected):
                    log.error("SQLite writer: %s refused one save of %d rows: %s", item.table, len(item.rows),
                              refusal.cause)
                item.error = refusal

    def _transaction(self, conn: sqlite3.Connection, batch: list[_Pending]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for item in batch:
                conn.executemany(self.inserts[item.table].sql, item.rows)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        for item in batch:
            item.committed = True
