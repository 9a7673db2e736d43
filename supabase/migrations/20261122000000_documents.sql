-- Document store for the fraud detection API: one table per document type, same columns.
-- Mirrors Backend/store/sql.py (document_table); tests/test_supabase_schema.py applies this file to a
-- real PostgreSQL and runs the store's test suite against it, so the two cannot drift apart.
-- Row-level security is on with no policy for anon or authenticated: only the service role (which the
-- API uses, server side) reads and writes.

create table if not exists public.paystubs (
    document_id       varchar(64)      primary key,
    created_at        timestamptz      not null,
    raw_fields        jsonb            not null,
    features          jsonb            not null,
    risk_score        double precision not null check (risk_score between 0 and 100),
    risk_level        varchar(10)      not null check (risk_level in ('LOW', 'MEDIUM', 'HIGH')),
    ai_recommendation varchar(10)      not null check (ai_recommendation in ('APPROVE', 'ESCALATE', 'REJECT')),
    confidence_score  double precision not null check (confidence_score between 0 and 1),
    model_version     varchar(32)      not null,
    reasons           jsonb            not null,
    top_features      jsonb            not null,
    model_scores      jsonb            not null,
    warnings          jsonb            not null,
    reviewer_decision varchar(10)      check (reviewer_decision in ('APPROVE', 'REJECT')),
    reviewer          varchar(200),
    review_notes      text,
    reviewed_at       timestamptz
);
-- review queue and keyset paging: newest first, ties broken by id
create index if not exists ix_paystubs_created_at on public.paystubs (created_at desc, document_id desc);
create index if not exists ix_paystubs_recommendation_created on public.paystubs (ai_recommendation, created_at desc);
-- training data: reviewer labels, and confident AI labels
create index if not exists ix_paystubs_review on public.paystubs (reviewer_decision, reviewed_at);
create index if not exists ix_paystubs_confident_labels on public.paystubs (confidence_score)
    where reviewer_decision is null and ai_recommendation in ('APPROVE', 'REJECT');
alter table public.paystubs enable row level security;
revoke all on public.paystubs from anon, authenticated;
grant all on public.paystubs to service_role;
drop policy if exists "paystubs: service role only" on public.paystubs;
create policy "paystubs: service role only" on public.paystubs for all to service_role using (true) with check (true);

create table if not exists public.checks (
    document_id       varchar(64)      primary key,
    created_at        timestamptz      not null,
    raw_fields        jsonb            not null,
    features          jsonb            not null,
    risk_score        double precision not null check (risk_score between 0 and 100),
    risk_level        varchar(10)      not null check (risk_level in ('LOW', 'MEDIUM', 'HIGH')),
    ai_recommendation varchar(10)      not null check (ai_recommendation in ('APPROVE', 'ESCALATE', 'REJECT')),
    confidence_score  double precision not null check (confidence_score between 0 and 1),
    model_version     varchar(32)      not null,
    reasons           jsonb            not null,
    top_features      jsonb            not null,
    model_scores      jsonb            not null,
    warnings          jsonb            not null,
    reviewer_decision varchar(10)      check (reviewer_decision in ('APPROVE', 'REJECT')),
    reviewer          varchar(200),
    review_notes      text,
    reviewed_at       timestamptz
);
-- review queue and keyset paging: newest first, ties broken by id
create index if not exists ix_checks_created_at on public.checks (created_at desc, document_id desc);
create index if not exists ix_checks_recommendation_created on public.checks (ai_recommendation, created_at desc);
-- training data: reviewer labels, and confident AI labels
create index if not exists ix_checks_review on public.checks (reviewer_decision, reviewed_at);
create index if not exists ix_checks_confident_labels on public.checks (confidence_score)
    where reviewer_decision is null and ai_recommendation in ('APPROVE', 'REJECT');
alter table public.checks enable row level security;
revoke all on public.checks from anon, authenticated;
grant all on public.checks to service_role;
drop policy if exists "checks: service role only" on public.checks;
create policy "checks: service role only" on public.checks for all to service_role using (true) with check (true);

create table if not exists public.money_orders (
    document_id       varchar(64)      primary key,
    created_at        timestamptz      not null,
    raw_fields        jsonb            not null,
    features          jsonb            not null,
    risk_score        double precision not null check (risk_score between 0 and 100),
    risk_level        varchar(10)      not null check (risk_level in ('LOW', 'MEDIUM', 'HIGH')),
    ai_recommendation varchar(10)      not null check (ai_recommendation in ('APPROVE', 'ESCALATE', 'REJECT')),
    confidence_score  double precision not null check (confidence_score between 0 and 1),
    model_version     varchar(32)      not null,
    reasons           jsonb            not null,
    top_features      jsonb            not null,
    model_scores      jsonb            not null,
    warnings          jsonb            not null,
    reviewer_decision varchar(10)      check (reviewer_decision in ('APPROVE', 'REJECT')),
    reviewer          varchar(200),
    review_notes      text,
    reviewed_at       timestamptz
);
-- review queue and keyset paging: newest first, ties broken by id
create index if not exists ix_money_orders_created_at on public.money_orders (created_at desc, document_id desc);
create index if not exists ix_money_orders_recommendation_created on public.money_orders (ai_recommendation, created_at desc);
-- training data: reviewer labels, and confident AI labels
create index if not exists ix_money_orders_review on public.money_orders (reviewer_decision, reviewed_at);
create index if not exists ix_money_orders_confident_labels on public.money_orders (confidence_score)
    where reviewer_decision is null and ai_recommendation in ('APPROVE', 'REJECT');
alter table public.money_orders enable row level security;
revoke all on public.money_orders from anon, authenticated;
grant all on public.money_orders to service_role;
drop policy if exists "money_orders: service role only" on public.money_orders;
create policy "money_orders: service role only" on public.money_orders for all to service_role using (true) with check (true);

create table if not exists public.bank_statements (
    document_id       varchar(64)      primary key,
    created_at        timestamptz      not null,
    raw_fields        jsonb            not null,
    features          jsonb            not null,
    risk_score        double precision not null check (risk_score between 0 and 100),
    risk_level        varchar(10)      not null check (risk_level in ('LOW', 'MEDIUM', 'HIGH')),
    ai_recommendation varchar(10)      not null check (ai_recommendation in ('APPROVE', 'ESCALATE', 'REJECT')),
    confidence_score  double precision not null check (confidence_score between 0 and 1),
    model_version     varchar(32)      not null,
    reasons           jsonb            not null,
    top_features      jsonb            not null,
    model_scores      jsonb            not null,
    warnings          jsonb            not null,
    reviewer_decision varchar(10)      check (reviewer_decision in ('APPROVE', 'REJECT')),
    reviewer          varchar(200),
    review_notes      text,
    reviewed_at       timestamptz
);
-- review queue and keyset paging: newest first, ties broken by id
create index if not exists ix_bank_statements_created_at on public.bank_statements (created_at desc, document_id desc);
create index if not exists ix_bank_statements_recommendation_created on public.bank_statements (ai_recommendation, created_at desc);
-- training data: reviewer labels, and confident AI labels
create index if not exists ix_bank_statements_review on public.bank_statements (reviewer_decision, reviewed_at);
create index if not exists ix_bank_statements_confident_labels on public.bank_statements (confidence_score)
    where reviewer_decision is null and ai_recommendation in ('APPROVE', 'REJECT');
alter table public.bank_statements enable row level security;
revoke all on public.bank_statements from anon, authenticated;
grant all on public.bank_statements to service_role;
drop policy if exists "bank_statements: service role only" on public.bank_statements;
create policy "bank_statements: service role only" on public.bank_statements for all to service_role using (true) with check (true);
