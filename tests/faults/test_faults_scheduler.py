"""Fault injection: three app processes on one database, a two-second trigger, five periods.

test_scheduler.py shows each period runs at most once over a stretch of time. Here the count is
exact: three processes, each a whole app (create_app) with its scheduler on the shared database,
a trigger that fires five times two seconds apart, and the job must have run exactly five
times, once per period, counted both in the run registry and by the job itself.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.document_retraining_scheduler import WEEKLY_JOB_ID
from store.run_registry import RunRegistry
from support.fault_helpers import PrivatePostgres, postgres_bin, report
from training.retraining_config import load_config

pytestmark = pytest.mark.slow

HELPER = Path(__file__).parents[1] / "support" / "fault_scheduler_process.py"
PROCESSES, PERIODS, SECONDS = 3, 5, 2


def run_five_periods(url: str, models_dir: Path, run_log: Path, label: str) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-u", str(HELPER), url, str(models_dir), str(run_log)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        for process in processes:  # every app is built before the first fire
            assert process.stdout.readline().strip() == "ready"
        first = math.ceil(time.time()) + 2
        for process in processes:
            process.stdin.write(f"{first}\n")
            process.stdin.flush()
        for process in processes:
            assert process.wait(timeout=SECONDS * PERIODS + 60) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()

    zone = ZoneInfo(load_config().global_settings.schedule_timezone)
    expected = {
        (datetime.fromtimestamp(first, UTC) + timedelta(seconds=SECONDS * k))
        .astimezone(zone)
        .strftime("%Y-%m-%dT%H:%M:%S")
        for k in range(PERIODS)
    }
    runs = RunRegistry(url).runs(WEEKLY_JOB_ID)
    executed = [line.split(" ", 1) for line in run_log.read_text().splitlines()]
    report(
        f"scheduler ({label})",
        processes=PROCESSES,
        periods=PERIODS,
        registry_runs=len(runs),
        job_executions=len(executed),
        processes_that_ran=len({pid for pid, _ in executed}),
    )
    assert len(runs) == PERIODS and len(executed) == PERIODS  # exactly five runs
    assert {run["period"] for run in runs} == expected  # one per period, none missed
    assert all(run["status"] == "succeeded" for run in runs)
    assert Counter(reason.rsplit("period ", 1)[1].rstrip(")") for _, reason in executed) == Counter(expected)


def test_three_app_processes_on_sqlite_run_five_periods_exactly_five_times(models_dir, tmp_path):
    run_five_periods(f"sqlite:///{tmp_path}/shared.db", models_dir, tmp_path / "runs.log", "SQLite")


@pytest.mark.postgres
def test_three_app_processes_on_postgres_run_five_periods_exactly_five_times(models_dir, tmp_path):
    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
    cluster = PrivatePostgres()
    try:
        cluster.start()
        run_five_periods(cluster.url, models_dir, tmp_path / "runs.log", "PostgreSQL")
    finally:
        cluster.cleanup()
