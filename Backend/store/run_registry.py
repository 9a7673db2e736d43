"""Which scheduled runs happened: one row per (job, period), claimed before running.

The unique key is what makes a run exactly-once: every process that wakes for a period
tries to insert the row, and only the one whose insert succeeds runs the job. The table
lives in the service database, so processes on several hosts share it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, Text, select, update
from sqlalchemy.exc import IntegrityError

from store.sql import create_tables, make_engine

_metadata = MetaData()
runs_table = Table(
    "scheduler_runs",
    _metadata,
    Column("job_id", String(64), primary_key=True),
    Column("period", String(64), primary_key=True),
    Column("holder", String(255), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),  # running, succeeded, failed
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("summary", JSON),
    Column("error", Text),
)
state_table = Table(
    "scheduler_state",
    _metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text),
    Column("updated_at", DateTime(timezone=True)),
)


def _now() -> datetime:
    return datetime.now(UTC)


def _row(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key in ("started_at", "finished_at"):
        value = data.get(key)
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        data[key] = value.isoformat() if value else None
    return data


class RunRegistry:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        create_tables(_metadata, self.engine)

    def claim(self, job_id: str, period: str, holder: str, reason: str) -> bool:
        """True for the one caller that claims (job_id, period); False for every other."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    runs_table.insert().values(
                        job_id=job_id, period=period, holder=holder, reason=reason, status="running", started_at=_now()
                    )
                )
            return True
        except IntegrityError:
            return False

    def finish(self, job_id: str, period: str, ok: bool, summary: Any = None, error: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(runs_table)
                .where(runs_table.c.job_id == job_id, runs_table.c.period == period)
                .values(
                    status="succeeded" if ok else "failed",
                    finished_at=_now(),
                    summary=json.loads(json.dumps(summary, default=str)),
                    error=error,
                )
            )

    def runs(self, job_id: str | None = None) -> list[dict[str, Any]]:
        statement = select(runs_table).order_by(runs_table.c.started_at)
        if job_id:
            statement = statement.where(runs_table.c.job_id == job_id)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(statement)]

    def last_runs(self) -> dict[str, dict[str, Any]]:
        last: dict[str, dict[str, Any]] = {}
        for run in self.runs():
            last[run["job_id"]] = run
        return last

    def set_state(self, key: str, value: str | None) -> None:
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(state_table).where(state_table.c.key == key).values(value=value, updated_at=_now())
            ).rowcount
            if not changed:
                try:
                    conn.execute(state_table.insert().values(key=key, value=value, updated_at=_now()))
                except IntegrityError:  # another process inserted it first; ours is as good
                    pass

    def get_state(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(state_table.c.value).where(state_table.c.key == key)).first()
        return row.value if row else None
