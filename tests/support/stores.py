"""Document stores under test: the table map, a sample analysis record, a clean PostgreSQL, concurrent saves."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from document_types import DOCUMENT_TYPES
from domain.records import AnalysisRecord

TABLES = {t.table: t.name for t in DOCUMENT_TYPES.values()}
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def record(document_id, minutes=0, recommendation="APPROVE", confidence=0.9, **extra) -> AnalysisRecord:
    """A paystub analysis whose raw fields hold non-ASCII text and nested JSON, `minutes` after T0."""
    return AnalysisRecord(
        document_id=document_id,
        document_type="paystub",
        created_at=T0 + timedelta(minutes=minutes),
        raw_fields={"employee_name": "Zoë Ünïcode", "gross_pay": "$1,000.00", "nested": {"a": [1, 2]}},
        features={"net_to_gross_ratio": 0.75, "missing_key_field_count": 0.0},
        risk_score=12.5,
        risk_level="LOW",
        ai_recommendation=recommendation,
        confidence_score=confidence,
        model_version="20261101_000000",
        reasons=[{"code": "ROUND_AMOUNTS", "message": "m"}],
        top_features=[],
        model_scores={"random_forest": 12.0},
        warnings=["w"],
        **extra,
    )


def reset_postgres(url: str) -> None:
    """Drop the document tables, so a test starts on an empty database."""
    from store.sql import normalise_url

    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        for doc_type in DOCUMENT_TYPES.values():
            conn.execute(text(f"DROP TABLE IF EXISTS {doc_type.table}"))
    engine.dispose()


def run_at_once(work: Callable[[object], None], args: Iterable[object]) -> None:
    """Call `work(arg)` for every arg, each in its own thread, all started together; return when all are done."""
    threads = [threading.Thread(target=work, args=(arg,)) for arg in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
