"""The durable outbox: analyses made while the store is away are kept, then stored in order, exactly once."""

from __future__ import annotations

import pytest

from domain.records import ListQuery
from store.document_store import StoredLater, StoreUnavailable
from store.outbox import Outbox, OutboxDocumentStore
from store.sql import SqlDocumentStore
from support.stores import TABLES, record


class FlakyStore(SqlDocumentStore):
    """A real SQLite store that can be switched off, and remembers the order it received analyses in."""

    def __init__(self, url):
        super().__init__(url, TABLES)
        self.down = False
        self.received = []

    def save_analysis(self, table, rec):
        if self.down:
            raise StoreUnavailable("database is away")
        super().save_analysis(table, rec)
        self.received.append(rec.document_id)


@pytest.fixture
def flaky(tmp_path):
    return FlakyStore(f"sqlite:///{tmp_path}/store.db")


@pytest.fixture
def store(flaky, tmp_path):
    return OutboxDocumentStore(flaky, Outbox(tmp_path / "outbox.db"))


def test_outage_keeps_analyses_and_recovery_stores_them_in_order_once(store, flaky):
    store.save_analysis("paystubs", record("before", 0))
    flaky.down = True
    for i in range(5):
        with pytest.raises(StoredLater):
            store.save_analysis("paystubs", record(f"outage-{i}", i + 1))
    assert store.outbox.pending() == 5
    flaky.down = False
    store.save_analysis("paystubs", record("after", 10))  # flushes the outbox first, so order holds
    assert flaky.received == ["before", *[f"outage-{i}" for i in range(5)], "after"]
    assert store.outbox.pending() == 0
    stored = store.list_analyses("paystubs", ListQuery(limit=100))
    assert len(stored) == 7 and len({r.document_id for r in stored}) == 7


def test_flush_stops_at_an_outage_and_resumes(store, flaky):
    flaky.down = True
    for i in range(3):
        with pytest.raises(StoredLater):
            store.save_analysis("checks", record(f"c{i}", i))
    result = store.flush()
    assert (result.sent, result.remaining) == (0, 3)
    flaky.down = False
    result = store.flush()
    assert (result.sent, result.already_stored, result.remaining) == (3, 0, 0)
    assert flaky.received == ["c0", "c1", "c2"]


def test_a_row_that_reached_the_store_before_a_crash_is_not_stored_twice(store, flaky):
    flaky.save_analysis("paystubs", record("sent-then-crashed"))
    store.outbox.put("paystubs", record("sent-then-crashed"))  # the delete from the outbox never happened
    store.outbox.put("paystubs", record("fresh", 1))
    result = store.flush()
    assert (result.sent, result.already_stored, result.remaining) == (1, 1, 0)
    assert flaky.received.count("sent-then-crashed") == 1


def test_outbox_survives_a_restart(flaky, tmp_path):
    first = OutboxDocumentStore(flaky, Outbox(tmp_path / "outbox.db"))
    flaky.down = True
    with pytest.raises(StoredLater):
        first.save_analysis("paystubs", record("kept"))
    flaky.down = False
    second = OutboxDocumentStore(flaky, Outbox(tmp_path / "outbox.db"))  # a new process, same file
    assert second.flush().sent == 1
    assert second.get_analysis("paystubs", "kept") is not None


def test_api_answers_stored_false_during_an_outage_and_stores_later(client):
    store = client.application.extensions["fraud_detection"].store
    inner_save = store.store.save_analysis

    def down(*_args, **_kwargs):
        raise StoreUnavailable("database is away")

    store.store.save_analysis = down
    document = client.application.extensions["fraud_detection"].types["paystub"].generator.generate(1, 3).documents[0]
    response = client.post("/api/paystubs/analyze", json=document)
    assert response.status_code == 200 and response.json["stored"] is False
    assert "kept locally" in response.json["warnings"][-1]
    document_id = response.json["document_id"]
    assert client.get(f"/api/paystubs/{document_id}").status_code == 404
    store.store.save_analysis = inner_save
    assert store.flush().sent == 1
    stored = client.get(f"/api/paystubs/{document_id}").json
    assert stored["risk_score"] == response.json["risk_score"]
