"""One suite for the DocumentStore interface, run on every SQL backend (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.records import LabelQuery, ListQuery
from store.document_store import DuplicateDocument
from store.sql import SqlDocumentStore
from support.stores import T0, TABLES, record


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("supabase-migration", marks=pytest.mark.postgres),
        "supabase",
    ]
)
def store(request, tmp_path):
    """The same suite on every backend: SQLite, PostgreSQL, PostgreSQL with the Supabase migration's schema,
    and the Supabase client against a PostgREST fake."""
    if request.param == "supabase":
        import respx

        from store.supabase import SupabaseDocumentStore
        from support.postgrest_fake import REST, FakePostgrest

        with respx.mock(assert_all_called=False) as router:
            router.route(url__regex=REST.pattern).mock(side_effect=FakePostgrest(max_rows=3))  # paging is exercised
            s = SupabaseDocumentStore("https://project.supabase.co", "key", TABLES, max_rows=3, backoff_seconds=0)
            yield s
            s.close()
        return
    create = True
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    if request.param == "supabase-migration":
        from support.supabase_schema import apply_migrations

        apply_migrations(url)
        create = False  # the migration's tables, not the store's own
    s = SqlDocumentStore(url, TABLES, create=create)
    yield s
    s.close()


def test_save_and_get_round_trip(store):
    original = record("a")
    store.save_analysis("paystubs", original)
    loaded = store.get_analysis("paystubs", "a")
    assert loaded == original
    assert loaded.created_at.tzinfo is not None
    assert store.get_analysis("paystubs", "missing") is None
    assert store.get_analysis("checks", "a") is None  # tables are per type


def test_unknown_table_is_refused(store):
    with pytest.raises(ValueError):
        store.get_analysis("paystubs; DROP TABLE checks", "a")


def test_list_newest_first_with_filters_and_cursor(store):
    for i, rec in enumerate(["APPROVE", "ESCALATE", "REJECT", "ESCALATE", "ESCALATE"]):
        store.save_analysis("paystubs", record(f"d{i}", minutes=i, recommendation=rec))
    assert [r.document_id for r in store.list_analyses("paystubs", ListQuery())] == ["d4", "d3", "d2", "d1", "d0"]
    escalated = store.list_analyses("paystubs", ListQuery(recommendation="ESCALATE", limit=2))
    assert [r.document_id for r in escalated] == ["d4", "d3"]
    older = store.list_analyses("paystubs", ListQuery(recommendation="ESCALATE", before=escalated[-1].created_at))
    assert [r.document_id for r in older] == ["d1"]
    store.record_review("paystubs", "d3", "REJECT", "ana", None, T0)
    assert [r.document_id for r in store.list_analyses("paystubs", ListQuery(reviewed=True))] == ["d3"]
    assert "d3" not in [r.document_id for r in store.list_analyses("paystubs", ListQuery(reviewed=False))]


def test_review_updates_and_unknown_document_returns_none(store):
    store.save_analysis("paystubs", record("a"))
    at = T0 + timedelta(hours=1)
    reviewed = store.record_review("paystubs", "a", "REJECT", "ana", "forged", at)
    assert (reviewed.reviewer_decision, reviewed.reviewer, reviewed.review_notes, reviewed.reviewed_at) == (
        "REJECT",
        "ana",
        "forged",
        at,
    )
    assert store.record_review("paystubs", "nope", "REJECT", "ana", None, at) is None
    with pytest.raises(ValueError):
        store.record_review("paystubs", "a", "ESCALATE", "ana", None, at)


def test_labelled_documents_follow_the_label_rules(store):
    store.save_analysis("paystubs", record("confident-approve", 1, "APPROVE", 0.95))
    store.save_analysis("paystubs", record("unsure-reject", 2, "REJECT", 0.5))
    store.save_analysis("paystubs", record("escalated", 3, "ESCALATE", 0.99))
    store.save_analysis("paystubs", record("reviewed-escalation", 4, "ESCALATE", 0.2))
    store.save_analysis("paystubs", record("overruled", 5, "APPROVE", 0.99))
    store.record_review("paystubs", "reviewed-escalation", "REJECT", "ana", None, T0 + timedelta(minutes=10))
    store.record_review("paystubs", "overruled", "REJECT", "ana", None, T0 + timedelta(minutes=11))
    # By default only reviewers' decisions are labels: the model's own never teach it.
    reviewed = {r.document_id: r.label for r in store.labelled_documents("paystubs", LabelQuery())}
    assert reviewed == {"reviewed-escalation": "REJECT", "overruled": "REJECT"}
    assert store.count_labelled("paystubs", LabelQuery()) == 2
    with_model = LabelQuery(include_model_labels=True, min_confidence=0.8)
    labels = {r.document_id: r.label for r in store.labelled_documents("paystubs", with_model)}
    assert labels == {"confident-approve": "APPROVE", "reviewed-escalation": "REJECT", "overruled": "REJECT"}
    everything = store.labelled_documents("paystubs", LabelQuery(include_model_labels=True, min_confidence=None))
    assert {r.document_id for r in everything} == {
        "confident-approve",
        "unsure-reject",
        "reviewed-escalation",
        "overruled",
    }
    assert [r.document_id for r in everything][:2] == ["overruled", "reviewed-escalation"]  # newest first
    recent = store.labelled_documents(
        "paystubs", LabelQuery(include_model_labels=True, min_confidence=0.8, since=T0 + timedelta(minutes=9))
    )
    assert {r.document_id for r in recent} == {"reviewed-escalation", "overruled"}  # reviewed since then
    assert len(store.labelled_documents("paystubs", LabelQuery(include_model_labels=True, limit=2))) == 2


def test_duplicate_document_id_is_refused_not_overwritten(store):
    from store.document_store import DuplicateDocument

    store.save_analysis("paystubs", record("a"))
    with pytest.raises(DuplicateDocument):
        store.save_analysis("paystubs", record("a", recommendation="REJECT"))
    assert store.get_analysis("paystubs", "a").ai_recommendation == "APPROVE"


def test_ping(store):
    assert store.ping() is True


def test_bulk_save_with_anomaly_and_batch_id_round_trips(store):
    anomaly = {
        "score": 0.71,
        "is_anomalous": True,
        "threshold": 0.6,
        "detector": "isolation_forest",
        "top_features": [
            {
                "feature_name": "medicare_rate_error",
                "actual_value": 0.5,
                "typical_range": [0.0, 0.0],
                "share": 0.9,
                "reconstruction_error": None,
            }
        ],
    }
    records = [record(f"b{i}", minutes=i, anomaly=anomaly, batch_id="batch-1") for i in range(7)]
    store.save_analyses("paystubs", records)
    assert store.get_analysis("paystubs", "b3") == records[3]
    assert len(store.list_analyses("paystubs", ListQuery(limit=50))) == 7
    plain = record("single")  # a single analysis has neither
    store.save_analysis("paystubs", plain)
    assert store.get_analysis("paystubs", "single").anomaly is None


def test_bulk_save_is_all_or_nothing_on_a_duplicate(store):
    store.save_analysis("paystubs", record("taken"))
    with pytest.raises(DuplicateDocument):
        store.save_analyses("paystubs", [record("new-1"), record("taken"), record("new-2")])
    assert [r.document_id for r in store.list_analyses("paystubs", ListQuery())] == ["taken"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_tables_from_an_earlier_release_get_the_new_columns(backend, request, tmp_path):
    """A table created before anomaly/batch_id existed is upgraded in place; its rows stay."""
    from sqlalchemy import text

    from store.sql import make_engine

    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE paystubs (document_id VARCHAR(64) PRIMARY KEY, created_at TIMESTAMP, "
                "raw_fields JSON NOT NULL, features JSON NOT NULL, risk_score FLOAT NOT NULL, "
                "risk_level VARCHAR(10) NOT NULL, ai_recommendation VARCHAR(10) NOT NULL, "
                "confidence_score FLOAT NOT NULL, model_version VARCHAR(32) NOT NULL, reasons JSON NOT NULL, "
                "top_features JSON NOT NULL, model_scores JSON NOT NULL, warnings JSON NOT NULL, "
                "reviewer_decision VARCHAR(10), reviewer VARCHAR(200), review_notes TEXT, "
                "reviewed_at TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO paystubs (document_id, created_at, raw_fields, features, risk_score, risk_level, "
                "ai_recommendation, confidence_score, model_version, reasons, top_features, model_scores, "
                "warnings) VALUES ('old', '2026-10-01 00:00:00', '{}', '{}', 1, 'LOW', 'APPROVE', 0.9, "
                "'20261001_000000', '[]', '[]', '{}', '[]')"
            )
        )
    engine.dispose()
    store = SqlDocumentStore(url, TABLES)
    try:
        assert store.get_analysis("paystubs", "old").anomaly is None
        store.save_analyses("paystubs", [record("new", batch_id="b", anomaly={"score": 1.0})])
        assert store.get_analysis("paystubs", "new").batch_id == "b"
    finally:
        store.close()
