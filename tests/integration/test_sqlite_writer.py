"""Group commit on SQLite: concurrent saves are committed together, each exactly once, errors to their owner."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from domain.records import ListQuery
from store import sqlite_writer
from store.document_store import DuplicateDocument, StoreUnavailable
from store.sql import SqlDocumentStore
from support.stores import TABLES, record, run_at_once


@pytest.fixture
def store(tmp_path):
    store = SqlDocumentStore(f"sqlite:///{tmp_path / 'documents.db'}", TABLES)
    yield store
    store.close()


def test_concurrent_saves_are_grouped_and_all_stored_once(store, monkeypatch):
    transactions = []
    original = sqlite_writer.SqliteGroupWriter._transaction

    def counting(self, conn, batch):
        transactions.append(sum(len(item.rows) for item in batch))
        original(self, conn, batch)

    monkeypatch.setattr(sqlite_writer.SqliteGroupWriter, "_transaction", counting)
    errors = []

    def save(thread: int) -> None:
        for i in range(25):
            try:
                store.save_analysis("paystubs", record(f"t{thread}-{i}", minutes=i))
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=save, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = store.list_analyses("paystubs", ListQuery(limit=500))
    assert sorted(r.document_id for r in stored) == sorted(f"t{t}-{i}" for t in range(8) for i in range(25))
    assert sum(transactions) == 200
    assert len(transactions) < 200, "some saves should have shared a transaction"
    # Read back through SQLAlchemy exactly as written: same time, same JSON.
    first = store.get_analysis("paystubs", "t0-0")
    assert first.created_at == record("t0-0", minutes=0).created_at and first.features == record("x").features


def test_a_duplicate_fails_only_its_own_save(store):
    store.save_analysis("paystubs", record("taken"))
    barrier = threading.Barrier(6)
    outcome = {}

    def save(document_id: str) -> None:
        barrier.wait()
        try:
            store.save_analysis("paystubs", record(document_id))
            outcome[document_id] = "stored"
        except DuplicateDocument:
            outcome[document_id] = "duplicate"

    ids = ["taken", "a", "b", "c", "d", "e"]
    run_at_once(save, ids)
    assert outcome == {"taken": "duplicate", **{i: "stored" for i in ids[1:]}}
    assert len(store.list_analyses("paystubs", ListQuery(limit=50))) == 6


def test_a_locked_database_is_unavailable_then_recovers(store, tmp_path, monkeypatch):
    store.save_analysis("paystubs", record("before"))
    monkeypatch.setattr(
        sqlite_writer.SqliteGroupWriter, "_connect", _impatient(sqlite_writer.SqliteGroupWriter._connect)
    )
    store._writer.close()  # the next save starts a writer with an impatient connection
    locker = sqlite3.connect(tmp_path / "documents.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    with pytest.raises(StoreUnavailable):
        store.save_analysis("paystubs", record("during"))
    locker.execute("ROLLBACK")
    locker.close()
    store.save_analysis("paystubs", record("after"))
    assert sorted(r.document_id for r in store.list_analyses("paystubs", ListQuery())) == ["after", "before"]


def _impatient(connect):
    def wrapped(self):
        conn = connect(self)
        conn.execute("PRAGMA busy_timeout=200")
        return conn

    return wrapped


def test_the_wal_starts_over_under_steady_writes(store, tmp_path, monkeypatch):
    """A passive checkpoint alone never catches up with writers that never pause, so the WAL
    grew without bound (gigabytes in minutes under load); past the restart size, the frames
    left over are copied with the writers held off, and the WAL starts over."""
    monkeypatch.setattr(sqlite_writer, "CHECKPOINT_SECONDS", 0.02)
    monkeypatch.setattr(sqlite_writer, "WAL_RESTART_FRAMES", 50)
    store._writer.close()  # restart the checkpointer with the short period
    stop = threading.Event()
    commits = []

    def write(thread: int) -> None:
        i = 0
        while not stop.is_set():
            store.save_analysis("paystubs", record(f"w{thread}-{i}"))
            commits.append(1)
            i += 1

    threads = [threading.Thread(target=write, args=(t,)) for t in range(3)]
    for thread in threads:
        thread.start()
    threading.Event().wait(2.0)
    stop.set()
    for thread in threads:
        thread.join()
    conn = sqlite3.connect(tmp_path / "documents.db", isolation_level=None)
    _, frames_now, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    conn.close()
    # Every commit adds at least a table page and an index page: without a restart the WAL holds them all.
    assert len(commits) > 300
    assert frames_now < len(commits), (frames_now, len(commits))


def _wal_database(path: str, rows: int) -> sqlite3.Connection:
    """A WAL database with table t of `rows` rows, each its own commit, none checkpointed yet."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (x)")
    for i in range(rows):
        conn.execute("INSERT INTO t VALUES (?)", (i,))
    return conn


def test_checkpoint_holds_the_writers_off_only_past_the_restart_size(tmp_path):
    path = str(tmp_path / "c.db")
    conn = _wal_database(path, rows=20)
    other_process = sqlite_writer.ProcessWriteLock(f"{path}-writer.lock", timeout=0.05)
    assert other_process.try_acquire()
    lock = sqlite_writer.ProcessWriteLock(f"{path}-writer.lock", timeout=0.05)
    frames, copied = sqlite_writer.checkpoint_wal(conn, lock, restart_frames=10_000)
    assert frames == copied > 0  # below the restart size: done beside the writers, the lock never asked for
    with pytest.raises(sqlite3.OperationalError):  # past it: the lock is needed, and a holder keeps it out
        sqlite_writer.checkpoint_wal(conn, lock, restart_frames=1)
    other_process.release()
    frames, copied = sqlite_writer.checkpoint_wal(conn, lock, restart_frames=1)
    assert frames == copied
    conn.close()


def test_writers_of_different_processes_take_turns(tmp_path):
    """The lock beside the database is held per open file, so two descriptors exclude each other as two
    processes do; a holder that is gone (its descriptor closed, as when it dies) frees it."""
    path = str(tmp_path / "documents.db-writer.lock")
    first = sqlite_writer.ProcessWriteLock(path, timeout=0.05)
    second = sqlite_writer.ProcessWriteLock(path, timeout=0.05)
    first.acquire()
    assert not second.try_acquire()
    with pytest.raises(sqlite3.OperationalError):
        second.acquire()
    first.close()
    second.acquire()
    second.release()
    assert first.try_acquire()


def test_a_save_waits_for_another_process_then_gives_up_as_unavailable(store, tmp_path, monkeypatch):
    import subprocess
    import sys

    store.save_analysis("paystubs", record("before"))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            f"{tmp_path / 'documents.db'}-writer.lock",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(store._writer._process_lock, "timeout", 0.2)
        with pytest.raises(StoreUnavailable):
            store.save_analysis("paystubs", record("during"))
    finally:
        holder.kill()
        holder.wait()
    store.save_analysis("paystubs", record("after"))  # the holder died: its lock went with it
    assert sorted(r.document_id for r in store.list_analyses("paystubs", ListQuery())) == ["after", "before"]


@pytest.mark.parametrize("restart_frames, starts_over", [(1, True), (10**9, False)])
def test_frames_written_during_the_checkpoint_are_copied_so_the_wal_starts_over(tmp_path, restart_frames, starts_over):
    """A write lands while the first, passive pass copies (as under steady load); past the restart size
    the locked pass copies it too and the next write starts the WAL over; below it (the lone passive
    pass, as before) the WAL keeps every frame."""
    path = str(tmp_path / "c.db")
    writer = _wal_database(path, rows=30)

    reader = sqlite3.connect(path, isolation_level=None)

    class WriteDuringFirstPass:
        """The first pass cannot copy a write that lands while it runs; a reader pinning the frames
        before that write, for the first pass's length, gives the pass the same view."""

        def __init__(self, conn):
            self.conn, self.calls = conn, 0

        def execute(self, sql):
            self.calls += 1
            if self.calls > 1:
                return self.conn.execute(sql)
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM t").fetchone()
            writer.execute("INSERT INTO t VALUES (-1)")
            cursor = self.conn.execute(sql)
            reader.execute("COMMIT")
            return cursor

    checkpointer = sqlite3.connect(path, isolation_level=None)
    lock = sqlite_writer.ProcessWriteLock(f"{path}-writer.lock")
    sqlite_writer.checkpoint_wal(WriteDuringFirstPass(checkpointer), lock, restart_frames)
    writer.execute("INSERT INTO t VALUES (-2)")
    _, frames, _ = checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert (frames <= 2) is starts_over, frames
    assert writer.execute("SELECT count(*) FROM t").fetchone()[0] == 32
    for conn in (writer, reader, checkpointer):
        conn.close()
