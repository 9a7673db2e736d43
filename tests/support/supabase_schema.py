"""Apply the Supabase migration to a plain PostgreSQL database, as Supabase would (shared by tests)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from store.sql import make_engine

MIGRATIONS = sorted((Path(__file__).resolve().parents[2] / "supabase" / "migrations").glob("*.sql"))
TABLES = ("paystubs", "checks", "money_orders", "bank_statements")
# Supabase creates these roles itself; a plain PostgreSQL needs them before the migration grants to them.
ROLES = """
do $$ begin
  if not exists (select from pg_roles where rolname = 'anon') then create role anon nologin; end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin bypassrls;
  end if;
end $$;
"""


def apply_migrations(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"drop table if exists public.{table}"))
        conn.exec_driver_sql(ROLES)
        for migration in MIGRATIONS:
            conn.exec_driver_sql(migration.read_text())
    engine.dispose()
