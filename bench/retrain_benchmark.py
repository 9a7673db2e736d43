"""Retraining benchmark: one type's full retrain on 10,000 synthetic samples, and scoring p99 meanwhile.

    .venv/bin/python bench/retrain_benchmark.py [--type paystub] [--samples 10000] [--duration 8]

Starts the production server (gunicorn, 2 workers) on loopback on a temporary database and
model directory, measures scoring latency on one connection, then runs the retrain exactly
as the admin endpoint does (`python -m training.automated_retraining`, niced, one core) and
measures scoring latency again while it runs. Writes bench/results/retrain.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from serving_benchmark import BACKEND, ROOT, SLUGS, free_port, load, sample_documents, wait_ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--type", default="paystub", choices=sorted(SLUGS))
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--duration", type=float, default=8.0)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fraud-retrain-bench-"))
    config = json.loads((BACKEND / "training" / "retraining_config.json").read_text())
    for settings in config["document_types"].values():
        settings["synthetic_samples"] = args.samples
    (work / "retraining_config.json").write_text(json.dumps(config))
    env = dict(os.environ, MODELS_DIR=str(work / "models"), DATABASE_URL=f"sqlite:///{work / 'bench.db'}",
               LOG_LEVEL="WARNING", RETRAINING_CONFIG_PATH=str(work / "retraining_config.json"))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--chdir", str(BACKEND), "-w", "2",
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "api_server:create_app()"],
                              env=env, start_new_session=True)
    try:
        wait_ready(port, timeout=300)
        slug = SLUGS[args.type]
        body = json.dumps(sample_documents()[args.type]).encode()
        idle = load(port, "POST", f"/api/{slug}/analyze", body, 1, args.duration)

        timing: dict = {}

        def retrain() -> None:
            started = time.perf_counter()
            # Its own empty store: the scoring load above would otherwise count as thousands of AI labels.
            retrain_env = dict(env, DATABASE_URL=f"sqlite:///{work / 'retrain.db'}")
            done = subprocess.run([sys.executable, "-m", "training.automated_retraining", args.type], cwd=BACKEND,
                                  env=retrain_env, capture_output=True, text=True)
            timing["wall_seconds"] = round(time.perf_counter() - started, 2)
            timing["exit_code"] = done.returncode
            timing["result"] = json.loads(done.stdout[done.stdout.index("{"):]) if "{" in done.stdout else done.stderr[-2000:]

        thread = threading.Thread(target=retrain)
        thread.start()
        time.sleep(1.0)  # past process start-up, into data generation and training
        during = load(port, "POST", f"/api/{slug}/analyze", body, 1, args.duration)
        thread.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    result = timing["result"] if isinstance(timing["result"], dict) else {}
    report = {
        "type": args.type, "synthetic_samples": args.samples,
        "retrain_wall_seconds": timing["wall_seconds"], "retrain_exit_code": timing["exit_code"],
        "retrain_run_seconds": result.get("training_seconds"), "activated": result.get("activated"),
        "samples": result.get("samples", {}).get("train"), "metrics": result.get("metrics", {}).get("candidate"),
        "scoring_idle": idle, "scoring_during_retrain": during,
        "p99_ratio": round(during["p99_ms"] / idle["p99_ms"], 2),
    }
    print(json.dumps(report, indent=2))
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "retrain.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
