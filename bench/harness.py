"""What every benchmark in bench/ shares: the server under test, the load generators, the machine.

- `Service` starts the production server (`python Backend/api_server.py`: granian, 2 worker
  processes) on loopback, on a temporary database, outbox and model directory, so a benchmark
  never touches the real ones. Baselines are trained once, before the workers start. Starting
  the server process, waiting for it and stopping it are tests/support/servers.py's, which the
  fault tests' server uses too.
- `load_generator()` picks wrk (when installed) or the Python keep-alive client; both return
  the same dict: requests, errors, rps, p50_ms, p90_ms, p99_ms.
- `machine()` describes the machine a run was taken on.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "Backend"
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from support.servers import (  # noqa: E402  (tests/support/servers.py: standard library only)
    free_port,
    listen_env,
    request_once,
    server_command,
    start_process_group,
    stop_process_group,
    wait_until,
)

RESULTS = ROOT / "bench" / "results"
SLUGS = {"paystub": "paystubs", "check": "checks", "money_order": "money-orders", "bank_statement": "bank-statements"}

Measure = Callable[..., dict]


def backend_on_path() -> None:
    if str(BACKEND) not in sys.path:
        sys.path.insert(0, str(BACKEND))


def sample_documents() -> dict[str, dict]:
    """One genuine document per type, from the seeded generators (the same every run)."""
    backend_on_path()
    from document_types import DOCUMENT_TYPES

    return {
        name: t.generator.generate(1, 1, fraud_rate=0.0, today=date.today()).documents[0]
        for name, t in DOCUMENT_TYPES.items()
    }


# load generators --------------------------------------------------------------------------------


def _client(port: int, method: str, path: str, body: bytes | None, seconds: float, queue) -> None:
    """One keep-alive connection sending requests back to back for `seconds`."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors, first_error = [], 0, None
    deadline = time.perf_counter() + seconds
    while True:
        start = time.perf_counter()
        if start >= deadline:
            break
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            ok = response.status == 200
            if not ok and first_error is None:
                first_error = f"HTTP {response.status}: {payload[:200]!r}"
        except (OSError, http.client.HTTPException) as exc:
            ok = False
            first_error = first_error or f"{type(exc).__name__}: {exc}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - start)
        errors += not ok
    conn.close()
    queue.put((latencies, errors, first_error))


def load_python(port: int, method: str, path: str, body: bytes | None, concurrency: int, seconds: float) -> dict:
    """`concurrency` client processes, each with one persistent HTTP/1.1 connection."""
    _client(port, method, path, body, 0.5, mp.Queue())  # warm-up on one connection
    queue: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_client, args=(port, method, path, body, seconds, queue)) for _ in range(concurrency)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for lat, _, _ in results for x in lat)
    errors = sum(e for _, e, _ in results)
    first_error = next((f for _, _, f in results if f), None)

    def pct(q: float) -> float:
        return (
            round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 3) if latencies else float("nan")
        )

    out = {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
    }
    if first_error:
        out["first_error"] = first_error
    return out


WRK_SCRIPT = """
wrk.method = "%(method)s"
wrk.headers["Content-Type"] = "application/json"
%(body)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKJSON %%d %%d %%d %%d %%f %%f %%f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


def load_wrk(port: int, method: str, path: str, body: bytes | None, concurrency: int, seconds: float) -> dict:
    """The same measurement with wrk: one thread, `concurrency` keep-alive connections."""
    with tempfile.TemporaryDirectory() as tmp:
        body_line = ""
        if body is not None:
            (Path(tmp) / "body.json").write_bytes(body)
            body_line = f'wrk.body = io.open("{tmp}/body.json"):read("*a")'
        script = Path(tmp) / "request.lua"
        script.write_text(WRK_SCRIPT % {"method": method, "body": body_line})
        url = f"http://127.0.0.1:{port}{path}"
        subprocess.run(
            ["wrk", "-t1", "-c1", "-d1s", "-s", str(script), url], capture_output=True, timeout=30
        )  # warm-up
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{concurrency}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
    fields = next(line for line in out.splitlines() if line.startswith("WRKJSON")).split()[1:]
    requests, duration_us, socket_errors, status_errors = (int(v) for v in fields[:4])
    p50, p90, p99 = (round(float(v) / 1000, 3) for v in fields[4:7])
    out = {
        "requests": requests,
        "errors": socket_errors + status_errors,
        "rps": round(requests / (duration_us / 1e6), 1),
        "p50_ms": p50,
        "p90_ms": p90,
        "p99_ms": p99,
    }
    if status_errors or socket_errors:
        status, payload = request_once(
            port, method, path, body, {"Content-Type": "application/json"} if body is not None else {}
        )
        out["first_error"] = (
            f"{socket_errors} socket errors, {status_errors} non-2xx; a probe got HTTP {status}: {payload[:200]!r}"
        )
    return out


def wrk_version() -> str:
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).split("Copyright")[0].strip() or "wrk"


def load_generator(choice: str = "auto") -> tuple[Measure, str]:
    """(measure function, description): wrk when `choice` is wrk, or auto and wrk is installed."""
    if choice == "wrk" or (choice == "auto" and shutil.which("wrk")):
        if not shutil.which("wrk"):
            raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --load-generator python")
        return load_wrk, f"{wrk_version()}, one thread, N keep-alive connections"
    return load_python, "Python http.client: one process with one keep-alive connection per concurrent client"


# the service under test ---------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def pss_mb(pid: int) -> float:
    """Proportional set size: pages shared with other processes (fork, mmap'd libraries) split between them."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return float("nan")


def child_pids(parent: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def directory_mb(path: Path, pattern: str = "*") -> float:
    return round(sum(p.stat().st_size for p in Path(path).rglob(pattern) if p.is_file()) / 1e6, 2)


@dataclass
class Service:
    """The production server on loopback, on a temporary database, outbox and model directory.

    `server="production"` is what production runs, `python Backend/api_server.py` (granian,
    WEB_CONCURRENCY workers of WEB_THREADS threads, access log off); `gunicorn-gthread` and
    `gunicorn-sync` run the same app factory under gunicorn instead, for comparison.
    """

    workers: int = 2
    threads: int = 1
    server: str = "production"
    database_url: str = ""
    extra_env: dict = field(default_factory=dict)
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fraud-bench-")))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def models_dir(self) -> Path:
        return self.work / "models"

    @property
    def env(self) -> dict[str, str]:
        env = dict(
            os.environ,
            **listen_env(self.port, self.workers, self.threads),
            MODELS_DIR=str(self.models_dir),
            DATABASE_URL=self.database_url or f"sqlite:///{self.work / 'bench.db'}",
            OUTBOX_PATH=str(self.work / "outbox.db"),
            LOG_LEVEL="WARNING",
            # never a developer's .env: no Supabase, no scheduler
            SUPABASE_URL="",
            SUPABASE_KEY="",
            ENABLE_AUTOMATED_RETRAINING="false",
        )
        env.update(self.extra_env)
        return env

    def train_baselines(self) -> float:
        """Train every type's baseline once, the way the server would at start-up; returns seconds."""
        started = time.perf_counter()
        code = (
            "from config import Config; from document_types import DOCUMENT_TYPES; "
            "from training.bootstrap import missing_baselines, train_baselines_in_subprocess; "
            "c = Config.from_env(); m = missing_baselines(c, DOCUMENT_TYPES); m and train_baselines_in_subprocess(c, m)"
        )
        with open(self.work / "baseline.log", "wb") as log:
            subprocess.run(
                [sys.executable, "-c", code],
                cwd=BACKEND,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=600,
            )
        return round(time.perf_counter() - started, 1)

    def start(self, timeout: float = 300) -> Service:
        worker_class = None if self.server == "production" else self.server.removeprefix("gunicorn-")
        command = server_command(self.port, self.workers, self.threads, worker_class)
        self._log = open(self.work / "server.log", "wb")
        self.process = start_process_group(command, self.env, self._log, cwd=ROOT)
        try:
            wait_until(
                lambda: request_once(self.port, "GET", "/readyz", timeout=2)[0] == 200,
                timeout,
                "the service",
                alive=lambda: self.process.poll() is None,
            )
            wait_until(lambda: len(self.worker_pids()) >= self.workers, 30, "the service's workers")
            time.sleep(3)  # the first worker answered; give the others time to finish loading their models
        except RuntimeError:
            print(self.log_tail(), file=sys.stderr)
            self.stop()
            raise
        return self

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join((self.work / "server.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid) if self.process else []

    def memory(self) -> dict:
        pids = self.worker_pids()
        return {
            "worker_rss_mb": [rss_mb(p) for p in pids],
            "worker_pss_mb": [pss_mb(p) for p in pids],
            "master_rss_mb": rss_mb(self.process.pid),
        }

    def stop(self) -> None:
        if self.process:
            stop_process_group(self.process, kill_wait=10)
        if getattr(self, "_log", None):
            self._log.close()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()


# the machine ------------------------------------------------------------------------------------


def _package_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def machine() -> dict:
    cpu = "unknown CPU"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    memory_gb = None
    try:
        kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        memory_gb = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gb": memory_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {
            name: _package_version(name)
            for name in (
                "granian",
                "gunicorn",
                "flask",
                "werkzeug",
                "pydantic",
                "sqlalchemy",
                "onnxruntime",
                "scikit-learn",
                "xgboost",
                "mlflow",
                "uvicorn",
            )
        },
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def write_json(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def markdown_table(header: list[str], rows: list[list]) -> list[str]:
    """A Markdown table (first column left-aligned, the others right), then a blank line; None prints empty."""
    align = ["---" if i == 0 else "---:" for i in range(len(header))]
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows),
        "",
    ]
