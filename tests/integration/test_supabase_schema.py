"""The Supabase migration on a real PostgreSQL: it applies, matches the store's columns, and locks out anon."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from store.sql import document_table, make_engine
from support.supabase_schema import TABLES, apply_migrations

pytestmark = pytest.mark.postgres


def test_migration_applies_twice_and_matches_the_store_columns(postgres_url):
    from sqlalchemy import MetaData

    apply_migrations(postgres_url)
    apply_migrations(postgres_url)  # idempotent: `supabase db push` may meet existing objects
    engine = make_engine(postgres_url)
    with engine.connect() as conn:
        for table in TABLES:
            columns = conn.execute(
                text(
                    "select column_name, data_type, is_nullable from information_schema.columns "
                    "where table_schema = 'public' and table_name = :t"
                ),
                {"t": table},
            ).all()
            migrated = {name: (kind, nullable == "YES") for name, kind, nullable in columns}
            expected = document_table(table, MetaData())
            assert set(migrated) == {c.name for c in expected.columns}, table
            for column in expected.columns:
                assert migrated[column.name][1] == column.nullable, (table, column.name)
            assert migrated["raw_fields"][0] == "jsonb" and migrated["created_at"][0] == "timestamp with time zone"
            rls = conn.execute(text("select relrowsecurity from pg_class where relname = :t"), {"t": table}).scalar()
            assert rls is True
            anon = conn.execute(
                text("select has_table_privilege('anon', :t, 'select')"), {"t": f"public.{table}"}
            ).scalar()
            service = conn.execute(
                text("select has_table_privilege('service_role', :t, 'insert')"), {"t": f"public.{table}"}
            ).scalar()
            assert anon is False and service is True
    engine.dispose()


def test_schema_refuses_values_the_api_never_writes(postgres_url):
    apply_migrations(postgres_url)
    engine = make_engine(postgres_url)
    with pytest.raises(Exception, match="check"):
        with engine.begin() as conn:
            conn.execute(
                text(
                    "insert into paystubs (document_id, created_at, raw_fields, features, risk_score, risk_level, "
                    "ai_recommendation, confidence_score, model_version, reasons, top_features, model_scores, "
                    "warnings) "
                    "values ('x', now(), '{}', '{}', 150, 'LOW', 'APPROVE', 0.9, 'v', '[]', '[]', '{}', '[]')"
                )
            )
    engine.dispose()
