-- Anomaly detection and batch uploads: two nullable columns on every document table.
-- Mirrors Backend/store/sql.py (document_table), which adds the same columns to SQLite/PostgreSQL
-- tables created by an earlier release.

alter table public.paystubs add column if not exists anomaly jsonb;
alter table public.paystubs add column if not exists batch_id varchar(64);
create index if not exists ix_paystubs_batch on public.paystubs (batch_id) where batch_id is not null;

alter table public.checks add column if not exists anomaly jsonb;
alter table public.checks add column if not exists batch_id varchar(64);
create index if not exists ix_checks_batch on public.checks (batch_id) where batch_id is not null;

alter table public.money_orders add column if not exists anomaly jsonb;
alter table public.money_orders add column if not exists batch_id varchar(64);
create index if not exists ix_money_orders_batch on public.money_orders (batch_id) where batch_id is not null;

alter table public.bank_statements add column if not exists anomaly jsonb;
alter table public.bank_statements add column if not exists batch_id varchar(64);
create index if not exists ix_bank_statements_batch on public.bank_statements (batch_id) where batch_id is not null;
