"""An app process whose retraining scheduler fires every two seconds for five periods.

    python tests/support/fault_scheduler_process.py DATABASE_URL MODELS_DIR RUN_LOG

Builds the whole app (create_app) on the shared database, then gives its scheduler a weekly
trigger of five fires, two seconds apart, starting at a moment the test sends on stdin once
every process is up. The job is a stub that appends its period and process id to RUN_LOG;
the exactly-once machinery around it (run registry claim, database lock) is the real one.
Protocol: prints "ready" when the app is built; reads the first fire time (epoch seconds).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Backend"))

from apscheduler.triggers.interval import IntervalTrigger  # noqa: E402

from config import Config  # noqa: E402

PERIODS = 5
SECONDS = 2


def main() -> None:
    url, models_dir, run_log = sys.argv[1], sys.argv[2], sys.argv[3]
    from api_server import create_app
    from scheduler.document_retraining_scheduler import RetrainingScheduler

    outbox = Path(run_log).parent / f"outbox-{os.getpid()}.db"  # in the test's temporary directory
    config = Config.from_env(
        environ={},
        DATABASE_URL=url,
        MODELS_DIR=models_dir,
        TRAIN_BASELINE_ON_START=False,
        OUTBOX_PATH=str(outbox),
        LOG_LEVEL="WARNING",
    )
    app = create_app(config)  # automation off here, so the factory schedules nothing itself

    def job(reason: str) -> dict:
        with open(run_log, "a", encoding="utf-8") as handle:  # O_APPEND: one whole line per run
            handle.write(f"{os.getpid()} {reason}\n")
        time.sleep(0.3)
        return {"pid": os.getpid()}

    print("ready", flush=True)
    first = datetime.fromtimestamp(float(sys.stdin.readline()), UTC)
    scheduler = RetrainingScheduler(
        dataclasses.replace(config, ENABLE_AUTOMATED_RETRAINING=True),
        app.extensions["fraud_detection"].retraining_config,
        app.extensions["fraud_detection"],
        app.extensions["fraud_detection"].runner,
        weekly_trigger=IntervalTrigger(
            seconds=SECONDS,
            start_date=first,
            timezone=UTC,
            end_date=first + timedelta(seconds=SECONDS * (PERIODS - 1)),
        ),
        trigger_check=IntervalTrigger(days=3650, start_date=first + timedelta(days=3650)),
        weekly_job=job,
    )
    assert scheduler.start()
    time.sleep(max(0.0, (first - datetime.now(UTC)).total_seconds()) + SECONDS * PERIODS + 1.0)
    scheduler.stop()
    app.extensions["outbox_flusher"].set()
    app.extensions["fraud_detection"].store.close()


if __name__ == "__main__":
    main()
