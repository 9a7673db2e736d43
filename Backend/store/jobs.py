"""Retraining jobs: their state, stage and result, shared by every process through the database.

A retrain runs in its own process; any API worker can answer `GET /api/retraining/jobs/<id>`
because the job lives in the `retraining_jobs` table of the service database.
"""

from __future__ import annotations

import json
import socket
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text, select, update

from store.sql import create_tables, make_engine

ACTIVE_STATES = ("queued", "running")
_metadata = MetaData()
jobs_table = Table(
    "retraining_jobs",
    _metadata,
    Column("job_id", String(32), primary_key=True),
    Column("doc_type", String(32), nullable=False, index=True),
    Column("status", String(16), nullable=False),  # queued, running, succeeded, failed
    Column("stage", String(32)),
    Column("trigger", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("host", String(255)),
    Column("pid", Integer),
    Column("result", JSON),
    Column("error", Text),
)


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value).isoformat()


class SqlJobStore:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        create_tables(_metadata, self.engine)

    def create(self, doc_type: str, trigger: str) -> str:
        job_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(
                jobs_table.insert().values(
                    job_id=job_id,
                    doc_type=doc_type,
                    status="queued",
                    trigger=trigger,
                    created_at=_now(),
                    host=socket.gethostname(),
                )
            )
        return job_id

    def start(self, job_id: str, pid: int) -> None:
        self._update(job_id, status="running", started_at=_now(), pid=pid, host=socket.gethostname())

    def set_stage(self, job_id: str, stage: str) -> None:
        self._update(job_id, stage=stage)

    def finish(self, job_id: str, result: dict[str, Any]) -> None:
        self._update(
            job_id,
            status="succeeded" if result.get("success") else "failed",
            stage="done",
            finished_at=_now(),
            result=json.loads(json.dumps(result, default=str)),
            error=None if result.get("success") else result.get("reason"),
        )

    def fail(self, job_id: str, error: str) -> None:
        self._update(job_id, status="failed", finished_at=_now(), error=error)

    def _update(self, job_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.job_id == job_id).values(**values))

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs_table).where(jobs_table.c.job_id == job_id)).first()
        if row is None:
            return None
        data = dict(row._mapping)
        for key in ("created_at", "started_at", "finished_at"):
            data[key] = _iso(data[key])
        return data

    def active_job(self, doc_type: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(jobs_table.c.job_id)
                .where(jobs_table.c.doc_type == doc_type, jobs_table.c.status.in_(ACTIVE_STATES))
                .order_by(jobs_table.c.created_at.desc())
            ).first()
        return self.get(row.job_id) if row else None


def job_store_for(config) -> SqlJobStore:
    """Jobs live in the service database (the SQLite default, or DATABASE_URL)."""
    return SqlJobStore(config.database_url())
