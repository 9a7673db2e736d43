"""The retraining scheduler: firing, flags, exactly-once across processes, misfires, triggers, DST."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.document_retraining_scheduler import (
    EPOCH,
    TRIGGER_JOB_ID,
    WEEKLY_JOB_ID,
    RetrainingScheduler,
    period_of,
)
from store.run_registry import RunRegistry
from support.app import make_config
from support.retraining import small_config
from training.retraining_config import load_config

HELPER = Path(__file__).parents[1] / "support" / "scheduler_process.py"
FAR = IntervalTrigger(days=3650, start_date=datetime.now(UTC) + timedelta(days=3650))


@pytest.fixture
def app(models_dir, tmp_path):
    from api_server import create_app

    path = small_config(
        tmp_path, auto_train_threshold=5, min_documents_for_flag_rate=20, retrain_interval_hours=0, enabled=False
    )
    app = create_app(make_config(models_dir, f"sqlite:///{tmp_path}/docs.db", RETRAINING_CONFIG_PATH=path))
    yield app
    app.extensions["fraud_detection"].scheduler.stop()
    app.extensions["fraud_detection"].store.close()


def scheduler_for(app, enabled_types=("check",), **kwargs) -> RetrainingScheduler:
    """A scheduler over the app's services with automation switched on and only `enabled_types` enabled."""
    config = dataclasses.replace(app.config["FRAUD_CONFIG"], ENABLE_AUTOMATED_RETRAINING=True)
    retraining = load_config(app.config["FRAUD_CONFIG"].RETRAINING_CONFIG_PATH)
    types = {
        name: s.model_copy(update={"enabled": name in enabled_types}) for name, s in retraining.document_types.items()
    }
    retraining = retraining.model_copy(update={"document_types": types})
    kwargs.setdefault("trigger_check", FAR)
    return RetrainingScheduler(
        config, retraining, app.extensions["fraud_detection"], app.extensions["fraud_detection"].runner, **kwargs
    )


def wait_for(predicate, timeout=60.0, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


def test_nothing_is_scheduled_when_switched_off(app):
    assert app.extensions["fraud_detection"].scheduler.start() is False  # ENABLE_AUTOMATED_RETRAINING is false
    assert app.extensions["fraud_detection"].scheduler.status()["running"] is False
    off = scheduler_for(app)
    off.config = off.config.model_copy(
        update={
            "global_settings": off.config.global_settings.model_copy(update={"scheduled_retraining_enabled": False})
        }
    )
    assert off.start() is False and off.status()["jobs"] == []


def test_weekly_job_uses_the_configured_cron(app):
    scheduler = scheduler_for(app)
    assert scheduler.start()
    try:
        jobs = {job["id"]: job for job in scheduler.status()["jobs"]}
        assert set(jobs) == {WEEKLY_JOB_ID, TRIGGER_JOB_ID}
        weekly = datetime.fromisoformat(jobs[WEEKLY_JOB_ID]["next_run_time"])
        assert (weekly.weekday(), weekly.hour, weekly.minute) == (6, 2, 0)  # Sunday 02:00, UTC as configured
        job = scheduler.scheduler.get_job(WEEKLY_JOB_ID)
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 3600)
    finally:
        scheduler.stop()


def test_a_job_scheduled_seconds_ahead_fires_and_retrains(app):
    scheduler = scheduler_for(app, weekly_trigger=DateTrigger(datetime.now(UTC) + timedelta(seconds=2)))
    assert scheduler.start()
    try:
        run = wait_for(
            lambda: next((r for r in scheduler.registry.runs(WEEKLY_JOB_ID) if r["status"] != "running"), None),
            timeout=120,
        )
    finally:
        scheduler.stop()
    assert run["status"] == "succeeded", run
    summary = run["summary"]
    assert summary["total"] == 1 and summary["successful"] == 1
    result = summary["results"]["check"]
    assert result["success"] and result["version_id"]
    job = app.extensions["fraud_detection"].runner.jobs.get(result["job_id"])
    assert job["trigger"].startswith("scheduled (weekly_document_retraining")


def test_a_run_that_raises_leaves_the_scheduler_alive(app):
    calls = []

    def flaky(reason):
        calls.append(reason)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return {"ok": True}

    scheduler = scheduler_for(app, weekly_trigger=IntervalTrigger(seconds=1, start_date=EPOCH), weekly_job=flaky)
    scheduler.start()
    try:
        runs = wait_for(
            lambda: [r for r in scheduler.registry.runs(WEEKLY_JOB_ID) if r["status"] == "succeeded"], timeout=10
        )
        assert scheduler.status()["running"]
    finally:
        scheduler.stop()
    failed = [r for r in scheduler.registry.runs(WEEKLY_JOB_ID) if r["status"] == "failed"]
    assert failed and "boom" in failed[0]["error"] and runs


def run_three_processes(url: str, seconds: float) -> None:
    processes = [subprocess.Popen([sys.executable, str(HELPER), url, str(seconds)]) for _ in range(3)]
    for process in processes:
        assert process.wait(timeout=seconds + 60) == 0


def assert_exactly_one_run_per_period(registry: RunRegistry, seconds: float) -> None:
    runs = registry.runs(WEEKLY_JOB_ID)
    periods = Counter(run["period"] for run in runs)
    assert periods and max(periods.values()) == 1
    assert all(run["status"] == "succeeded" for run in runs)
    stamps = sorted(datetime.fromisoformat(p) for p in periods)
    assert all((b - a) == timedelta(seconds=2) for a, b in zip(stamps, stamps[1:]))  # no period missed
    assert len(stamps) >= seconds / 2 - 2


def test_three_processes_on_sqlite_run_each_period_once(tmp_path):
    url = f"sqlite:///{tmp_path}/shared.db"
    RunRegistry(url)  # create the tables before the race
    run_three_processes(url, 9)
    assert_exactly_one_run_per_period(RunRegistry(url), 9)


@pytest.mark.postgres
def test_three_processes_on_postgres_run_each_period_once(postgres_url):
    from sqlalchemy import text

    from store.sql import make_engine

    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS scheduler_runs, scheduler_state"))
    engine.dispose()
    RunRegistry(postgres_url)
    run_three_processes(postgres_url, 9)
    assert_exactly_one_run_per_period(RunRegistry(postgres_url), 9)


def test_a_misfired_run_inside_the_grace_time_runs_once(app):
    calls = []
    missed = IntervalTrigger(hours=1, start_date=datetime.now(UTC) - timedelta(seconds=5))
    first = scheduler_for(app, weekly_trigger=missed, weekly_job=lambda reason: calls.append(reason))
    second = scheduler_for(app, weekly_trigger=missed, weekly_job=lambda reason: calls.append(reason))
    first.start()
    second.start()  # another worker starting after the outage
    try:
        wait_for(lambda: calls, timeout=10)
        time.sleep(1.5)
    finally:
        first.stop()
        second.stop()
    assert len(calls) == 1
    restarted = scheduler_for(app, weekly_trigger=missed, weekly_job=lambda reason: calls.append(reason))
    restarted.start()  # a restart after the catch-up ran must not run it again
    time.sleep(1.5)
    restarted.stop()
    assert len(calls) == 1


def test_a_run_missed_beyond_the_grace_time_is_not_run(app, tmp_path):
    calls = []
    old = IntervalTrigger(days=1, start_date=datetime.now(UTC) - timedelta(hours=2))  # fired 2 h ago
    scheduler = scheduler_for(app, weekly_trigger=old, weekly_job=lambda reason: calls.append(reason))
    scheduler.start()
    time.sleep(1.5)
    scheduler.stop()
    assert calls == []


def test_new_data_trigger_fires_at_the_threshold_and_not_before(app):
    client = app.test_client()
    scheduler = scheduler_for(app, enabled_types=("paystub",))
    app.extensions["fraud_detection"].scheduler = scheduler
    app.config["FRAUD_CONFIG"] = scheduler.app_config  # automation on for the review route
    assert [d.due for d in scheduler.decisions("paystub")] == [False, False]
    batch = app.extensions["fraud_detection"].types["paystub"].generator.generate(6, 404, fraud_rate=0.0)
    statuses = []
    for document in batch.documents:
        document_id = client.post("/api/paystubs/analyze", json=document).json["document_id"]
        response = client.post(f"/api/paystubs/{document_id}/review", json={"decision": "APPROVE", "reviewer": "r"})
        statuses.append(response.json["training_status"])
    # The analyses are confident AI labels too; the threshold (5) is crossed at the third review at the latest.
    assert "retrain queued" in statuses
    first_queued = statuses.index("retrain queued")
    assert all(s == "no training needed" for s in statuses[:first_queued])
    decision = scheduler.decisions("paystub")[0]
    assert decision.due and decision.kind == "new-data" and "(threshold 5)" in decision.reason
    runner = app.extensions["fraud_detection"].runner
    job = runner.jobs.active_job("paystub") or runner.jobs.get(
        scheduler.registry.runs("new_data_paystub")[0]["summary"]["job_id"]
    )
    assert job["trigger"] == "new-data"
    assert len(scheduler.registry.runs("new_data_paystub")) == 1  # queued once, not once per review
    runner.wait(job["job_id"], timeout=120)


def test_flag_rate_trigger_fires_when_the_band_is_left(app):
    client = app.test_client()
    scheduler = scheduler_for(app, enabled_types=("money_order",))
    money_order = app.extensions["fraud_detection"].types["money_order"]
    for document in money_order.generator.generate(25, 8, fraud_rate=0.15).documents:
        client.post("/api/money-orders/analyze", json=document)
    flag_rate = scheduler.decisions("money_order")[1]
    counts = app.extensions["fraud_detection"].store.recommendation_counts(
        "money_orders", datetime.now(UTC) - timedelta(days=1)
    )
    share = counts.get("REJECT", 0) / sum(counts.values())
    assert flag_rate.due == (not 0.05 <= share <= 0.30), (flag_rate, counts)
    for document in money_order.generator.generate(40, 9, fraud_rate=1.0).documents:
        client.post("/api/money-orders/analyze", json=document)
    flag_rate = scheduler.decisions("money_order")[1]
    assert flag_rate.due and flag_rate.kind == "flag-rate" and "outside [5%, 30%]" in flag_rate.reason


def test_trigger_check_retrains_due_types_and_records_why(app):
    client = app.test_client()
    scheduler = scheduler_for(app, enabled_types=("check",))
    check = app.extensions["fraud_detection"].types["check"]
    for document in check.generator.generate(30, 12, fraud_rate=1.0).documents:
        client.post("/api/checks/analyze", json=document)
    summary = scheduler.check_triggers()
    assert set(summary["retrained"]) == {"check"}
    assert "flag-rate: REJECT share" in summary["retrained"]["check"]["why"]
    assert summary["retrained"]["check"]["success"]


@pytest.mark.parametrize(
    "zone, spring, autumn",
    [
        ("Europe/Berlin", "2026-03-29", "2026-10-25"),
        ("America/New_York", "2026-03-08", "2026-11-01"),
    ],
)
def test_sunday_2am_across_both_daylight_saving_changes(zone, spring, autumn):
    tz = ZoneInfo(zone)
    trigger = CronTrigger(day_of_week="sun", hour=2, minute=0, timezone=tz)
    fires, previous, now = [], None, datetime(2026, 3, 1, tzinfo=tz)
    while now < datetime(2026, 11, 15, tzinfo=tz):
        fire = trigger.get_next_fire_time(previous, now)
        fires.append(fire)
        previous, now = fire, fire.astimezone(UTC) + timedelta(seconds=1)
    periods = [period_of(trigger, fire.astimezone(UTC) + timedelta(seconds=30), tz) for fire in fires]
    autumn_fires = [f for f in fires if f.date().isoformat() == autumn]
    # APScheduler fires twice when 02:00 is repeated (Berlin); the period key makes that one run.
    assert len(autumn_fires) == (2 if zone == "Europe/Berlin" else 1)
    days = Counter(p[:10] for p in set(periods))
    assert all(count == 1 for count in days.values())  # never two periods on one Sunday
    sundays = {(datetime(2026, 3, 1) + timedelta(weeks=w)).date().isoformat() for w in range(38)}  # to Nov 15
    assert set(days) == sundays  # and no Sunday skipped, including both change days
    assert spring in days and autumn in days
    spring_fire = next(f for f in fires if f.date().isoformat() == spring)
    assert spring_fire.astimezone(UTC).hour == (1 if zone == "Europe/Berlin" else 7)
