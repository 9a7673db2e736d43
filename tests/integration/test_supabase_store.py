"""Contract tests of the Supabase store at the HTTP level, against PostgREST-shaped responses.

The client's HTTP calls are intercepted with respx and answered by `support.postgrest_fake.FakePostgrest`:
rows as JSON, `Content-Range` with the exact count when asked, at most `max_rows` rows per
response (200 even when fewer than asked), and PostgREST error bodies.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import respx

from domain.records import LabelQuery, ListQuery
from store.document_store import DuplicateDocument, StoredLater, StoreUnavailable
from store.outbox import Outbox, OutboxDocumentStore
from store.supabase import SupabaseDocumentStore
from support.app import make_config
from support.postgrest_fake import REST, FakePostgrest, error
from support.retraining import small_config
from support.stores import TABLES, record

URL = "https://project.supabase.co"
KEY = "service-role-secret-key-for-tests"


@pytest.fixture
def fake():
    return FakePostgrest()


@pytest.fixture
def mock(fake):
    with respx.mock(assert_all_called=False) as router:
        router.route(url__regex=REST.pattern).mock(side_effect=fake)
        yield router


@pytest.fixture
def store():
    s = SupabaseDocumentStore(URL, KEY, TABLES, backoff_seconds=0.001, max_retries=3)
    yield s
    s.close()


def stored_row(i: int, base=datetime(2026, 11, 1, tzinfo=UTC)) -> dict:
    rec = record(f"doc-{i:05d}", minutes=0)
    rec.created_at = base + timedelta(seconds=i // 3)  # groups of three share a timestamp: ties need the id
    data = rec.as_dict()
    data.pop("document_type")
    return data


def test_timeouts_are_explicit(store):
    timeout = store.http.timeout
    assert (timeout.connect, timeout.read) == (3.0, 10.0)


def test_save_sends_one_insert_with_the_key_and_minimal_return(store, mock, fake):
    store.save_analysis("paystubs", record("a"))
    request = fake.requests[-1]
    assert request.method == "POST" and str(request.url) == f"{URL}/rest/v1/paystubs"
    assert request.headers["apikey"] == KEY and request.headers["authorization"] == f"Bearer {KEY}"
    assert "return=minimal" in request.headers["prefer"]
    body = json.loads(request.content)
    assert body["document_id"] == "a" and body["raw_fields"]["employee_name"] == "Zoë Ünïcode"
    assert store.get_analysis("paystubs", "a").raw_fields == record("a").raw_fields


def test_duplicate_is_refused(store, mock):
    store.save_analysis("paystubs", record("a"))
    with pytest.raises(DuplicateDocument):
        store.save_analysis("paystubs", record("a"))


def test_list_sends_the_filters_order_and_limit(store, mock, fake):
    store.list_analyses(
        "checks",
        ListQuery(recommendation="ESCALATE", reviewed=False, limit=20, before=datetime(2026, 11, 2, tzinfo=UTC)),
    )
    params = parse_qs(urlparse(str(fake.requests[-1].url)).query)
    assert params["ai_recommendation"] == ["eq.ESCALATE"]
    assert params["reviewer_decision"] == ["is.null"]
    assert params["created_at"] == ["lt.2026-11-02T00:00:00+00:00"]
    assert params["order"] == ["created_at.desc,document_id.desc"] and params["limit"] == ["20"]


def test_label_query_filter_is_exact(store, mock, fake):
    since = datetime(2026, 11, 1, tzinfo=UTC)
    store.labelled_documents("paystubs", LabelQuery(since=since, limit=10))
    reviewer_only = parse_qs(urlparse(str(fake.requests[0].url)).query)["and"]
    assert reviewer_only == [
        "(reviewer_decision.in.(APPROVE,REJECT),"
        'or(created_at.gte."2026-11-01T00:00:00+00:00",reviewed_at.gte."2026-11-01T00:00:00+00:00"))'
    ]
    fake.requests.clear()
    store.labelled_documents(
        "paystubs", LabelQuery(include_model_labels=True, min_confidence=0.8, since=since, limit=10)
    )
    request = fake.requests[0]
    params = parse_qs(urlparse(str(request.url)).query)
    assert params["and"] == [
        "(or(reviewer_decision.in.(APPROVE,REJECT),and(reviewer_decision.is.null,"
        "ai_recommendation.in.(APPROVE,REJECT),confidence_score.gte.0.8)),"
        'or(created_at.gte."2026-11-01T00:00:00+00:00",reviewed_at.gte."2026-11-01T00:00:00+00:00"))'
    ]
    assert params["order"] == ["created_at.desc,document_id.desc"] and params["limit"] == ["10"]
    assert "count=exact" in request.headers["prefer"]


def test_pages_2500_rows_through_a_1000_row_cap(store, mock, fake):
    fake.rows["paystubs"] = [stored_row(i) for i in range(2500)]
    records = store.labelled_documents("paystubs", LabelQuery(include_model_labels=True, min_confidence=None))
    ids = [r.document_id for r in records]
    assert len(ids) == 2500 and len(set(ids)) == 2500
    expected = sorted(fake.rows["paystubs"], key=lambda r: (r["created_at"], r["document_id"]), reverse=True)
    assert ids == [r["document_id"] for r in expected]  # newest first, ties by id, nothing skipped
    limits = [parse_qs(urlparse(str(r.url)).query)["limit"][0] for r in fake.requests]
    assert limits == ["1000", "1000", "1000"]
    second = parse_qs(urlparse(str(fake.requests[1].url)).query)["and"][0]
    last = expected[999]
    assert (
        f'created_at.lt."{last["created_at"]}",and(created_at.eq."{last["created_at"]}",document_id.lt."{last["document_id"]}")'
        in second
    )
    assert store.last_read_report == {"table": "paystubs", "expected": 2500, "fetched": 2500, "shortfall": 0}


def test_a_silent_shortfall_is_logged_and_reported(store, mock, fake, caplog):
    fake.rows["paystubs"] = [stored_row(i) for i in range(1200)]
    fake.lose_rows = 300  # the count says 1500, the pages hold 1200
    with caplog.at_level(logging.WARNING):
        records = store.labelled_documents(
            "paystubs", LabelQuery(include_model_labels=True, min_confidence=None, limit=5000)
        )
    assert len(records) == 1200
    assert store.last_read_report["shortfall"] == 300
    assert "returned 1200 of 1500 paystubs rows" in caplog.text


@pytest.mark.parametrize(
    "failures, attempts",
    [
        ([error(503, "PGRST000")], 2),
        ([error(500, "XX000"), error(502, "PGRST000")], 3),
        ([error(429, "PGRST000")], 2),
        ([httpx.ConnectError("refused")], 2),
        ([httpx.ReadTimeout("slow")], 2),
    ],
)
def test_transient_failures_are_retried(store, fake, failures, attempts):
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(side_effect=[*failures, fake])
        store.save_analysis("paystubs", record("a"))
        assert router.calls.call_count == attempts
    assert [r["document_id"] for r in fake.rows["paystubs"]] == ["a"]


def test_retries_are_bounded(store):
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(return_value=error(503, "PGRST000"))
        with pytest.raises(StoreUnavailable):
            store.get_analysis("paystubs", "a")
        assert router.calls.call_count == 4  # 1 + max_retries


@pytest.mark.parametrize("status, code", [(401, "PGRST301"), (403, "42501"), (400, "PGRST100"), (404, "42P01")])
def test_client_errors_are_not_retried(store, status, code, caplog):
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(return_value=error(status, code, "Key (document_id)=(secret-doc)"))
        with caplog.at_level(logging.WARNING), pytest.raises(StoreUnavailable):
            store.save_analysis("paystubs", record("a"))
        assert router.calls.call_count == 1
    assert f"HTTP {status}" in caplog.text
    assert KEY not in caplog.text and "secret-doc" not in caplog.text and "Zoë" not in caplog.text


def test_a_write_that_landed_before_its_answer_was_lost_is_not_an_error(store, fake):
    def landed_then_timed_out(request):
        fake(request)
        raise httpx.ReadTimeout("answer lost")

    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(side_effect=[landed_then_timed_out, fake])
        store.save_analysis("paystubs", record("a"))  # the retry meets 409: it is already there
    assert [r["document_id"] for r in fake.rows["paystubs"]] == ["a"]


def test_outbox_flushes_to_supabase_after_an_outage(store, fake, tmp_path):
    outboxed = OutboxDocumentStore(store, Outbox(tmp_path / "outbox.db"))
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(return_value=error(503, "PGRST000"))
        for i in range(3):
            with pytest.raises(StoredLater):
                outboxed.save_analysis("paystubs", record(f"during-{i}", i))
    assert outboxed.outbox.pending() == 3
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(side_effect=fake)
        outboxed.save_analysis("paystubs", record("after", 5))
    assert [r["document_id"] for r in fake.rows["paystubs"]] == ["during-0", "during-1", "during-2", "after"]
    assert outboxed.outbox.pending() == 0


def test_counts_use_head_requests_with_exact_count(store, mock, fake):
    fake.rows["paystubs"] = [stored_row(i) for i in range(7)]
    assert store.count_labelled("paystubs", LabelQuery(include_model_labels=True, min_confidence=None)) == 7
    request = fake.requests[-1]
    assert request.method == "HEAD" and "count=exact" in request.headers["prefer"]
    assert store.ping() is True


def test_retrain_falls_back_to_synthetic_when_supabase_is_unreachable(models_dir, tmp_path, store):
    from training.automated_retraining import PaystubModelRetrainer
    from training.retraining_config import load_config

    retrainer = PaystubModelRetrainer(
        store=store,
        app_config=make_config(models_dir, f"sqlite:///{tmp_path}/d.db"),
        config=load_config(small_config(tmp_path)),
    )
    with respx.mock() as router:
        router.route(url__regex=REST.pattern).mock(side_effect=httpx.ConnectError("unreachable"))
        result = retrainer.retrain()
    assert result["success"] and result["data_source"] == "synthetic"
    assert result["data_source_reason"].startswith("document store unavailable")
    assert result["samples"]["real"] == 0


def test_retrain_reports_a_read_shortfall(models_dir, tmp_path, store, mock, fake):
    from training.automated_retraining import PaystubModelRetrainer
    from training.retraining_config import load_config

    fake.lose_rows = 7
    retrainer = PaystubModelRetrainer(
        store=store,
        app_config=make_config(models_dir, f"sqlite:///{tmp_path}/d.db"),
        config=load_config(small_config(tmp_path)),
    )
    result = retrainer.retrain()
    assert result["samples"]["real_read_report"] == {"table": "paystubs", "expected": 7, "fetched": 0, "shortfall": 7}
