"""The document store on SQL databases through SQLAlchemy Core: SQLite (default) and PostgreSQL.

One table per document type, all with the same columns. SQLite runs in WAL mode so
several worker processes can read while one writes; every write is its own committed
transaction before the API answers, so an answered analysis is never lost.

Errors: a database that cannot be reached or answers with a fault is StoreUnavailable; a
database that answered and refused the row (a data error, a constraint other than the
duplicate document id, a value that cannot be bound) is StoreRejected, which retrying
will not cure; the duplicate document id is DuplicateDocument.
"""

from __future__ import annotations

import logging
import random
import re
import sqlite3
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Index,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    event,
    func,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError, StatementError

from domain.records import REVIEW_DECISIONS, AnalysisRecord, LabelQuery, ListQuery
from store.document_store import DocumentStore, DuplicateDocument, StoreRejected, StoreUnavailable
from store.sqlite_writer import SqliteGroupWriter, sqlite_refusal

log = logging.getLogger(__name__)

JsonType = JSON().with_variant(JSONB(), "postgresql")


def document_table(name: str, metadata: MetaData) -> Table:
    """The columns every document type's table has (the Supabase migration mirrors them)."""
    return Table(
        name,
        metadata,
        Column("document_id", String(64), primary_key=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("raw_fields", JsonType, nullable=False),
        Column("features", JsonType, nullable=False),
        Column("risk_score", Float, nullable=False),
        Column("risk_level", String(10), nullable=False),
        Column("ai_recommendation", String(10), nullable=False),
        Column("confidence_score", Float, nullable=False),
        Column("model_version", String(32), nullable=False),
        Column("reasons", JsonType, nullable=False),
        Column("top_features", JsonType, nullable=False),
        Column("model_scores", JsonType, nullable=False),
        Column("warnings", JsonType, nullable=False),
        Column("anomaly", JsonType),
        Column("batch_id", String(64)),
        Column("reviewer_decision", String(10)),
        Column("reviewer", String(200)),
        Column("review_notes", Text),
        Column("reviewed_at", DateTime(timezone=True)),
        Index(f"ix_{name}_created_at", "created_at"),
        Index(f"ix_{name}_recommendation_created", "ai_recommendation", "created_at"),
        Index(f"ix_{name}_review", "reviewer_decision", "reviewed_at"),
    )


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UNIQUE_VIOLATION = "23505"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,62}$")


def is_duplicate_key(orig: BaseException | None) -> bool:
    """The driver error of an IntegrityError is the document id already being stored (not NOT NULL, CHECK, ...)."""
    if isinstance(orig, sqlite3.IntegrityError):
        return isinstance(sqlite_refusal(orig, ""), DuplicateDocument)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)  # psycopg 3, psycopg2
    if state is not None:
        return state == UNIQUE_VIOLATION
    return "unique" in str(orig).lower() or "duplicate" in str(orig).lower()


def _refusal_detail(orig: BaseException | None) -> str:
    """The driver error's class, SQL state and the column or constraint it names: never a value."""
    parts = [type(orig).__name__]
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    if code:
        parts.append(str(code))
    diag = getattr(orig, "diag", None)  # psycopg: the server's own fields, identifiers only
    for name in ("column_name", "constraint_name"):
        value = getattr(diag, name, None) if diag is not None else None
        if value and _IDENTIFIER.match(value):
            parts.append(f"{name.split('_')[0]} {value}")
    return ", ".join(parts)


def store_refused(exc: BaseException) -> bool:
    """The database answered and refused the values (retrying will not help), rather than being away."""
    if isinstance(exc, (DataError, IntegrityError)):
        return True
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        if isinstance(orig, sqlite3.Error):  # SQLite through SQLAlchemy (an in-memory database)
            return sqlite_refusal(orig, "") is not None
        # psycopg: a Python value it has no adapter for ("cannot adapt type 'dict'"); no SQL state, never sent.
        return getattr(orig, "sqlstate", "") is None and str(orig).startswith("cannot adapt")
    if isinstance(exc, StatementError):  # a bind processor refused a value (orjson: an integer beyond 64 bits)
        return isinstance(exc.orig, (TypeError, ValueError, OverflowError))
    # Raised by the driver while binding, which SQLAlchemy passes on unwrapped: psycopg's JSON dumper
    # (orjson refusing a value), an integer beyond 64 bits for SQLite, a lone surrogate.
    return isinstance(exc, (TypeError, ValueError, OverflowError))


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite in WAL mode with a busy timeout, PostgreSQL with pre-ping and a connect timeout."""
    url = normalise_url(url)
    is_sqlite = url.startswith("sqlite")
    database = make_url(url).database
    if is_sqlite and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)  # the instance folder on a fresh machine
    engine = create_engine(
        url,
        pool_pre_ping=not is_sqlite,
        connect_args={"timeout": 30} if is_sqlite else {"connect_timeout": 10},
        # JSON columns through orjson: the standard library's encoder was a quarter of a stored batch's time.
        json_serializer=_json_text,
        json_deserializer=orjson.loads,
    )
    if is_sqlite:
        _enable_sqlite_concurrency(engine)
    return engine


def _enable_sqlite_concurrency(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # pragma: no cover - runs inside the driver
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL mode
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def create_tables(metadata: MetaData, engine: Engine, attempts: int = 8) -> None:
    """`metadata.create_all`, tolerant of other processes creating the same tables at the same moment.

    Every gunicorn worker creates the tables it needs at start-up. On a fresh database two
    of them can both see a table missing and both create it ("already exists"), or SQLite
    can refuse one of them outright ("database is locked", without waiting, when two
    connections upgrade to a write at once). The loser retries: by then the tables exist.
    """
    for attempt in range(attempts):
        try:
            metadata.create_all(engine)
            add_missing_columns(metadata, engine)
            return
        except SQLAlchemyError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1) * (1 + random.random()))


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// URLs (as hosting providers print them) use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def add_missing_columns(metadata: MetaData, engine: Engine) -> None:
    """Add the nullable columns a later release introduced to tables an earlier release created."""
    inspector = inspect(engine)
    with engine.begin() as conn:
        for name, table in metadata.tables.items():
            present = {column["name"] for column in inspector.get_columns(name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    conn.execute(text(f'ALTER TABLE "{name}" ADD COLUMN "{column.name}" {kind}'))
                    log.info("Added column %s to table %s", column.name, name)


def _row(record: AnalysisRecord) -> dict[str, Any]:
    values = record.as_dict()
    values.pop("document_type")
    values["created_at"] = record.created_at
    values["reviewed_at"] = record.reviewed_at
    return values


class SqlDocumentStore(DocumentStore):
    """DocumentStore on any SQLAlchemy URL.

    `tables` maps each table name to its document type name; missing tables are created.
    """

    def __init__(self, url: str, tables: Mapping[str, str], create: bool = True):
        self.engine = make_engine(url)
        self.metadata = MetaData()
        self.tables = {name: document_table(name, self.metadata) for name in tables}
        self.type_names = dict(tables)
        # SQLite files get group commit (see store/sqlite_writer.py); PostgreSQL takes concurrent inserts itself.
        database = self.engine.url.database
        is_file = self.engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
        self._writer = SqliteGroupWriter(self.engine, self.tables) if is_file else None
        if create:
            try:
                create_tables(self.metadata, self.engine)
            except SQLAlchemyError as exc:
                raise StoreUnavailable(f"Could not create tables: {type(exc).__name__}") from None

    def _table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise ValueError(f"Unknown document table {name!r}") from None

    def _record(self, table: Table, row: Any) -> AnalysisRecord:
        data = dict(row._mapping)
        data["created_at"] = _utc(data["created_at"])
        data["reviewed_at"] = _utc(data["reviewed_at"])
        return AnalysisRecord(document_type=self.type_names[table.name], **data)

    def _read(self, action: str, statement, how: str = "all"):
        """Execute a read; `how` is the Result method that shapes the answer (all, first, scalar_one)."""

        def fetch():
            with self.engine.connect() as conn:
                return getattr(conn.execute(statement), how)()

        return self._run(action, fetch, write=False)

    def _run(self, action: str, fn, write: bool = True):
        try:
            return fn()
        except DuplicateDocument:  # a ValueError, but an answer rather than a refusal
            raise
        except (SQLAlchemyError, TypeError, ValueError, OverflowError) as exc:
            # The driver's message can quote row values (names, account numbers): log the class only.
            if write and store_refused(exc):
                detail = _refusal_detail(getattr(exc, "orig", None) or exc)
                log.error("Document store refused to %s: %s (%s)", action, type(exc).__name__, detail)
                raise StoreRejected(
                    f"Document store refused to {action} ({detail})", cause=type(exc).__name__
                ) from None
            if not isinstance(exc, SQLAlchemyError):
                raise
            log.error("Document store could not %s: %s", action, type(exc).__name__)
            raise StoreUnavailable(f"Document store could not {action}") from None

    def save_analysis(self, table: str, record: AnalysisRecord) -> None:
        self.save_analyses(table, [record])

    def save_analyses(self, table: str, records: list[AnalysisRecord]) -> None:
        """Insert in one transaction: all are stored or none."""
        t = self._table(table)
        rows = [_row(record) for record in records]
        if self._writer is not None and rows:
            self._writer.insert(table, rows)
            return

        def insert():
            try:
                with self.engine.begin() as conn:
                    conn.execute(t.insert(), rows)
            except IntegrityError as exc:
                if is_duplicate_key(exc.orig):
                    raise DuplicateDocument(f"{table} already holds one of these documents") from None
                raise  # NOT NULL, CHECK, ...: refused (see _run)

        if rows:
            self._run("save the analysis", insert)

    def get_analysis(self, table: str, document_id: str) -> AnalysisRecord | None:
        t = self._table(table)

        row = self._read("read the analysis", select(t).where(t.c.document_id == document_id), "first")
        return self._record(t, row) if row is not None else None

    def list_analyses(self, table: str, query: ListQuery) -> list[AnalysisRecord]:
        t = self._table(table)
        statement = select(t)
        if query.recommendation:
            statement = statement.where(t.c.ai_recommendation == query.recommendation)
        if query.reviewed is True:
            statement = statement.where(t.c.reviewer_decision.is_not(None))
        elif query.reviewed is False:
            statement = statement.where(t.c.reviewer_decision.is_(None))
        if query.before is not None:
            statement = statement.where(t.c.created_at < query.before)
        statement = statement.order_by(t.c.created_at.desc(), t.c.document_id.desc()).limit(query.limit)
        return [self._record(t, row) for row in self._read("list analyses", statement)]

    def record_review(self, table, document_id, decision, reviewer, notes, at) -> AnalysisRecord | None:
        if decision not in REVIEW_DECISIONS:
            raise ValueError(f"decision must be one of {REVIEW_DECISIONS}")
        t = self._table(table)

        def write():
            with self.engine.begin() as conn:
                result = conn.execute(
                    update(t)
                    .where(t.c.document_id == document_id)
                    .values(reviewer_decision=decision, reviewer=reviewer, review_notes=notes, reviewed_at=at)
                )
                return result.rowcount

        if not self._run("record the review", write):
            return None
        return self.get_analysis(table, document_id)

    def _labelled_filter(self, t: Table, query: LabelQuery):
        condition = t.c.reviewer_decision.in_(REVIEW_DECISIONS)
        if query.include_model_labels:
            ai_label = and_(t.c.reviewer_decision.is_(None), t.c.ai_recommendation.in_(REVIEW_DECISIONS))
            if query.min_confidence is not None:
                if query.confidence_field not in t.c:
                    raise ValueError(f"No column {query.confidence_field!r} to filter confidence on")
                ai_label = and_(ai_label, t.c[query.confidence_field] >= query.min_confidence)
            condition = or_(condition, ai_label)
        if query.since is not None:
            condition = and_(condition, or_(t.c.created_at >= query.since, t.c.reviewed_at >= query.since))
        return condition

    def labelled_documents(self, table: str, query: LabelQuery) -> list[AnalysisRecord]:
        t = self._table(table)
        statement = (
            select(t).where(self._labelled_filter(t, query)).order_by(t.c.created_at.desc(), t.c.document_id.desc())
        )
        if query.limit is not None:
            statement = statement.limit(query.limit)
        return [self._record(t, row) for row in self._read("read labelled documents", statement)]

    def count_labelled(self, table: str, query: LabelQuery) -> int:
        t = self._table(table)
        statement = select(func.count()).select_from(t).where(self._labelled_filter(t, query))
        return int(self._read("count labelled documents", statement, "scalar_one"))

    def recommendation_counts(self, table: str, since: datetime) -> dict[str, int]:
        t = self._table(table)
        statement = (
            select(t.c.ai_recommendation, func.count()).where(t.c.created_at >= since).group_by(t.c.ai_recommendation)
        )
        return {rec: int(n) for rec, n in self._read("count recommendations", statement)}

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.engine.dispose()
