"""The stores the configuration names, built for the app factory and the retrain process."""

from __future__ import annotations

from collections.abc import Iterable

from config import Config
from domain.document_type import DocumentType
from store.document_store import DocumentStore
from store.outbox import Outbox, OutboxDocumentStore
from store.sql import SqlDocumentStore


def document_store(config: Config, types: Iterable[DocumentType]) -> DocumentStore:
    """Supabase when SUPABASE_URL and SUPABASE_KEY are set, else SQL (DATABASE_URL, or SQLite in the instance)."""
    tables = {t.table: t.name for t in types}
    if config.SUPABASE_URL and config.SUPABASE_KEY:
        from store.supabase import SupabaseDocumentStore  # supabase-py is loaded only where it is used

        return SupabaseDocumentStore(
            config.SUPABASE_URL, config.SUPABASE_KEY, tables, max_rows=config.SUPABASE_MAX_ROWS
        )
    return SqlDocumentStore(config.database_url(), tables)


def document_store_with_outbox(config: Config, types: Iterable[DocumentType]) -> OutboxDocumentStore:
    """The document store behind the durable local outbox that keeps analyses through an outage."""
    return OutboxDocumentStore(document_store(config, types), Outbox(config.outbox_path()))
