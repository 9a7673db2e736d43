"""Dead letters: a record the store refuses must not block the outbox.

The outbox flushes oldest first and stops at the first outage. A record the store answers
and refuses (StoreRejected) would stop it forever; instead it is moved to the outbox
file's dead_letter table, logged without values, and the rows behind it are stored. Covered:
a refusal injected for one id, real refusals by SQLite (group writer) and PostgreSQL, the
group writer attributing a refusal to its own save, Supabase's 4xx classification,
/readyz counts and the `outbox list|retry` CLI.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading

import httpx
import pytest
import respx
from sqlalchemy import text

from domain.records import ListQuery
from store import sqlite_writer
from store.document_store import DuplicateDocument, StoredLater, StoreRejected, StoreUnavailable
from store.outbox import Outbox, OutboxDocumentStore
from store.sql import SqlDocumentStore, _row
from store.supabase import SupabaseDocumentStore
from support.app import make_config
from support.postgrest_fake import REST, FakePostgrest, error
from support.stores import TABLES, record, run_at_once
from web.schemas import ReadinessResponse

NAME = "Zoë Ünïcode"  # record()'s employee name: it must never reach a log line or a dead letter's message


class RecordingStore(SqlDocumentStore):
    """A real SQL store that remembers what it stored, in order; it can be down, or refuse chosen ids."""

    def __init__(self, url, create=True):
        super().__init__(url, TABLES, create=create)
        self.down = False
        self.refuse: set[str] = set()
        self.received: list[str] = []

    def save_analysis(self, table, rec):
        if self.down:
            raise StoreUnavailable("database is away")
        if rec.document_id in self.refuse:
            raise StoreRejected(
                "paystubs refused the analysis (IntegrityError, SQLITE_CONSTRAINT_CHECK)", cause="IntegrityError"
            )
        super().save_analysis(table, rec)
        self.received.append(rec.document_id)


@pytest.fixture
def inner(tmp_path):
    s = RecordingStore(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


def stored_counts(store: SqlDocumentStore, table: str = "paystubs") -> dict[str, int]:
    """document_id -> how many rows the table holds for it (straight from the database)."""
    with store.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT document_id, COUNT(*) FROM {table} GROUP BY document_id")).all()
    return {document_id: n for document_id, n in rows}


def assert_dead_lettered(outbox: Outbox, result, inner: RecordingStore, good: list[str], poison: str, cause: str):
    assert (result.sent, result.already_stored, result.dead_lettered, result.remaining, result.stopped) == (
        len(good),
        0,
        1,
        0,
        False,
    )
    assert inner.received == good  # in order, the rows after the poison included
    assert stored_counts(inner) == {document_id: 1 for document_id in good}  # each exactly once, the poison never
    assert outbox.pending() == 0 and outbox.dead_letters() == 1
    [letter] = outbox.list_dead_letters()
    assert (letter.doc_table, letter.document_id, letter.error_class) == ("paystubs", poison, cause)
    assert letter.moved_at and NAME not in letter.error_message
    again = outbox.flush(inner)  # nothing left to send, nothing sent twice
    assert (again.sent, again.dead_lettered, again.remaining) == (0, 0, 0)
    assert inner.received == good


# the outbox ----------------------------------------------------------------------------------


def test_a_refused_row_is_dead_lettered_and_the_rows_around_it_are_stored_once(inner, tmp_path, caplog):
    store = OutboxDocumentStore(inner, Outbox(tmp_path / "outbox.db"))
    inner.down = True
    ids = ["good-0", "good-1", "poison", "good-2", "good-3"]
    for i, document_id in enumerate(ids):
        with pytest.raises(StoredLater):
            store.save_analysis("paystubs", record(document_id, i))
    assert store.outbox.pending() == 5
    inner.down = False
    inner.refuse = {"poison"}
    with caplog.at_level(logging.INFO):
        store.save_analysis("paystubs", record("after", 10))  # flushes first: the poison must not stop it
    assert inner.received == ["good-0", "good-1", "good-2", "good-3", "after"]
    assert stored_counts(inner) == {i: 1 for i in ["good-0", "good-1", "good-2", "good-3", "after"]}
    assert store.outbox.pending() == 0 and store.outbox.dead_letters() == 1
    [letter] = store.outbox.list_dead_letters()
    assert (letter.doc_table, letter.document_id, letter.error_class) == ("paystubs", "poison", "IntegrityError")
    refused = [r for r in caplog.records if "dead_letter" in r.getMessage()]
    assert len(refused) == 1 and refused[0].levelno == logging.ERROR
    assert all(word in refused[0].getMessage() for word in ("poison", "paystubs", "IntegrityError"))
    assert NAME not in caplog.text and "$1,000.00" not in caplog.text
    # The dead letter keeps the whole record, for a retry.
    with sqlite3.connect(store.outbox.path) as conn:
        [(payload,)] = conn.execute("select payload from dead_letter").fetchall()
    assert json.loads(payload)["raw_fields"]["employee_name"] == NAME


def test_a_new_analysis_the_store_refuses_answers_not_stored_and_is_dead_lettered_at_the_next_flush(inner, tmp_path):
    store = OutboxDocumentStore(inner, Outbox(tmp_path / "outbox.db"))
    inner.refuse = {"poison"}
    with pytest.raises(StoredLater):  # still "stored: false", kept in the outbox, as for an outage
        store.save_analysis("paystubs", record("poison"))
    assert store.outbox.pending() == 1 and store.outbox.dead_letters() == 0
    store.save_analysis("paystubs", record("next", 1))
    assert inner.received == ["next"]
    assert (store.outbox.pending(), store.outbox.dead_letters()) == (0, 1)


def test_retry_moves_dead_letters_back_to_the_queue(inner, tmp_path):
    outbox = Outbox(tmp_path / "outbox.db")
    for i, document_id in enumerate(["a", "poison-1", "poison-2", "b"]):
        outbox.put("paystubs", record(document_id, i))
    inner.refuse = {"poison-1", "poison-2"}
    assert outbox.flush(inner).dead_lettered == 2
    assert outbox.retry_dead_letters(["poison-2", "not-a-dead-letter"]) == 1
    assert (outbox.pending(), outbox.dead_letters()) == (1, 1)
    result = outbox.flush(inner)  # still refused: back to dead_letter, once
    assert (result.dead_lettered, result.remaining) == (1, 0)
    assert sorted(letter.document_id for letter in outbox.list_dead_letters()) == ["poison-1", "poison-2"]
    inner.refuse = set()  # the cause is fixed
    assert outbox.retry_dead_letters() == 2
    assert (outbox.pending(), outbox.dead_letters()) == (2, 0)
    result = outbox.flush(inner)
    assert (result.sent, result.dead_lettered, result.remaining) == (2, 0, 0)
    assert inner.received == ["a", "b", "poison-1", "poison-2"]
    assert stored_counts(inner) == {"a": 1, "b": 1, "poison-1": 1, "poison-2": 1}


def test_an_outbox_entry_that_cannot_be_read_is_dead_lettered(inner, tmp_path):
    outbox = Outbox(tmp_path / "outbox.db")
    outbox.put("paystubs", record("a"))
    with sqlite3.connect(outbox.path) as conn:
        conn.execute("insert into outbox (doc_table, document_id, payload) values ('paystubs', 'broken', '{\"x\": 1}')")
    outbox.put("paystubs", record("b", 1))
    result = outbox.flush(inner)
    assert (result.sent, result.dead_lettered, result.remaining) == (2, 1, 0)
    assert [letter.document_id for letter in outbox.list_dead_letters()] == ["broken"]


def test_an_outage_still_stops_the_flush_and_keeps_the_order(inner, tmp_path):
    outbox = Outbox(tmp_path / "outbox.db")
    for i in range(3):
        outbox.put("paystubs", record(f"r{i}", i))
    inner.down = True
    result = outbox.flush(inner)
    assert (result.sent, result.dead_lettered, result.remaining, result.stopped) == (0, 0, 3, True)
    assert outbox.dead_letters() == 0


# real refusals: SQLite (group writer) and PostgreSQL -------------------------------------------


def _nan_score(rec):
    rec.risk_score = float("nan")  # SQLite stores NaN as NULL: NOT NULL constraint


def _no_risk_level(rec):
    rec.risk_level = None


def _json_int_beyond_64_bits(rec):
    rec.raw_fields = {**rec.raw_fields, "check_number": 2**70}  # orjson, the JSON columns' encoder, refuses it


def _unbindable(rec):
    rec.risk_level = ["LOW"]  # a list in a text column: the driver cannot bind it


def _column_int_beyond_64_bits(rec):
    rec.model_version = 2**70  # a text column without a converter: SQLite cannot bind the integer


SQLITE_POISON = {
    "nan-score": (_nan_score, "IntegrityError"),
    "null-risk-level": (_no_risk_level, "IntegrityError"),
    "json-int-beyond-64-bits": (_json_int_beyond_64_bits, "TypeError"),  # orjson.JSONEncodeError is a TypeError
    "unbindable-list": (_unbindable, "ProgrammingError"),
    "column-int-beyond-64-bits": (_column_int_beyond_64_bits, "OverflowError"),
}


def poison(document_id: str, spoil) -> object:
    rec = record(document_id, 2)
    spoil(rec)
    return rec


@pytest.mark.parametrize("kind", SQLITE_POISON)
def test_a_row_sqlite_refuses_is_dead_lettered(inner, tmp_path, kind, caplog):
    spoil, cause = SQLITE_POISON[kind]
    with pytest.raises(StoreRejected):  # the store itself says so, without the outbox
        inner.save_analysis("paystubs", poison("direct", spoil))
    outbox = Outbox(tmp_path / "outbox.db")
    for rec in [
        record("good-0", 0),
        record("good-1", 1),
        poison("poison", spoil),
        record("good-2", 3),
        record("good-3", 4),
    ]:
        outbox.put("paystubs", rec)
    with caplog.at_level(logging.DEBUG):
        result = outbox.flush(inner)
    assert_dead_lettered(outbox, result, inner, ["good-0", "good-1", "good-2", "good-3"], "poison", cause)
    assert NAME not in caplog.text


@pytest.fixture
def pg_inner(postgres_url):
    s = RecordingStore(postgres_url)
    yield s
    s.close()


def _too_long_model_version(rec):
    rec.model_version = "v" * 40  # varchar(32)


def _nul_in_json(rec):
    rec.raw_fields = {**rec.raw_fields, "memo": "scanned\x00text"}  # jsonb cannot hold \u0000


POSTGRES_POISON = {
    "value-too-long": (_too_long_model_version, "DataError"),
    "nul-in-jsonb": (_nul_in_json, "DataError"),
    "null-risk-level": (_no_risk_level, "IntegrityError"),
    "json-int-beyond-64-bits": (_json_int_beyond_64_bits, "TypeError"),  # psycopg's JSON dumper, unwrapped
}


@pytest.mark.postgres
@pytest.mark.parametrize("kind", POSTGRES_POISON)
def test_a_row_postgres_refuses_is_dead_lettered(pg_inner, tmp_path, kind, caplog):
    spoil, cause = POSTGRES_POISON[kind]
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(StoreRejected):
            pg_inner.save_analysis("paystubs", poison("direct", spoil))
        outbox = Outbox(tmp_path / "outbox.db")
        for rec in [record("good-0", 0), record("good-1", 1), poison("poison", spoil), record("good-2", 3)]:
            outbox.put("paystubs", rec)
        result = outbox.flush(pg_inner)
    assert_dead_lettered(outbox, result, pg_inner, ["good-0", "good-1", "good-2"], "poison", cause)
    assert NAME not in caplog.text and "scanned" not in caplog.text


@pytest.mark.postgres
def test_postgres_check_constraint_of_the_supabase_schema_is_a_refusal(postgres_url):
    from support.supabase_schema import apply_migrations

    apply_migrations(postgres_url)
    store = SqlDocumentStore(postgres_url, TABLES, create=False)
    try:
        rec = record("bad-level")
        rec.risk_level = "SEVERE"
        with pytest.raises(StoreRejected) as refused:
            store.save_analysis("paystubs", rec)
        assert refused.value.cause == "IntegrityError" and "23514" in str(refused.value)
        store.save_analysis("paystubs", record("fine"))
        with pytest.raises(DuplicateDocument):  # the duplicate key is still a duplicate, not a refusal
            store.save_analysis("paystubs", record("fine"))
    finally:
        store.close()


def test_an_unreachable_database_is_unavailable_not_a_refusal():
    store = SqlDocumentStore("postgresql://postgres@127.0.0.1:9/none", TABLES, create=False)  # nothing listens
    try:
        with pytest.raises(StoreUnavailable) as outage:
            store.save_analysis("paystubs", record("a"))
        assert not isinstance(outage.value, StoreRejected)
    finally:
        store.close()


def test_in_memory_sqlite_refusals_through_sqlalchemy():
    store = SqlDocumentStore("sqlite://", TABLES)  # no group writer: SQLAlchemy's own insert
    try:
        store.save_analysis("paystubs", record("a"))
        with pytest.raises(DuplicateDocument):
            store.save_analysis("paystubs", record("a"))
        for spoil, _ in SQLITE_POISON.values():
            with pytest.raises(StoreRejected):
                store.save_analysis("paystubs", poison("b", spoil))
        assert [r.document_id for r in store.list_analyses("paystubs", ListQuery())] == ["a"]
    finally:
        store.close()


# the SQLite group writer attributes a refusal to its own save --------------------------------


def test_the_group_writer_attributes_a_refusal_to_its_own_save(inner):
    inner.save_analysis("paystubs", record("taken"))
    writer = inner._writer
    statement = writer.inserts["paystubs"]

    def pending(*records):
        return sqlite_writer._Pending("paystubs", [statement.parameters(_row(rec)) for rec in records])

    batch = [
        pending(record("a", 1)),
        pending(poison("null-level", _no_risk_level)),
        pending(record("taken")),
        pending(record("b", 2), record("c", 3)),
        pending(poison("unbindable", _unbindable)),
        pending(record("d", 4), poison("nan-in-a-group", _nan_score)),
    ]
    conn = writer._connect()
    try:
        writer._write(conn, batch)
    finally:
        conn.close()
    errors = [type(item.error).__name__ if item.error else None for item in batch]
    assert errors == [None, "StoreRejected", "DuplicateDocument", None, "StoreRejected", "StoreRejected"]
    assert [item.committed for item in batch] == [True, False, False, True, False, False]
    # A refused save stores none of its rows ("d" was in the same save as a refused row).
    assert stored_counts(inner) == {"taken": 1, "a": 1, "b": 1, "c": 1}


def test_concurrent_saves_with_a_refused_one_store_all_the_others(inner):
    barrier = threading.Barrier(6)
    outcome = {}

    def save(document_id: str) -> None:
        rec = poison(document_id, _nan_score) if document_id == "poison" else record(document_id)
        barrier.wait()
        try:
            inner.save_analysis("paystubs", rec)
            outcome[document_id] = "stored"
        except StoreRejected:
            outcome[document_id] = "refused"

    ids = ["poison", "a", "b", "c", "d", "e"]
    run_at_once(save, ids)
    assert outcome == {"poison": "refused", **{i: "stored" for i in ids[1:]}}
    assert stored_counts(inner) == {i: 1 for i in ids[1:]}
    inner.save_analysis("paystubs", record("later"))  # the writer thread carries on
    assert stored_counts(inner)["later"] == 1


# Supabase ----------------------------------------------------------------------------------------

URL = "https://project.supabase.co"
KEY = "service-role-secret-key-for-dead-letter-tests"


@pytest.fixture
def supabase():
    s = SupabaseDocumentStore(URL, KEY, TABLES, backoff_seconds=0.001, max_retries=2)
    yield s
    s.close()


@pytest.mark.parametrize(
    "status, code", [(400, "23514"), (400, "23502"), (400, "22P02"), (400, "PGRST102"), (413, None)]
)
def test_supabase_4xx_about_the_row_is_a_refusal(supabase, status, code, caplog):
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(return_value=error(status, code, f"failing row contains ({NAME})"))
        with caplog.at_level(logging.DEBUG), pytest.raises(StoreRejected) as refused:
            supabase.save_analysis("paystubs", record("a"))
        assert router.calls.call_count == 1  # not retried
    assert refused.value.cause == f"HTTP {status}"
    assert NAME not in str(refused.value) and NAME not in caplog.text and KEY not in caplog.text


@pytest.mark.parametrize(
    "status, code",
    [
        (503, "PGRST000"),
        (500, "XX000"),
        (429, "PGRST000"),
        (401, "PGRST301"),
        (403, "42501"),
        (404, "42P01"),
        (400, "PGRST204"),
        (400, "42703"),
        (408, None),
    ],
)
def test_supabase_outages_and_misconfiguration_are_not_refusals(supabase, status, code):
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(return_value=error(status, code))
        with pytest.raises(StoreUnavailable) as outage:
            supabase.save_analysis("paystubs", record("a"))
    assert not isinstance(outage.value, StoreRejected)


def test_supabase_transport_errors_and_reads_are_not_refusals(supabase):
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(StoreUnavailable) as outage:
            supabase.save_analysis("paystubs", record("a"))
        assert not isinstance(outage.value, StoreRejected)
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(return_value=error(400, "22P02"))
        with pytest.raises(StoreUnavailable) as failed:  # a read is not a record being refused
            supabase.get_analysis("paystubs", "a")
        assert not isinstance(failed.value, StoreRejected)


def test_supabase_duplicate_is_still_a_duplicate(supabase):
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(return_value=error(409, "23505"))
        with pytest.raises(DuplicateDocument):
            supabase.save_analysis("paystubs", record("a"))


def test_supabase_a_row_json_cannot_carry_is_refused_without_a_request(supabase):
    with respx.mock(assert_all_called=False) as router:
        route = router.route(url__regex=REST.pattern).mock(side_effect=FakePostgrest())
        with pytest.raises(StoreRejected):
            supabase.save_analysis("paystubs", poison("nan", _nan_score))
        assert route.call_count == 0


class RefusingPostgrest(FakePostgrest):
    """PostgREST refusing inserts of chosen document ids with a CHECK violation (400, 23514)."""

    def __init__(self, refuse):
        super().__init__()
        self.refuse = set(refuse)

    def __call__(self, request):
        if request.method == "POST":
            body = json.loads(request.content)
            if any(row["document_id"] in self.refuse for row in (body if isinstance(body, list) else [body])):
                self.requests.append(request)
                return error(400, "23514", 'new row violates check constraint "paystubs_risk_level_check"')
        return super().__call__(request)


def test_outbox_flush_to_supabase_dead_letters_a_refused_row(supabase, tmp_path):
    outboxed = OutboxDocumentStore(supabase, Outbox(tmp_path / "outbox.db"))
    fake = RefusingPostgrest({"poison"})
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(return_value=error(503, "PGRST000"))
        for i, document_id in enumerate(["during-0", "poison", "during-1"]):
            with pytest.raises(StoredLater):
                outboxed.save_analysis("paystubs", record(document_id, i))
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(side_effect=fake)
        outboxed.save_analysis("paystubs", record("after", 5))
    assert [r["document_id"] for r in fake.rows["paystubs"]] == ["during-0", "during-1", "after"]
    assert (outboxed.outbox.pending(), outboxed.outbox.dead_letters()) == (0, 1)
    [letter] = outboxed.outbox.list_dead_letters()
    assert (letter.document_id, letter.error_class) == ("poison", "HTTP 400")


# /readyz and the CLI -------------------------------------------------------------------------


@pytest.fixture
def app(models_dir, tmp_path):
    from api_server import create_app

    # No background flush during the test: the counts change only when the test flushes.
    app = create_app(
        make_config(
            models_dir,
            f"sqlite:///{tmp_path / 'documents.db'}",
            OUTBOX_PATH=str(tmp_path / "outbox.db"),
            OUTBOX_FLUSH_SECONDS=3600,
        )
    )
    yield app
    app.extensions["outbox_flusher"].set()
    app.extensions["fraud_detection"].store.close()


def test_readyz_shows_the_counts_and_the_cli_lists_and_retries(app):
    client = app.test_client()
    store = app.extensions["fraud_detection"].store
    body = ReadinessResponse.model_validate(client.get("/readyz").json)
    assert body.status == "ready" and body.outbox.model_dump() == {"pending": 0, "dead_letters": 0}

    inner_save = store.store.save_analysis
    refuse = {"everything": True, "ids": set()}

    def refusing(table, rec):  # the store refuses the next analysis, and that one ever after
        if refuse["everything"] or rec.document_id in refuse["ids"]:
            refuse["ids"].add(rec.document_id)
            raise StoreRejected(
                "paystubs refused the analysis (IntegrityError, SQLITE_CONSTRAINT_CHECK)", cause="IntegrityError"
            )
        inner_save(table, rec)

    store.store.save_analysis = refusing
    document = app.extensions["fraud_detection"].types["paystub"].generator.generate(1, 3).documents[0]
    response = client.post("/api/paystubs/analyze", json=document)
    refuse["everything"] = False
    assert response.status_code == 200 and response.json["stored"] is False
    poison_id = response.json["document_id"]
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["outbox"] == {"pending": 1, "dead_letters": 0}

    good = client.post("/api/paystubs/analyze", json=document)  # flushes first: the poison is set aside
    assert good.json["stored"] is True
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ready"  # readiness does not depend on the counts
    assert ready.json["outbox"] == {"pending": 0, "dead_letters": 1}
    ReadinessResponse.model_validate(ready.json)
    assert client.get(f"/api/paystubs/{poison_id}").status_code == 404

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["outbox", "list"])
    assert listed.exit_code == 0, listed.output
    assert "0 pending, 1 dead letters" in listed.output
    assert poison_id in listed.output and "paystubs" in listed.output and "IntegrityError" in listed.output
    assert document["employee_name"] not in listed.output  # never the document's fields

    refuse["ids"].clear()  # the cause is fixed
    retried = runner.invoke(args=["outbox", "retry", poison_id, "--flush"])
    assert retried.exit_code == 0, retried.output
    assert "Moved 1 dead letters" in retried.output and "1 stored" in retried.output
    assert client.get(f"/api/paystubs/{poison_id}").status_code == 200
    assert client.get("/readyz").json["outbox"] == {"pending": 0, "dead_letters": 0}


def test_cli_retry_without_ids_requeues_everything(app):
    store = app.extensions["fraud_detection"].store
    for i in range(3):
        store.outbox.put("paystubs", record(f"p{i}", i))

    def refuse(table, rec):
        raise StoreRejected("refused", cause="DataError")

    store.store.save_analysis = refuse
    assert store.flush().dead_lettered == 3
    runner = app.test_cli_runner()
    assert "3 dead letters" in runner.invoke(args=["outbox", "list", "--limit", "2"]).output
    out = runner.invoke(args=["outbox", "retry"])
    assert out.exit_code == 0 and "Moved 3 dead letters" in out.output
    assert store.outbox.counts() == {"pending": 3, "dead_letters": 0}
