"""A process that runs the retraining scheduler's exactly-once machinery on a 2-second trigger.

    python tests/support/scheduler_process.py DATABASE_URL SECONDS

Used by the scheduler tests to start several real processes on one database. Its job
records which process ran it; the run registry is the thing under test.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Backend"))

from apscheduler.triggers.interval import IntervalTrigger  # noqa: E402

from config import Config  # noqa: E402
from scheduler.document_retraining_scheduler import EPOCH, RetrainingScheduler  # noqa: E402
from training.retraining_config import load_config  # noqa: E402


def main() -> None:
    url, seconds = sys.argv[1], float(sys.argv[2])
    config = Config.from_env(environ={}, DATABASE_URL=url, ENABLE_AUTOMATED_RETRAINING=True)
    scheduler = RetrainingScheduler(
        config,
        load_config(),
        services=None,
        runner=None,
        weekly_trigger=IntervalTrigger(seconds=2, start_date=EPOCH, timezone=UTC),
        trigger_check=IntervalTrigger(days=3650, start_date=datetime.now(UTC) + timedelta(days=3650)),
        weekly_job=lambda reason: (time.sleep(0.3), {"pid": os.getpid()})[1],
    )
    scheduler.start()
    time.sleep(seconds)
    scheduler.stop()


if __name__ == "__main__":
    main()
