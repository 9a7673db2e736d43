"""Group commit for the SQLite document store: one connection per process, one transaction per batch.

Each analysis must be committed before its response goes out. One insert and commit per
analysis through SQLAlchemy costs more CPU than scoring it, and the threads of a worker
then queue for SQLite's single write lock. Here a request queues its rows and takes the
process's write lock; whoever holds it inserts everything queued (its own rows and those
of requests that arrived meanwhile) with the driver's own executemany in one transaction,
commits, and marks them done, so a request that finds its rows done when it gets the lock
has nothing left to do. A lone request thus commits its own rows with no thread hand-off
(which cost a one-thread worker measurably per request), and concurrent ones
still share a commit. A request returns only after its rows are committed. Reads stay with
SQLAlchemy, and so do the column types:
values are converted by the table's own bind processors, so what is written is exactly
what SQLAlchemy would have written.

The worker processes of a server each have their own writer on the same file. SQLite makes
a writer that finds the database locked sleep before it looks again, which put those
sleeps into the slowest few percent of responses, so the writers of
all processes first queue for an exclusive lock on a file beside the database
(`<database>-writer.lock`), which lets the next one in within a fraction of a millisecond.

The figures behind these choices are in docs/benchmarks.md.

A row SQLite refuses (a duplicate document id, a NOT NULL or CHECK constraint, a value
that cannot be bound) fails only the save it belongs to: the batch is retried one save at
a time, so the others are still stored.
"""

from __future__ import annotations

import fcntl
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Engine

from store.document_store import DuplicateDocument, StoreRejected, StoreUnavailable

log = logging.getLogger(__name__)

MAX_ROWS_PER_TRANSACTION = 512
WAIT_SECONDS = 60.0
CHECKPOINT_SECONDS = 1.0
PROCESS_LOCK_SECONDS = 10.0  # as long as SQLite's own busy timeout
WAL_RESTART_FRAMES = 16384  # 64 MB of 4 KB pages
WAL_SIZE_LIMIT = 128 * 1024 * 1024
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
        return StoreRejected(
            f"{table} refused the analysis (a value it cannot store: {type(exc).__name__})", cause=type(exc).__name__
        )
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


class ProcessWriteLock:
    """An exclusive lock on a file beside the database, shared by the writers of every process.

    Each process opens the file itself (a lock held through a descriptor inherited across a
    fork would be shared with the parent). A holder that dies releases it with its descriptors.
    Not filelock's FileLock, which the training locks use: it opens and closes the file on
    every acquire, which costs far more than this lock, and this one is taken per commit.
    """

    def __init__(self, path: str, timeout: float = PROCESS_LOCK_SECONDS):
        self.path = path
        self.timeout = timeout
        self._fd: int | None = None
        self._pid = 0

    def try_acquire(self) -> bool:
        """Take the lock if no one holds it; True if taken."""
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def acquire(self) -> None:
        """Take the lock, waiting up to `timeout` seconds; sqlite3.OperationalError past it."""
        deadline = time.monotonic() + self.timeout
        pause = 0.00005
        while not self.try_acquire():
            # Not a blocking flock: a process stopped while holding it must not hang this one for good.
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError("another process holds the writer lock")
            time.sleep(pause)
            pause = min(pause * 2, 0.001)

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None


def checkpoint_wal(conn: sqlite3.Connection, lock: ProcessWriteLock, restart_frames: int) -> tuple[int, int]:
    """Copy the WAL into the database beside the writers; returns (frames, copied).

    Past `restart_frames`, make sure the next write starts the WAL over. Under steady writes
    they always add frames while a passive checkpoint copies, so it never catches up and
    the WAL never starts over: it grew by gigabytes in a few minutes of load. So then the
    frames added meanwhile are copied with the writers of every process held off for two
    fsyncs, which is why not every round. (The first pass's
    count says nothing of those frames: it counts only those there when it began.)
    """
    busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    if not busy and frames >= restart_frames:
        lock.acquire()
        try:
            _, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            lock.release()
    return frames, copied


class SqliteGroupWriter:
    """Inserts rows into one SQLite database over one connection, committing what has queued up together."""

    def __init__(self, engine: Engine, tables: dict[str, Table]):
        self.database = engine.url.database
        self.inserts = {name: _TableInsert(table, engine) for name, table in tables.items()}
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._write_lock = threading.Lock()  # held by the thread committing the queue
        self._process_lock = ProcessWriteLock(f"{self.database}-writer.lock")  # and by that thread's process
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
            raise StoreRejected(
                f"{table} refused the analysis (a value that cannot be converted: {kind})", cause=kind
            ) from None
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
            self._process_lock.close()
        self._stop = threading.Event()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.database, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer thread does it
        conn.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")  # what a restarted WAL is cut back to
        return conn

    def _checkpoint(self, stop: threading.Event) -> None:
        conn = None
        # Its own descriptor: a flock taken through the writer's would not keep the writer out.
        lock = ProcessWriteLock(self._process_lock.path)
        # One process checkpoints a database: whichever took this first, until it exits.
        leader = ProcessWriteLock(f"{self.database}-checkpointer.lock")
        while not stop.wait(CHECKPOINT_SECONDS):
            if not leader.try_acquire():
                continue
            try:
                conn = conn or self._connect()
                checkpoint_wal(conn, lock, WAL_RESTART_FRAMES)
            except sqlite3.Error as exc:  # busy or unavailable: the next round tries again
                log.debug("WAL checkpoint skipped: %s", type(exc).__name__)
                if conn is not None:
                    conn.close()
                    conn = None
        if conn is not None:
            conn.close()
        lock.close()
        leader.close()

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
            self._checkpointer = threading.Thread(
                target=self._checkpoint, args=(self._stop,), name="sqlite-checkpointer", daemon=True
            )
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
                    log.error(
                        "SQLite writer: %s refused one save of %d rows: %s", item.table, len(item.rows), refusal.cause
                    )
                item.error = refusal

    def _transaction(self, conn: sqlite3.Connection, batch: list[_Pending]) -> None:
        self._process_lock.acquire()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for item in batch:
                    conn.executemany(self.inserts[item.table].sql, item.rows)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            self._process_lock.release()
        for item in batch:
            item.committed = True
