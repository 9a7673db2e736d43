"""The retraining scheduler: the weekly job, the trigger checks, and exactly-once execution.

Every gunicorn worker (and every host) runs the app factory and so a scheduler. A run of
a job for a given period must still happen once: each process that wakes for a period
claims (job, period) in the shared `scheduler_runs` table, only the claimant runs, and it
holds a lock in the shared database (a PostgreSQL advisory lock, or a file lock beside the
SQLite file) while it does.

The period of a run is the wall-clock time of the fire it belongs to, in the schedule's
zone, so the two firings of a repeated hour when daylight saving ends are one period.

The app factory builds one `RetrainingScheduler` per process and keeps it in the app's
services; nothing here is a module global.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.triggers import Decision, flag_rate_decision, new_data_decision
from services.retraining import AlreadyRunning, RetrainingRunner
from store.locks import DatabaseLock, LockTimeout
from store.run_registry import RunRegistry
from training.retraining_config import RetrainingConfig

log = logging.getLogger(__name__)

WEEKLY_JOB_ID = "weekly_document_retraining"
TRIGGER_JOB_ID = "retraining_trigger_check"
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)  # interval triggers start here, so every process agrees on periods
LOCK_WAIT_SECONDS = 6 * 3600
JOB_WAIT_SECONDS = 3 * 3600


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def period_of(trigger: BaseTrigger, now: datetime, zone: ZoneInfo) -> str:
    """The wall-clock time, in `zone`, of the latest fire of `trigger` at or before `now`."""
    if isinstance(trigger, IntervalTrigger):
        start = trigger.start_date
        seconds = trigger.interval.total_seconds()
        fire = start + timedelta(seconds=seconds * int((now - start).total_seconds() // seconds))
    else:
        # In UTC throughout: aware datetimes of one zone compare and add by wall clock, which does
        # not move forward through the hour that repeats when daylight saving ends.
        fire, candidate = None, trigger.get_next_fire_time(None, now - timedelta(days=8))
        while candidate is not None and candidate <= now and (fire is None or _utc(candidate) > _utc(fire)):
            fire = candidate
            candidate = trigger.get_next_fire_time(candidate, _utc(candidate) + timedelta(seconds=1))
        if fire is None:
            fire = now
    return fire.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")


class RetrainingScheduler:
    """One process's scheduler. `services` gives the document store and detectors; `runner` starts runs."""

    def __init__(
        self,
        app_config,
        retraining_config: RetrainingConfig,
        services,
        runner: RetrainingRunner,
        registry: RunRegistry | None = None,
        lock: DatabaseLock | None = None,
        weekly_trigger: BaseTrigger | None = None,
        trigger_check: BaseTrigger | None = None,
        weekly_job: Callable[[str], Any] | None = None,
    ):
        self.app_config = app_config
        self.config = retraining_config
        self.services = services
        self.runner = runner
        url = app_config.database_url()
        self.registry = registry or RunRegistry(url)
        self.lock = lock or DatabaseLock(url)
        common = retraining_config.global_settings
        self.zone = ZoneInfo(common.schedule_timezone)
        self.weekly_trigger = weekly_trigger or CronTrigger(
            day_of_week=common.schedule_day_of_week,
            hour=common.schedule_hour,
            minute=common.schedule_minute,
            timezone=self.zone,
        )
        self.trigger_check = trigger_check or IntervalTrigger(
            minutes=common.trigger_check_interval_minutes, start_date=EPOCH, timezone=UTC
        )
        self.weekly_job = weekly_job or (lambda reason: self.retrain_all_documents(reason))
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.scheduler: BackgroundScheduler | None = None

    # exactly once -------------------------------------------------------------------------
    def run_exactly_once(self, job_id: str, period: str, reason: str, work: Callable[[], Any]) -> bool:
        """Run `work` if this process claims (job_id, period); False when another process has it."""
        if not self.registry.claim(job_id, period, self.holder, reason):
            log.info("%s for %s already claimed by another process; skipping", job_id, period)
            return False
        try:
            with self.lock.hold(timeout=LOCK_WAIT_SECONDS):
                self.registry.set_state("lock_holder", f"{self.holder} ({job_id} {period})")
                try:
                    summary = work()
                finally:
                    self.registry.set_state("lock_holder", None)
            self.registry.finish(job_id, period, True, summary)
        except (Exception, LockTimeout) as exc:  # the scheduler must survive any run
            log.exception("%s for %s failed", job_id, period)
            self.registry.finish(job_id, period, False, error=f"{type(exc).__name__}: {exc}")
        return True

    def _scheduled(self, job_id: str, trigger: BaseTrigger, work: Callable[[str], Any]) -> Callable[[], None]:
        def fire() -> None:
            period = period_of(trigger, datetime.now(UTC), self.zone)
            reason = f"scheduled ({job_id}, period {period})"
            self.run_exactly_once(job_id, period, reason, lambda: work(reason))

        return fire

    # the jobs -----------------------------------------------------------------------------
    def _enabled_types(self) -> list[str]:
        return [name for name, s in self.config.document_types.items() if s.enabled]

    def retrain_all_documents(self, reason: str = "manual") -> dict[str, Any]:
        """Retrain every enabled type, one after another; one failing does not stop the others."""
        results = {}
        for name in self._enabled_types():
            results[name] = self._run_and_wait(name, reason)
        successful = sum(1 for r in results.values() if r.get("success"))
        log.info("Summary: %d / %d successful", successful, len(results))
        return {"reason": reason, "successful": successful, "total": len(results), "results": results}

    def _run_and_wait(self, name: str, trigger: str) -> dict[str, Any]:
        try:
            job_id = self.runner.start(name, trigger=trigger)
        except AlreadyRunning as exc:
            return {"success": False, "reason": str(exc), "job_id": exc.job_id}
        job = self.runner.wait(job_id, timeout=JOB_WAIT_SECONDS) or {}
        result = job.get("result") or {"success": False, "reason": job.get("error") or "did not finish"}
        return {key: result.get(key) for key in ("success", "activated", "version_id", "data_source", "reason")} | {
            "job_id": job_id
        }

    def decisions(self, name: str, now: datetime | None = None) -> list[Decision]:
        """The new-data and flag-rate decisions for one type, as of `now`."""
        now = now or datetime.now(UTC)
        settings = self.config.for_type(name)
        table = self.services.types[name].table
        versions = self.services.versions[name]
        store = self.services.store
        return [
            new_data_decision(store, table, versions.store, versions.history, settings, self.config.data_quality, now),
            flag_rate_decision(store, table, versions.history, settings, now),
        ]

    def check_triggers(self, reason: str = "trigger check") -> dict[str, Any]:
        """Retrain each enabled type whose new-data or flag-rate trigger is due, recording why."""
        ran = {}
        for name in self._enabled_types():
            due = [d for d in self.decisions(name) if d.due]
            if due:
                why = "; ".join(f"{d.kind}: {d.reason}" for d in due)
                log.info("%s retraining triggered: %s", name, why)
                ran[name] = {"why": why, **self._run_and_wait(name, due[0].kind)}
        return {"reason": reason, "retrained": ran}

    def on_review(self, name: str) -> str:
        """After a review: queue the type's retrain once if it crossed auto_train_threshold (never waits)."""
        if not self.app_config.ENABLE_AUTOMATED_RETRAINING:
            return "no training needed"
        decision = self.decisions(name)[0]
        if not decision.due:
            return "no training needed"
        active = self.services.versions[name].store.active_version()
        if not self.registry.claim(f"new_data_{name}", f"since {active}", self.holder, decision.reason):
            return "retrain queued"  # another review already queued it for this version
        try:
            job_id = self.runner.start(name, trigger="new-data")
            self.registry.finish(f"new_data_{name}", f"since {active}", True, {"job_id": job_id})
        except AlreadyRunning as exc:
            self.registry.finish(f"new_data_{name}", f"since {active}", True, {"job_id": exc.job_id})
        return "retrain queued"

    # lifecycle ----------------------------------------------------------------------------
    def start(self, stop_at_exit: bool = False) -> bool:
        """Schedule the jobs if automated retraining is on; True when started.

        `stop_at_exit` also stops the scheduler when the process exits or gets SIGTERM
        (the app factory asks for it; tests that start several apps in one process do not).
        """
        if not self.app_config.ENABLE_AUTOMATED_RETRAINING:
            log.info("Automated retraining is off (ENABLE_AUTOMATED_RETRAINING=false): nothing scheduled")
            return False
        common = self.config.global_settings
        if not common.scheduled_retraining_enabled:
            log.info("Scheduled retraining is off (scheduled_retraining_enabled=false): nothing scheduled")
            return False
        scheduler = BackgroundScheduler(timezone=self.zone)
        scheduler.add_listener(self._on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        job_options = dict(
            replace_existing=True, max_instances=1, coalesce=True, misfire_grace_time=common.misfire_grace_time_seconds
        )
        scheduler.add_job(
            self._scheduled(WEEKLY_JOB_ID, self.weekly_trigger, self.weekly_job),
            self.weekly_trigger,
            id=WEEKLY_JOB_ID,
            name="Weekly retraining of every document type",
            next_run_time=self._catch_up_time(),
            **job_options,
        )
        scheduler.add_job(
            self._scheduled(TRIGGER_JOB_ID, self.trigger_check, self.check_triggers),
            self.trigger_check,
            id=TRIGGER_JOB_ID,
            name="Retrain on new labels or a drifting flag rate",
            **job_options,
        )
        scheduler.start()
        self.scheduler = scheduler
        if stop_at_exit:
            self._stop_at_exit()
        log.info("Retraining scheduler started; weekly job next at %s", scheduler.get_job(WEEKLY_JOB_ID).next_run_time)
        return True

    def _catch_up_time(self) -> datetime | None:
        """The weekly fire this process missed within the grace time, if nobody ran it; else the next one.

        APScheduler's memory job store forgets fires that happened while the server was down;
        scheduling the missed one in the past makes APScheduler run it once (within grace).
        """
        now = datetime.now(UTC)
        last = self.weekly_trigger.get_next_fire_time(
            None, now - timedelta(seconds=self.config.global_settings.misfire_grace_time_seconds)
        )
        if last is None or last > now:
            return self.weekly_trigger.get_next_fire_time(None, now)
        period = period_of(self.weekly_trigger, now, self.zone)
        if any(run["period"] == period for run in self.registry.runs(WEEKLY_JOB_ID)):
            return self.weekly_trigger.get_next_fire_time(None, now)
        log.info("Weekly retraining for %s was missed; running it now (within the misfire grace time)", period)
        return last

    def _stop_at_exit(self) -> None:
        atexit.register(self.stop)
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGTERM)

            def on_term(signum, frame):
                self.stop()
                if callable(previous):
                    previous(signum, frame)
                else:
                    raise SystemExit(0)

            signal.signal(signal.SIGTERM, on_term)

    @staticmethod
    def _on_event(event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning(
                "Scheduled job %s missed its run at %s (outside the grace time)", event.job_id, event.scheduled_run_time
            )
        else:
            log.error("Scheduled job %s raised: %s", event.job_id, event.exception)

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            # A run in progress lives in its own process and activates atomically; nothing half-done stays.
            self.scheduler.shutdown(wait=False)
            log.info("Retraining scheduler stopped")

    def status(self) -> dict[str, Any]:
        running = bool(self.scheduler and self.scheduler.running)
        jobs = [
            {
                "id": job.id,
                "name": job.name,
                "next_run_time": job.next_run_time.isoformat() if job.next_run_time else None,
            }
            for job in (self.scheduler.get_jobs() if running else [])
        ]
        return {
            "running": running,
            "process": self.holder,
            "jobs": jobs,
            "last_runs": self.registry.last_runs(),
            "lock_holder": self.registry.get_state("lock_holder"),
        }
