"""Retraining benchmark: one type's full retrain on 10,000 synthetic samples, and scoring latency meanwhile.

    .venv/bin/python bench/retrain_benchmark.py [--type paystub] [--samples 10000] [--duration 8]

Starts the production server on loopback on a temporary database and model directory,
measures scoring latency on one connection, then runs the retrain exactly as the admin
endpoint does (`python -m training.automated_retraining`, at SCHED_IDLE on one core) and measures
scoring latency again, in back-to-back windows, for as long as the retrain runs, and once
more when it is done. Its new version is activated in the server's model directory, so the
hot reload is measured too. The idle reference is the quieter of the windows before and after.
Writes bench/results/retrain.json. `bench/run_benchmarks.py` runs this as part of the full
benchmark.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time

from harness import BACKEND, SLUGS, Measure, Service, backend_on_path, load_generator, sample_documents, write_json

backend_on_path()
from services.priority import yield_cpu_to_serving  # noqa: E402


def run_retrain(
    service: Service, measure: Measure, doc_type: str, samples: int, duration: float, max_seconds: float = 300
) -> dict:
    """Retrain `doc_type` on `samples` synthetic documents beside the running `service`."""
    config = json.loads((BACKEND / "training" / "retraining_config.json").read_text())
    for settings in config["document_types"].values():
        settings["synthetic_samples"] = samples
    config_path = service.work / "retraining_config.json"
    config_path.write_text(json.dumps(config))
    # Its own empty store: the scoring load would otherwise count as thousands of AI labels.
    env = dict(
        service.env, DATABASE_URL=f"sqlite:///{service.work / 'retrain.db'}", RETRAINING_CONFIG_PATH=str(config_path)
    )

    path = f"/api/{SLUGS[doc_type]}/analyze"
    body = json.dumps(sample_documents()[doc_type]).encode()
    idle_before = measure(service.port, "POST", path, body, 1, duration)

    timing: dict = {}

    def retrain() -> None:
        started = time.perf_counter()
        try:
            child = subprocess.Popen(
                [sys.executable, "-m", "training.automated_retraining", doc_type],
                cwd=BACKEND,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            yield_cpu_to_serving(child.pid)  # as the admin endpoint's runner does
            try:
                out, err = child.communicate(timeout=max_seconds)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
                raise
            timing["exit_code"] = child.returncode
            timing["result"] = json.loads(out[out.index("{") :]) if "{" in out else err[-2000:]
        except subprocess.TimeoutExpired:
            timing["exit_code"], timing["result"] = None, f"timed out after {max_seconds} s"
        timing["wall_seconds"] = round(time.perf_counter() - started, 2)

    thread = threading.Thread(target=retrain)
    thread.start()
    time.sleep(1.0)  # past process start-up, into data generation and training
    windows = []
    while thread.is_alive():
        windows.append(measure(service.port, "POST", path, body, 1, duration))
    thread.join()
    time.sleep(1.0)  # the workers have loaded the new version
    idle_after = measure(service.port, "POST", path, body, 1, duration)
    # The reference is the quieter of the idle windows before and after: one stray hiccup in a
    # single idle window would otherwise make any retrain look harmless (a ratio below 1).
    idle = min(idle_before, idle_after, key=lambda w: w["p99_ms"])

    result = timing["result"] if isinstance(timing["result"], dict) else {}
    worst = max(windows, key=lambda w: w["p99_ms"]) if windows else None
    return {
        "type": doc_type,
        "synthetic_samples": samples,
        "retrain_wall_seconds": timing["wall_seconds"],
        "retrain_exit_code": timing["exit_code"],
        "retrain_run_seconds": result.get("training_seconds"),
        "activated": result.get("activated"),
        "samples": (result.get("samples") or {}).get("train"),
        "metrics": (result.get("metrics") or {}).get("candidate"),
        "error": None if result else str(timing["result"])[-500:],
        "scoring_idle": idle,
        "scoring_idle_windows": [idle_before, idle_after],
        "scoring_during_retrain_windows": windows,
        "scoring_during_retrain_worst": worst,
        "p99_ratio": round(worst["p99_ms"] / idle["p99_ms"], 2) if worst else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--type", default="paystub", choices=sorted(SLUGS))
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per latency window")
    parser.add_argument("--load-generator", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()

    measure, generator = load_generator(args.load_generator)
    with Service() as service:
        service.train_baselines()
        service.start()
        report = run_retrain(service, measure, args.type, args.samples, args.duration)
    report["load_generator"] = generator
    print(json.dumps(report, indent=2))
    print("wrote", write_json("retrain.json", report))


if __name__ == "__main__":
    main()
