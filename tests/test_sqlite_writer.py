"""Group commit on SQLite: concurrent saves are committed together, each exactly once, errors to their owner."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from core import sqlite_writer
from core.document_store import DuplicateDocument, ListQuery, StoreUnavailable
from core.sql_store import SqlDocumentStore
from test_document_store import TABLES, record


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
    threads = [threading.Thread(target=save, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome == {"taken": "duplicate", **{i: "stored" for i in ids[1:]}}
    assert len(store.list_analyses("paystubs", ListQuery(limit=50))) == 6


def test_a_locked_database_is_unavailable_then_recovers(store, tmp_path, monkeypatch):
    store.save_analysis("paystubs", record("before"))
    monkeypatch.setattr(sqlite_writer.SqliteGroupWriter, "_connect", _impatient(sqlite_writer.SqliteGroupWriter._connect))
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
