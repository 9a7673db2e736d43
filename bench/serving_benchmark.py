"""Serving benchmark: the production server (gunicorn, 2 workers) on loopback, driven by a
keep-alive load generator.

    .venv/bin/python bench/serving_benchmark.py [--duration 10] [--workers 2]

Measures, per document type, p50/p90/p99 latency and throughput of POST /api/<slug>/analyze
at 1 and 8 concurrent connections (each connection a separate client process with one
persistent HTTP/1.1 connection), the same for the no-op GET /healthz as a ceiling, and the
resident memory of each worker with all four types loaded. Writes the table to stdout,
bench/results/serving.json and docs/benchmarks.md. Runs on a fresh temporary database and
model directory, so it never touches the real ones; the first start trains the baselines.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "Backend"
SLUGS = {"paystub": "paystubs", "check": "checks", "money_order": "money-orders", "bank_statement": "bank-statements"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sample_documents() -> dict[str, dict]:
    """One genuine document per type, from the seeded generators (the same every run)."""
    sys.path.insert(0, str(BACKEND))
    from datetime import date

    from document_types import DOCUMENT_TYPES

    return {name: t.generator.generate(1, 1, fraud_rate=0.0, today=date.today()).documents[0]
            for name, t in DOCUMENT_TYPES.items()}


def _client(port: int, method: str, path: str, body: bytes | None, seconds: float, queue: mp.Queue) -> None:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors = [], 0
    deadline = time.perf_counter() + seconds
    while True:
        start = time.perf_counter()
        if start >= deadline:
            break
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - start)
        errors += not ok
    conn.close()
    queue.put((latencies, errors))


def load(port: int, method: str, path: str, body: bytes | None, concurrency: int, seconds: float) -> dict:
    queue: mp.Queue = mp.Queue()
    _client(port, method, path, body, 0.5, mp.Queue())  # warm-up on one connection
    procs = [mp.Process(target=_client, args=(port, method, path, body, seconds, queue)) for _ in range(concurrency)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 3)

    return {"requests": len(latencies), "errors": errors, "rps": round(len(latencies) / seconds, 1),
            "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99)}


WRK_SCRIPT = """
wrk.method = "%(method)s"
wrk.headers["Content-Type"] = "application/json"
%(body)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKJSON %%d %%d %%d %%f %%f %%f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


def load_wrk(port: int, method: str, path: str, body: bytes | None, concurrency: int, seconds: float) -> dict:
    """The same measurement with wrk (one thread, `concurrency` keep-alive connections)."""
    with tempfile.TemporaryDirectory() as tmp:
        body_line = ""
        if body is not None:
            (Path(tmp) / "body.json").write_bytes(body)
            body_line = f'wrk.body = io.open("{tmp}/body.json"):read("*a")'
        script = Path(tmp) / "request.lua"
        script.write_text(WRK_SCRIPT % {"method": method, "body": body_line})
        url = f"http://127.0.0.1:{port}{path}"
        subprocess.run(["wrk", "-t1", "-c1", "-d1s", "-s", str(script), url], capture_output=True)  # warm-up
        out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "-s", str(script), url],
                             capture_output=True, text=True, check=True).stdout
    fields = next(line for line in out.splitlines() if line.startswith("WRKJSON")).split()[1:]
    requests, duration_us, errors = int(fields[0]), int(fields[1]), int(fields[2])
    p50, p90, p99 = (round(float(v) / 1000, 3) for v in fields[3:6])
    return {"requests": requests, "errors": errors, "rps": round(requests / (duration_us / 1e6), 1),
            "p50_ms": p50, "p90_ms": p90, "p99_ms": p99}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def wait_ready(port: int, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("server did not become ready")


def markdown(report: dict) -> str:
    lines = [
        "# Serving benchmark", "",
        f"Run {report['when']} on {report['machine']}; gunicorn {report['workers']} {report['worker_class']} workers "
        f"({report['threads']} threads each for gthread) on loopback; store: {report['database']}; "
        f"load generator: {report['load_generator']}; {report['duration_s']} s per cell.", "",
        "| route | connections | requests/s | p50 ms | p90 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["rows"]:
        lines.append(f"| {row['route']} | {row['concurrency']} | {row['rps']} | {row['p50_ms']} | {row['p90_ms']} "
                     f"| {row['p99_ms']} | {row['errors']} |")
    lines += ["", f"Resident memory per worker (MB), all four types loaded: {report['worker_rss_mb']}",
              f"Model files on disk (MB): {report['models_on_disk_mb']}", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"],
                        help="gunicorn worker class; sync workers close every connection (no keep-alive)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--database-url", default="", help="store analyses here instead of a fresh SQLite file")
    parser.add_argument("--load-generator", choices=["auto", "wrk", "python"], default="auto",
                        help="wrk when installed (apt-get install wrk), else the Python client")
    args = parser.parse_args()

    use_wrk = args.load_generator == "wrk" or (args.load_generator == "auto" and shutil.which("wrk"))
    measure = load_wrk if use_wrk else load
    work = Path(tempfile.mkdtemp(prefix="fraud-bench-"))
    port = free_port()
    env = dict(os.environ, MODELS_DIR=str(work / "models"),
               DATABASE_URL=args.database_url or f"sqlite:///{work / 'bench.db'}",
               LOG_LEVEL="WARNING")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--chdir", str(BACKEND), "-w", str(args.workers),
         "-k", args.worker_class, "--threads", str(args.threads),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "api_server:create_app()"],
        env=env, start_new_session=True)
    try:
        wait_ready(port, timeout=300)
        documents = sample_documents()
        rows = []
        for concurrency in args.concurrency:
            rows.append({"route": "GET /healthz (no-op)", "concurrency": concurrency,
                         **measure(port, "GET", "/healthz", None, concurrency, args.duration)})
            for name, slug in SLUGS.items():
                body = json.dumps(documents[name]).encode()
                rows.append({"route": f"POST /api/{slug}/analyze", "concurrency": concurrency,
                             **measure(port, "POST", f"/api/{slug}/analyze", body, concurrency, args.duration)})
                print(json.dumps(rows[-1]), flush=True)
        pids = worker_pids(server.pid)
        disk = sum(p.stat().st_size for p in (work / "models").rglob("*") if p.is_file())
        report = {
            "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "database": "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite (embedded default)",
            "workers": args.workers, "worker_class": args.worker_class, "threads": args.threads,
            "duration_s": args.duration,
            "load_generator": ("wrk 4.1, one thread, keep-alive connections" if use_wrk else
                               "Python http.client, one process and one keep-alive connection per concurrent client"),
            "rows": rows, "worker_rss_mb": [rss_mb(p) for p in pids],
            "models_on_disk_mb": round(disk / 1e6, 1),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    text = markdown(report)
    print("\n" + text)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "serving.json").write_text(json.dumps(report, indent=2))
    if not args.no_docs:
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "benchmarks.md").write_text(text)


if __name__ == "__main__":
    main()
