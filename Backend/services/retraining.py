"""Starting retrains in the background: one child process per run, tracked as a job.

Both the admin API and the scheduler start runs through `RetrainingRunner.start`, so there
is one way to start a run. The child (`python -m training.automated_retraining`) holds the
type's retrain lock for the whole run; a second start while the lock is held is refused.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from models.model_store import ModelStore
from services.priority import yield_cpu_to_serving
from store.jobs import SqlJobStore

log = logging.getLogger(__name__)
BACKEND_DIR = Path(__file__).resolve().parents[1]
QUEUED_GRACE_SECONDS = 120  # a queued job younger than this may still be starting its process


class AlreadyRunning(RuntimeError):
    def __init__(self, doc_type: str, job_id: str | None):
        super().__init__(f"{doc_type} is already retraining")
        self.job_id = job_id


class RetrainingRunner:
    def __init__(self, config, jobs: SqlJobStore):
        self.config = config
        self.jobs = jobs
        self._start_lock = threading.Lock()

    def is_running(self, doc_type: str) -> bool:
        return ModelStore(self.config.models_dir(doc_type), doc_type).retraining_in_progress()

    def start(self, doc_type: str, trigger: str) -> str:
        """Queue a run of `doc_type` in a child process; its job id. AlreadyRunning if one is under way."""
        with self._start_lock:
            job = self.jobs.active_job(doc_type)
            if self.is_running(doc_type):
                raise AlreadyRunning(doc_type, job["job_id"] if job else None)
            if job:
                age = (datetime.now(UTC) - datetime.fromisoformat(job["created_at"])).total_seconds()
                if job["status"] == "queued" and age < QUEUED_GRACE_SECONDS:
                    raise AlreadyRunning(doc_type, job["job_id"])
                self.jobs.fail(job["job_id"], "abandoned: its process ended without finishing")
            job_id = self.jobs.create(doc_type, trigger)
            command = [
                sys.executable,
                "-m",
                "training.automated_retraining",
                doc_type,
                "--job-id",
                job_id,
                "--trigger",
                trigger,
            ]
            process = subprocess.Popen(
                command, cwd=BACKEND_DIR, env=self.config.child_environment(), start_new_session=True
            )
            yield_cpu_to_serving(process.pid)  # before it imports anything: its imports compete with serving too
        threading.Thread(target=self._reap, args=(process, job_id), daemon=True, name=f"reap-{job_id[:8]}").start()
        log.info("Started %s retraining job %s (%s)", doc_type, job_id, trigger)
        return job_id

    def _reap(self, process: subprocess.Popen, job_id: str) -> None:
        code = process.wait()
        job = self.jobs.get(job_id)
        if job and job["status"] in ("queued", "running"):
            self.jobs.fail(job_id, f"retraining process exited with code {code} before finishing")

    def wait(self, job_id: str, timeout: float = 300) -> dict | None:
        """Poll until the job is finished (for the CLI and tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.jobs.get(job_id)
            if job and job["status"] not in ("queued", "running"):
                return job
            time.sleep(0.2)
        return self.jobs.get(job_id)
