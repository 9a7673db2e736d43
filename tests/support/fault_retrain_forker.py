"""Starts retraining runs as forked children of one process that has already imported everything.

    python tests/support/fault_retrain_forker.py DOC_TYPE      (MODELS_DIR, DATABASE_URL, ... from the environment)

Used by the kill -9 tests: a retraining process costs seconds of imports before it does
anything worth killing, so this process imports once (and never trains itself) and forks one
child per run. Protocol, a line each:
    stdin  "run"                    fork a child that runs one retrain (DocumentModelRetrainer.retrain)
    stdout "ready"                  imports done
    stdout "child PID"              the run's process id (the test kills it)
    stdout "stage PID STAGE"        the child reached STAGE
    stdout "exit PID CODE"          the child ended: 0 success, 1 failed run, -9 killed
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "Backend"), str(ROOT / "tests")]

from config import Config  # noqa: E402
from support.retraining import SMALL  # noqa: E402
from training.automated_retraining import DocumentModelRetrainer  # noqa: E402


def child(doc_type: str) -> int:
    def progress(stage: str) -> None:
        print(f"stage {os.getpid()} {stage}", flush=True)

    retrainer = DocumentModelRetrainer(doc_type, app_config=Config.from_env(), progress=progress, params=SMALL)
    return 0 if retrainer.retrain().get("success") else 1


def main() -> None:
    doc_type = sys.argv[1]
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            continue
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = child(doc_type)
            finally:
                sys.stdout.flush()
                os._exit(code)
        print(f"child {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(f"exit {pid} {code}", flush=True)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    main()
