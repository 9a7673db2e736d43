"""Fault injection: the document store goes away while clients are scoring.

Three real faults, each with client threads scoring through the whole outage and recovery:
  - SQLite: another connection holds the database's write lock (BEGIN EXCLUSIVE; in WAL mode
    readers go on, so there the retrain may still read its labels);
  - PostgreSQL: a private cluster is stopped (immediate shutdown, as in a crash) and restarted;
  - Supabase: the PostgREST fake answers 5xx, times out, or stores a row and loses the answer.
Invariants, for each:
  - every request is answered 200; an analysis that could not be stored says `stored: false`
    and is in the local outbox;
  - after recovery the outbox drains and every analysis is stored exactly once (rows counted
    by document_id: no loss, no duplicate), with the scores its response gave;
  - a retrain during the outage falls back to synthetic data and says so in its result
    (PostgreSQL and Supabase, where reads fail too).
Also: requests do not queue behind a flush that waits out the store's timeout, and workers
creating their tables at once on a fresh database all start.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter

import httpx
import pytest
import respx
from sqlalchemy import text

from document_types import DOCUMENT_TYPES
from domain.records import ListQuery
from store.document_store import StoredLater, StoreUnavailable
from store.outbox import Outbox, OutboxDocumentStore
from store.sql import SqlDocumentStore, make_engine
from support.app import make_config
from support.fault_helpers import ROOT, PrivatePostgres, postgres_bin, report
from support.postgrest_fake import REST, FakePostgrest, error
from support.retraining import SMALL, small_config
from support.stores import TABLES, record, run_at_once
from training.automated_retraining import PaystubModelRetrainer
from training.retraining_config import load_config

pytestmark = pytest.mark.slow

PAYSTUB = DOCUMENT_TYPES["paystub"]
SUPABASE_URL = "https://project.supabase.co"
SUPABASE_KEY = "service-role-secret-key-for-fault-tests"


def make_app(models_dir, tmp_path, database_url, **overrides):
    from api_server import create_app

    config = make_config(
        models_dir,
        database_url,
        OUTBOX_PATH=str(tmp_path / "outbox.db"),
        OUTBOX_FLUSH_SECONDS=0.3,
        RETRAINING_CONFIG_PATH=small_config(tmp_path),
        **overrides,
    )
    return create_app(config)


class Scoring:
    """Client threads scoring paystubs until stopped; every response is kept with the phase it ended in."""

    def __init__(self, app, threads: int = 3):
        self.app = app
        self.documents = PAYSTUB.generator.generate(24, 77).documents
        self.phase = "before"
        self.responses: list[tuple[str, int, dict, float]] = []  # phase, status, body, seconds
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(n,), daemon=True) for n in range(threads)]

    def _loop(self, n: int) -> None:
        client = self.app.test_client()
        i = n
        while not self.stop.is_set():
            started = time.monotonic()
            response = client.post("/api/paystubs/analyze", json=self.documents[i % len(self.documents)])
            self.responses.append((self.phase, response.status_code, response.json, time.monotonic() - started))
            i += len(self.threads)
            time.sleep(0.01)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def wait(self, predicate, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "condition not met in time"
            time.sleep(0.05)

    def count(self, phase: str | None = None, stored: bool | None = None) -> int:
        return sum(
            1
            for p, status, body, _ in self.responses
            if (phase is None or p == phase) and (stored is None or (status == 200 and body["stored"] is stored))
        )


def retrain_during_outage(app, tmp_path) -> dict:
    """A retrain reading labels from the app's (unreachable) store."""
    retrainer = PaystubModelRetrainer(
        store=app.extensions["fraud_detection"].store,
        app_config=app.config["FRAUD_CONFIG"],
        config=load_config(small_config(tmp_path)),
        params=SMALL,
    )
    return retrainer.retrain()


def check_outcome(
    name: str,
    scoring: Scoring,
    stored_rows: dict[str, dict],
    outbox_peak: int,
    retrain: dict,
    readable: bool = False,
    **extra,
) -> None:
    """The invariants shared by every fault; `stored_rows` maps each stored document_id to its row."""
    statuses = Counter(status for _, status, _, _ in scoring.responses)
    bodies = [body for _, status, body, _ in scoring.responses if status == 200]
    kept = [b for b in bodies if b["stored"] is False]
    outage = sorted(s for p, _, _, s in scoring.responses if p == "outage")
    outage_latency = outage[-1] if outage else 0.0
    report(
        name,
        requests=len(scoring.responses),
        non_200=sum(n for s, n in statuses.items() if s != 200),
        stored_false=len(kept),
        outbox_peak=outbox_peak,
        rows=len(stored_rows),
        duplicates=extra.pop("duplicates"),
        retrain_source=retrain["data_source"],
        outage_requests=len(outage),
        slowest_outage_response_s=round(outage_latency, 2),
        median_outage_response_s=round(outage[len(outage) // 2], 3) if outage else None,
        **extra,
    )
    assert set(statuses) == {200}, statuses
    assert scoring.count("before", stored=True) > 0 and scoring.count("before", stored=False) == 0
    assert kept, "the outage never reached a request"
    assert all("kept locally" in b["warnings"][-1] for b in kept)
    assert scoring.count("after", stored=True) > 0
    # Exactly once: every answered analysis is stored, none twice, nothing that was not answered.
    assert set(stored_rows) == {b["document_id"] for b in bodies}
    assert len(bodies) == len(stored_rows)
    for body in bodies:
        row = stored_rows[body["document_id"]]
        assert (row["risk_score"], row["model_version"]) == (body["risk_score"], body["model_version"])
    assert retrain["success"], retrain["reason"]
    if not readable:  # the store could not be read: synthetic data, and the result says why
        assert retrain["data_source"] == "synthetic"
        assert retrain["data_source_reason"].startswith("document store unavailable"), retrain["data_source_reason"]
        assert retrain["samples"]["real"] == 0


def sql_rows(url: str) -> tuple[dict[str, dict], int]:
    """document_id -> row of the paystubs table, and how many document ids appear more than once."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            counts = conn.execute(text("SELECT document_id, COUNT(*) FROM paystubs GROUP BY document_id")).all()
            rows = conn.execute(text("SELECT document_id, risk_score, model_version FROM paystubs")).mappings().all()
    finally:
        engine.dispose()
    return {r["document_id"]: dict(r) for r in rows}, sum(1 for _, n in counts if n > 1)


def close(app) -> None:
    app.extensions["outbox_flusher"].set()  # the background flusher must not outlive the store
    app.extensions["fraud_detection"].store.close()


def kept_in_outbox(app, scoring: Scoring) -> tuple[int, int]:
    """Just before recovery: every analysis answered `stored: false` so far is in the outbox file."""
    answered = {b["document_id"] for _, status, b, _ in list(scoring.responses) if status == 200 and not b["stored"]}
    with sqlite3.connect(app.extensions["fraud_detection"].store.outbox.path) as conn:
        kept = {row[0] for row in conn.execute("SELECT document_id FROM outbox")}
    assert answered <= kept, f"{len(answered - kept)} analyses answered stored: false are not in the outbox"
    return len(kept), len(answered)


def drain(app, timeout: float = 60) -> None:
    store = app.extensions["fraud_detection"].store
    deadline = time.monotonic() + timeout
    while store.outbox.pending():
        assert time.monotonic() < deadline, "the outbox did not drain after recovery"
        time.sleep(0.1)


# the outbox under concurrency ------------------------------------------------------------------


class HangingStore(SqlDocumentStore):
    """A real SQLite store whose writes can hang for `hang` seconds and then fail, as a dead database does."""

    def __init__(self, url):
        super().__init__(url, TABLES)
        self.hang = 0.0

    def save_analysis(self, table, rec):
        if self.hang:
            time.sleep(self.hang)
            raise StoreUnavailable("timed out")
        super().save_analysis(table, rec)


def test_requests_do_not_queue_behind_a_flush_that_waits_out_a_timeout(tmp_path):
    inner = HangingStore(f"sqlite:///{tmp_path}/store.db")
    store = OutboxDocumentStore(inner, Outbox(tmp_path / "outbox.db"), flush_wait=0.2)
    inner.hang = 2.0
    with pytest.raises(StoredLater):
        store.save_analysis("paystubs", record("first", 0))  # the outage is discovered: 2 s
    timings = {}

    def save(i):
        started = time.monotonic()
        with pytest.raises(StoredLater):
            store.save_analysis("paystubs", record(f"during-{i}", i + 1))
        timings[i] = time.monotonic() - started

    run_at_once(save, range(6))
    # One request probes the store (and waits out its 2 s); the others are answered within the flush wait.
    assert sorted(timings.values())[-2] < 1.0 and max(timings.values()) >= 2.0, timings
    assert store.outbox.pending() == 7
    inner.hang = 0.0
    store.save_analysis("paystubs", record("after", 10))  # flushes first, then stores directly
    assert store.outbox.pending() == 0
    stored = [r.document_id for r in inner.list_analyses("paystubs", ListQuery(limit=100))]
    assert sorted(stored) == sorted(["first", "after", *[f"during-{i}" for i in range(6)]])


def test_an_analysis_kept_while_a_flush_runs_is_not_forgotten(tmp_path):
    inner = HangingStore(f"sqlite:///{tmp_path}/store.db")
    store = OutboxDocumentStore(inner, Outbox(tmp_path / "outbox.db"), flush_wait=0.0)
    inner.hang = 0.01
    for i in range(3):
        with pytest.raises(StoredLater):
            store.save_analysis("paystubs", record(f"kept-{i}", i))
    inner.hang = 0.0
    slow = threading.Event()
    original = inner.save_analysis

    def slow_save(table, rec):  # the flush takes a while, and another request arrives meanwhile
        slow.set()
        time.sleep(0.3)
        original(table, rec)

    inner.save_analysis = slow_save
    flusher = threading.Thread(target=store.flush)
    flusher.start()
    slow.wait()
    inner.save_analysis = original
    with pytest.raises(StoredLater):  # the flush lock is busy and flush_wait is 0: kept
        store.save_analysis("paystubs", record("during-flush", 5))
    flusher.join()
    assert store.outbox.pending() == 1
    store.save_analysis("paystubs", record("next", 6))  # still known to be pending: flushed first
    assert store.outbox.pending() == 0
    assert len(inner.list_analyses("paystubs", ListQuery(limit=100))) == 5


def test_workers_creating_their_tables_at_once_on_a_fresh_database(tmp_path):
    """Gunicorn workers start together; on a fresh database they all create the same tables."""
    script = (
        "import sys, time; sys.path.insert(0, 'Backend')\n"
        "from store.sql import SqlDocumentStore\n"
        "from store.run_registry import RunRegistry\n"
        "from store.jobs import SqlJobStore\n"
        "from support.stores import TABLES\n"
        "url, at = sys.argv[1], float(sys.argv[2])\n"
        "time.sleep(max(0.0, at - time.time()))\n"
        "SqlDocumentStore(url, TABLES); RunRegistry(url); SqlJobStore(url)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}  # the support package
    for round_ in range(2):
        url = f"sqlite:///{tmp_path}/fresh-{round_}.db"
        at = time.time() + 4.0  # all four import first, then start at the same instant
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", script, url, str(at)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
            )
            for _ in range(4)
        ]
        errors = [p.communicate(timeout=60)[1] for p in processes]
        assert all(p.returncode == 0 for p in processes), [e[-500:] for e in errors if e]


# SQLite -----------------------------------------------------------------------------------------


def test_sqlite_file_locked_by_another_connection(models_dir, tmp_path):
    path = tmp_path / "documents.db"
    url = f"sqlite:///{path}"
    app = make_app(models_dir, tmp_path, url)
    try:
        with Scoring(app) as scoring:
            scoring.wait(lambda: scoring.count("before", stored=True) >= 6)
            scoring.phase = "outage"
            # Another connection (a migration, a backup tool, a stuck process) holds the write lock.
            locker = sqlite3.connect(path, isolation_level=None, timeout=30)
            locker.execute("BEGIN EXCLUSIVE")
            holder = {}
            retrain = threading.Thread(target=lambda: holder.update(result=retrain_during_outage(app, tmp_path)))
            retrain.start()
            scoring.wait(lambda: scoring.count("outage", stored=False) >= 4, timeout=90)
            retrain.join(timeout=120)
            outbox_peak, _ = kept_in_outbox(app, scoring)
            scoring.phase = "after"
            locker.execute("ROLLBACK")
            locker.close()
            scoring.wait(lambda: scoring.count("after", stored=True) >= 4, timeout=90)
        drain(app)
        rows, duplicates = sql_rows(url)
    finally:
        close(app)
    # In WAL mode the lock stops writers only: the retrain could still read its labels.
    check_outcome(
        "store fault: SQLite locked", scoring, rows, outbox_peak, holder["result"], duplicates=duplicates, readable=True
    )
    assert duplicates == 0


# PostgreSQL -------------------------------------------------------------------------------------


@pytest.fixture
def private_postgres():
    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
    cluster = PrivatePostgres()
    cluster.start()
    yield cluster
    cluster.cleanup()


@pytest.mark.postgres
def test_postgres_stopped_and_restarted_during_scoring(models_dir, tmp_path, private_postgres):
    url = private_postgres.url
    app = make_app(models_dir, tmp_path, url)
    try:
        with Scoring(app) as scoring:
            scoring.wait(lambda: scoring.count("before", stored=True) >= 6)
            scoring.phase = "outage"
            private_postgres.stop("immediate")  # as in a crash: in-flight statements are cut off
            result = retrain_during_outage(app, tmp_path)
            scoring.wait(lambda: scoring.count("outage", stored=False) >= 10)
            outbox_peak, _ = kept_in_outbox(app, scoring)
            scoring.phase = "after"
            private_postgres.start()
            scoring.wait(lambda: scoring.count("after", stored=True) >= 6)
        drain(app)
        rows, duplicates = sql_rows(url)
    finally:
        close(app)
    check_outcome(
        "store fault: PostgreSQL stopped and restarted", scoring, rows, outbox_peak, result, duplicates=duplicates
    )
    assert duplicates == 0


# Supabase ---------------------------------------------------------------------------------------


def test_supabase_5xx_timeouts_and_lost_answers_during_scoring(models_dir, tmp_path):
    fake = FakePostgrest()
    mode = {"now": "up"}
    lost = Counter()

    def postgrest(request: httpx.Request):
        now = mode["now"]
        if now == "5xx":
            return error(503, "PGRST000", "upstream unavailable")
        if now == "timeout":
            raise httpx.ReadTimeout("no answer in time")
        if now in ("lost", "lost once") and request.method == "POST":
            answer = fake(request)  # the row lands...
            if answer.status_code == 201 or now == "lost":
                lost[now] += answer.status_code == 201
                raise httpx.ReadTimeout("answer lost")  # ...and the answer never comes back
            return answer  # "lost once": a retry meets the row its first attempt stored (409)
        return fake(request)

    with respx.mock(assert_all_called=False) as router:
        router.route(url__regex=REST.pattern).mock(side_effect=postgrest)
        app = make_app(
            models_dir, tmp_path, f"sqlite:///{tmp_path}/jobs.db", SUPABASE_URL=SUPABASE_URL, SUPABASE_KEY=SUPABASE_KEY
        )
        try:
            with Scoring(app) as scoring:
                scoring.wait(lambda: scoring.count("before", stored=True) >= 6)
                scoring.phase = "outage"
                mode["now"] = "5xx"
                result = retrain_during_outage(app, tmp_path)
                scoring.wait(lambda: scoring.count("outage", stored=False) >= 4)
                mode["now"] = "timeout"
                seen = scoring.count("outage", stored=False)
                scoring.wait(lambda: scoring.count("outage", stored=False) >= seen + 3)
                mode["now"] = "lost"  # rows land, every answer is lost: kept locally although stored
                seen = scoring.count("outage", stored=False)
                scoring.wait(lambda: lost["lost"] >= 1 and scoring.count("outage", stored=False) >= seen + 2)
                outbox_peak, _ = kept_in_outbox(app, scoring)
                scoring.phase = "after"
                mode["now"] = "lost once"  # back, but each first answer is lost: the retry meets its own row
                scoring.wait(lambda: scoring.count("after", stored=True) >= 4)
                mode["now"] = "up"
                seen = scoring.count("after", stored=True)
                scoring.wait(lambda: scoring.count("after", stored=True) >= seen + 4)
            drain(app)
        finally:
            close(app)
    counts = Counter(row["document_id"] for row in fake.rows.get("paystubs", []))
    rows = {row["document_id"]: row for row in fake.rows.get("paystubs", [])}
    duplicates = sum(1 for n in counts.values() if n > 1)
    check_outcome(
        "store fault: Supabase 5xx, timeouts, lost answers",
        scoring,
        rows,
        outbox_peak,
        result,
        duplicates=duplicates,
        rows_landed_with_answer_lost=dict(lost),
    )
    assert duplicates == 0
    assert lost["lost"] >= 1 and lost["lost once"] >= 1
