"""The whole benchmark in one command, on loopback, bounded in time (about 5 minutes; never past --budget).

    .venv/bin/pip install -r bench/requirements.txt && .venv/bin/python bench/run_benchmarks.py

One production server (`python Backend/api_server.py`: granian, 2 workers of 1
thread) on a temporary SQLite store, outbox and model directory, with the baselines trained
first, then:
  1. single-document scoring: p50/p90/p99 and throughput at 1 and 8 keep-alive connections
     for each type's POST /api/<slug>/analyze, and GET /healthz (no-op) as the ceiling
     (serving_benchmark.py);
  2. resident memory per worker with all four types loaded, and the model files on disk;
  3. the peer: the paystub type's fitted estimators as an MLflow pyfunc model served by
     `mlflow models serve` (2 uvicorn workers), driven the same way with the same document's
     features, and the ratios service / peer (mlflow_peer.py);
  4. batch: 10,000 paystub rows as a CSV to POST /api/paystubs/analyze-batch (batch_benchmark.py);
  5. one type's retrain on 10,000 samples, and scoring p99 while it runs (retrain_benchmark.py).
Prints the tables, writes bench/results/benchmarks.json and docs/benchmarks.md. The load
generator is wrk when installed (apt-get install -y wrk), else a Python keep-alive client.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from batch_benchmark import run_batch
from harness import (
    ROOT,
    SLUGS,
    Service,
    load_generator,
    machine,
    markdown_table,
    request_once,
    sample_documents,
    utc_now,
    write_json,
)
from mlflow_peer import run_peer
from retrain_benchmark import run_retrain
from serving_benchmark import NOOP_ROUTE, analyze_route, measure_routes, model_files

PEER_TYPE = "paystub"


def find(rows: list[dict], route: str, concurrency: int) -> dict | None:
    return next((r for r in rows if r["route"] == route and r["concurrency"] == concurrency), None)


def ratio(a, b, digits: int = 2):
    return round(a / b, digits) if a is not None and b else None


def peer_ratios(service_rows: list[dict], peer_rows: list[dict]) -> list[dict]:
    out = []
    for peer in peer_rows:
        service = find(service_rows, analyze_route(PEER_TYPE), peer["concurrency"])
        if service:
            out.append(
                {
                    "concurrency": peer["concurrency"],
                    "p50_service_over_peer": ratio(service["p50_ms"], peer["p50_ms"], 4),
                    "p99_service_over_peer": ratio(service["p99_ms"], peer["p99_ms"], 4),
                    "throughput_service_over_peer": ratio(service["rps"], peer["rps"], 1),
                }
            )
    return out


def budgets(report: dict) -> list[dict]:
    """The issue's budgets against this run: (what, measured, met)."""
    out = []

    def add(what: str, measured, met) -> None:
        out.append({"budget": what, "measured": measured, "met": met})

    rows = report.get("serving", {}).get("rows", [])
    noop8 = find(rows, NOOP_ROUTE, 8)
    for name in SLUGS:
        r8, r1 = find(rows, analyze_route(name), 8), find(rows, analyze_route(name), 1)
        if r8:
            add(f"{name}: >= 1500 docs/s at 8 connections", r8["rps"], r8["rps"] >= 1500)
            if noop8:
                share = ratio(r8["rps"], noop8["rps"])
                add(f"{name}: >= 0.5 of the no-op route's throughput at 8", share, share is not None and share >= 0.5)
            add(f"{name}: p99 <= 10 ms at 8 connections", r8["p99_ms"], r8["p99_ms"] <= 10)
        if r1:
            add(f"{name}: p50 <= 1.5 ms at 1 connection", r1["p50_ms"], r1["p50_ms"] <= 1.5)
    for r in report.get("peer", {}).get("ratios", []):
        add(
            f"paystub: >= 20x the peer's throughput at {r['concurrency']}",
            r["throughput_service_over_peer"],
            r["throughput_service_over_peer"] is not None and r["throughput_service_over_peer"] >= 20,
        )
    batch = report.get("batch", {})
    if "rows" in batch:
        best = batch.get("best_seconds")
        add(
            f"batch of {batch['rows']} rows <= 2 s",
            best if best is not None else batch.get("unavailable"),
            None if best is None else best <= 2,
        )
    retrain = report.get("retrain", {})
    if "retrain_wall_seconds" in retrain:
        add(
            f"{retrain['type']} retrain on {retrain['synthetic_samples']} samples <= 60 s",
            retrain["retrain_wall_seconds"],
            retrain["retrain_exit_code"] == 0 and retrain["retrain_wall_seconds"] <= 60,
        )
        add(
            "scoring p99 during the retrain <= 2x idle",
            retrain["p99_ratio"],
            retrain["p99_ratio"] is not None and retrain["p99_ratio"] <= 2,
        )
    rss = report.get("memory", {}).get("worker_rss_mb")
    if rss:
        add("<= 300 MB resident per worker, four types loaded", max(rss), max(rss) <= 300)
    return out


# markdown --------------------------------------------------------------------------------------


def latency_rows(rows: list[dict]) -> list[list]:
    return [[r["route"], r["concurrency"], r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["errors"]] for r in rows]


LATENCY_HEADER = ["route", "connections", "requests/s", "p50 ms", "p90 ms", "p99 ms", "errors"]


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Last run {report['when']}: `{report['command']}`, {report['total_seconds']} s in all.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable), {m['memory_gb']} GB, {m['os']}, "
        f"Python {m['python']}; load average at start {m['load_average_at_start']}. "
        f"Load generator: {report['load_generator']}; {report['duration_s']} s per cell, after a 0.5-1 s warm-up. "
        "Everything on loopback.",
        "",
    ]
    if report.get("note"):
        lines += [f"Note: {report['note']}", ""]
    s = report["server"]
    lines += [
        "## Single-document scoring",
        "",
        f"The production server, `python Backend/api_server.py`: granian {m['packages'].get('granian')}, "
        f"{s['workers']} workers x {s['threads']} threads, access log off, SQLite store "
        "(the embedded default) in a temporary directory. Each request is the same genuine document of its type.",
        "",
    ]
    serving = report.get("serving", {})
    lines += (
        markdown_table(LATENCY_HEADER, latency_rows(serving.get("rows", [])))
        if serving.get("rows")
        else [f"Not measured: {serving.get('skipped', 'see the log')}", ""]
    )

    peer = report.get("peer", {})
    lines += ["## Peer: the same models under `mlflow models serve`", ""]
    if peer.get("rows"):
        lines += [
            f"`{peer['server']}` (MLflow {m['packages'].get('mlflow')}, {peer['workers']} uvicorn workers), "
            f"serving the {PEER_TYPE} version {peer['model']['version']}'s RandomForest and XGBoost estimators "
            "as a pyfunc model (bench/peer_model.py, with a signature), and POST /invocations carrying the "
            f"`dataframe_split` feature row of the same paystub ({peer['request_bytes']} bytes). "
            f"It answers {peer['answer']}; the service scored that paystub {peer.get('service_answer')}.",
            "",
        ]
        lines += markdown_table(LATENCY_HEADER, latency_rows(peer["rows"]))
        lines += markdown_table(
            ["connections", "p50 service / peer", "p99 service / peer", "throughput service / peer"],
            [
                [
                    r["concurrency"],
                    r["p50_service_over_peer"],
                    r["p99_service_over_peer"],
                    r["throughput_service_over_peer"],
                ]
                for r in peer.get("ratios", [])
            ],
        )
        lines += [f"Peer worker RSS (MB): {peer.get('worker_rss_mb')}", ""]
    else:
        lines += [f"Not measured: {peer.get('skipped') or peer.get('error')}", ""]

    batch = report.get("batch", {})
    lines += ["## Batch: 10,000 paystub rows as one CSV", ""]
    if batch.get("available"):
        runs = ", ".join(f"{r['seconds']} s" for r in batch["runs"] if not r["store"])
        stored = (
            f"; with `store=true` (every row stored): {batch['stored_seconds']} s"
            if batch.get("stored_seconds") is not None
            else ""
        )
        lines += [
            f"`POST {batch['path']}` (multipart/form-data, field `file`, {batch['csv_bytes']:,} bytes of CSV, "
            f"{batch['rows']:,} seeded synthetic paystubs, half of them tampered with), end to end over HTTP: "
            f"best {batch['best_seconds']} s ({batch['rows_per_second']:,} rows/s), runs: {runs}{stored}.",
            "",
        ]
    elif "rows" in batch:
        lines += [
            f"`POST {batch['path']}` with {batch['rows']:,} rows ({batch['csv_bytes']:,} bytes of CSV): "
            f"unavailable ({batch.get('unavailable')}).",
            "",
        ]
    else:
        lines += [f"Not measured: {batch.get('skipped') or batch.get('error')}", ""]

    retrain = report.get("retrain", {})
    lines += ["## Retrain while serving", ""]
    if "retrain_wall_seconds" in retrain:
        idle, worst = retrain["scoring_idle"], retrain["scoring_during_retrain_worst"] or {}
        idle_p99s = " and ".join(str(w["p99_ms"]) for w in retrain.get("scoring_idle_windows", []))
        lines += [
            f"`python -m training.automated_retraining {retrain['type']}` "
            f"(as the admin endpoint runs it: at SCHED_IDLE, on one core) "
            f"on {retrain['synthetic_samples']:,} synthetic samples: {retrain['retrain_wall_seconds']} s wall "
            f"(exit code {retrain['retrain_exit_code']}, activated: {retrain['activated']}). "
            f"Scoring `{analyze_route(retrain['type'])}` at 1 connection, idle (the quieter of a window before "
            f"and one after, p99 {idle_p99s} ms): "
            f"p50 {idle['p50_ms']} ms, p99 {idle['p99_ms']} ms; "
            f"during the retrain ({len(retrain['scoring_during_retrain_windows'])} "
            f"windows, the worst shown): p50 {worst.get('p50_ms')} ms, p99 {worst.get('p99_ms')} ms, "
            f"so p99 x{retrain['p99_ratio']}.",
            "",
        ]
        if retrain.get("error"):
            lines += [f"Retrain error: {retrain['error']}", ""]
    else:
        lines += [f"Not measured: {retrain.get('skipped') or retrain.get('error')}", ""]

    mem, disk = report.get("memory", {}), report.get("models_on_disk", {})
    lines += ["## Memory and model size", ""]
    if mem:
        lines += [
            f"Per worker, all four types loaded: RSS {mem['worker_rss_mb']} MB, PSS {mem['worker_pss_mb']} MB "
            f"(the server's main process: {mem['master_rss_mb']} MB).",
            "",
        ]
    if disk:
        lines += [
            f"Model files on disk: {disk['total_mb']} MB for the four types "
            "(joblib estimators kept for retraining, ONNX exports that workers load):",
            "",
        ]
        lines += markdown_table(
            ["type", "all files MB", "ONNX MB", "joblib MB"],
            [[t, d["all_files_mb"], d["onnx_mb"], d["joblib_mb"]] for t, d in disk["per_type"].items()],
        )

    lines += ["## Budgets (issue 7)", ""]
    lines += markdown_table(
        ["budget", "measured", "met"],
        [
            [b["budget"], b["measured"], {True: "yes", False: "**no**", None: "n/a"}[b["met"]]]
            for b in report["budgets"]
        ],
    )
    return "\n".join(lines)


# the run -----------------------------------------------------------------------------------------


class Clock:
    """Time spent, and whether a section estimated to take `seconds` still fits the budget."""

    def __init__(self, budget: float):
        self.started, self.budget = time.monotonic(), budget

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def fits(self, seconds: float) -> bool:
        return self.elapsed() + seconds <= self.budget


def section(report: dict, key: str, clock: Clock, estimate: float, run) -> None:
    """Run one section into report[key], unless it would overrun the budget; a failure is recorded, not raised."""
    if not clock.fits(estimate):
        report[key] = {
            "skipped": f"would overrun the {clock.budget:.0f} s budget ({clock.elapsed():.0f} s spent, "
            f"about {estimate:.0f} s needed)"
        }
        print(f"[{clock.elapsed():5.0f} s] {key}: skipped (time budget)", flush=True)
        return
    print(f"[{clock.elapsed():5.0f} s] {key} ...", flush=True)
    started = time.monotonic()
    try:
        report[key] = run()
    except Exception as exc:  # one broken section must not lose the others' results
        report[key] = {"error": f"{type(exc).__name__}: {exc}"[:1000]}
        print(f"{key} failed: {report[key]['error']}", file=sys.stderr, flush=True)
    report.setdefault("section_seconds", {})[key] = round(time.monotonic() - started, 1)


def command_args(argv: list[str]) -> list[str]:
    """The command line as docs/benchmarks.md quotes it: without --note, which is printed on its own."""
    out, skip = [], False
    for arg in argv:
        if skip or arg.startswith("--note="):
            skip = False
            continue
        if arg == "--note":
            skip = True
            continue
        out.append(arg)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per latency cell")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (production default: 1)")
    parser.add_argument("--load-generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--batch-rows", type=int, default=10000)
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--batch-stored-runs", type=int, default=1)
    parser.add_argument("--retrain-type", default="paystub", choices=sorted(SLUGS))
    parser.add_argument("--retrain-samples", type=int, default=10000)
    parser.add_argument("--peer-workers", type=int, default=2)
    parser.add_argument(
        "--peer-python",
        default="",
        help="interpreter of another venv with bench/requirements.txt to run MLflow in, so that this "
        "one can hold the service's own versions (MLflow pins gunicorn below 27)",
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["peer", "batch", "retrain"])
    parser.add_argument("--budget", type=float, default=540, help="seconds; a section that would overrun is skipped")
    parser.add_argument("--note", default="", help="a line for docs/benchmarks.md, e.g. that the machine was shared")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()

    clock = Clock(args.budget)
    measure, generator = load_generator(args.load_generator)
    report: dict = {
        "when": utc_now(),
        "command": " ".join(["python bench/run_benchmarks.py", *command_args(sys.argv[1:])]),
        "machine": machine(),
        "load_generator": generator,
        "duration_s": args.duration,
        "note": args.note,
        "server": {
            "command": "python Backend/api_server.py",
            "workers": args.workers,
            "server": "production",
            "threads": args.threads,
            "database": "SQLite",
        },
    }
    documents = sample_documents()
    cell = args.duration + 1.5  # one measurement and its warm-up
    with Service(args.workers, args.threads) as service:
        print(f"[{clock.elapsed():5.0f} s] training baselines and starting the server ...", flush=True)
        report["baseline_training_s"] = service.train_baselines()
        service.start()

        section(
            report,
            "serving",
            clock,
            len(args.concurrency) * 5 * cell,
            lambda: {"rows": measure_routes(service.port, measure, args.concurrency, args.duration, documents)},
        )
        report["memory"] = service.memory()
        report["models_on_disk"] = model_files(service)
        status, answer = request_once(
            service.port,
            "POST",
            f"/api/{SLUGS[PEER_TYPE]}/analyze",
            json.dumps(documents[PEER_TYPE]).encode(),
            {"Content-Type": "application/json"},
        )
        service_answer = (
            {k: v for k, v in json.loads(answer).items() if k in ("risk_score", "model_scores")}
            if status == 200
            else f"HTTP {status}"
        )

        if "batch" not in args.skip:
            section(
                report,
                "batch",
                clock,
                110,
                lambda: run_batch(service.port, args.batch_rows, args.batch_runs, args.batch_stored_runs),
            )

        def peer() -> dict:
            out = run_peer(
                service.models_dir / PEER_TYPE,
                measure,
                args.concurrency,
                args.duration,
                PEER_TYPE,
                args.peer_workers,
                documents[PEER_TYPE],
                args.peer_python,
            )
            out["service_answer"] = service_answer
            out["ratios"] = peer_ratios(report.get("serving", {}).get("rows", []), out["rows"])
            return out

        if "peer" not in args.skip:
            section(report, "peer", clock, 45 + len(args.concurrency) * cell, peer)
        if "retrain" not in args.skip:
            section(
                report,
                "retrain",
                clock,
                150,
                lambda: run_retrain(service, measure, args.retrain_type, args.retrain_samples, args.duration),
            )
        report["memory_after_all"] = service.memory()
        if service.process.poll() is not None:
            report["server_exit"] = service.log_tail()

    report["total_seconds"] = round(clock.elapsed(), 1)
    report["budgets"] = budgets(report)
    text = markdown(report)
    print("\n" + text)
    text += "\n" + (ROOT / "bench" / "design_figures.md").read_text()
    print("wrote", write_json("benchmarks.json", report))
    if not args.no_docs:
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "benchmarks.md").write_text(text)
        print("wrote", ROOT / "docs" / "benchmarks.md")


if __name__ == "__main__":
    main()
