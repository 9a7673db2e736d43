"""The production server as a process on loopback: what the fault tests and bench/harness.py share.

Both start the app behind a real multi-process server on a free port and stop it with its
whole process group: `python Backend/api_server.py` (granian, as production runs it), or the
same app factory under gunicorn. Only the standard library here, and no Backend import:
bench/harness.py imports this module with `tests` on sys.path.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "Backend"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request_once(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 30
) -> tuple[int, bytes]:
    """One request on a fresh connection to 127.0.0.1:`port`: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until(
    check: Callable[[], bool],
    timeout: float,
    what: str,
    alive: Callable[[], bool] = lambda: True,
    interval: float = 0.5,
) -> None:
    """Poll `check` every `interval` s until it holds; RuntimeError when `alive` turns false or at `timeout`.

    A connection error or an HTTP protocol error while polling counts as not yet.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"{what}: the process exited while starting")
        try:
            if check():
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(interval)
    raise RuntimeError(f"{what}: not ready after {timeout:.0f} s")


def listen_env(port: int, workers: int, threads: int) -> dict[str, str]:
    """Where and how wide the production server (Backend/api_server.py) listens: read from its environment."""
    return {"HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers), "WEB_THREADS": str(threads)}


def server_command(port: int, workers: int, threads: int, gunicorn_worker_class: str | None = None) -> list[str]:
    """The production server's command (its address and size come from listen_env), or, given a worker
    class (gthread, sync), the same app factory under gunicorn on 127.0.0.1:`port`."""
    if gunicorn_worker_class is None:
        return [sys.executable, str(BACKEND / "api_server.py")]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--chdir",
        str(BACKEND),
        "-w",
        str(workers),
        "-k",
        gunicorn_worker_class,
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "api_server:create_app()",
    ]


def start_process_group(command: list[str], env: dict[str, str], stdout, cwd: Path | None = None) -> subprocess.Popen:
    """Start `command` in a new session (its own process group, so stop_process_group reaches its workers),
    stderr merged into `stdout`."""
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.STDOUT, start_new_session=True)


def stop_process_group(process: subprocess.Popen, grace: float = 30, kill_wait: float | None = None) -> None:
    """SIGTERM to the process group, SIGKILL if it is not gone within `grace` s; nothing if it already ended."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=kill_wait)
