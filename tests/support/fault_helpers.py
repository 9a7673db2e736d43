"""Helpers of the fault-injection tests: free ports, a real HTTP server, a private PostgreSQL cluster.

The private cluster runs from the server binaries in /usr/lib/postgresql/*/bin, in a
temporary directory, on a free port, as the `postgres` OS user (the server refuses to run as
root). Tests stop and restart it at will; the machine's shared PostgreSQL is never touched.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from support.servers import (
    ROOT,
    free_port,
    listen_env,
    request_once,
    server_command,
    start_process_group,
    stop_process_group,
    wait_until,
)

__all__ = ["ROOT", "PrivatePostgres", "Server", "free_port", "http_json", "postgres_bin", "report"]


def report(name: str, **figures) -> None:
    """Print the figures a fault test measured (shown with `pytest -s`, and kept in the job log)."""
    print(f"\nFAULT-FIGURES {name}: " + json.dumps(figures, sort_keys=True, default=str), flush=True)


# a real HTTP server ---------------------------------------------------------------------------


class Server:
    """The app behind a real multi-process HTTP server on a free port.

    `granian` is production (`python Backend/api_server.py`); `gunicorn` runs the same app
    factory under gunicorn's gthread workers, the server most deployments know. Starting,
    waiting for /readyz and stopping are support/servers.py's, shared with bench/harness.py.
    """

    def __init__(
        self,
        env: dict[str, str],
        kind: str = "granian",
        workers: int = 2,
        threads: int = 4,
        log_path: Path | None = None,
    ):
        self.port = free_port()
        self.kind = kind
        self.log_path = log_path
        if kind == "granian":
            env = {**env, **listen_env(self.port, workers, threads)}
        command = server_command(self.port, workers, threads, None if kind == "granian" else "gthread")
        out = open(log_path, "wb") if log_path else subprocess.DEVNULL
        self.process = start_process_group(command, {**os.environ, **env}, out)
        if log_path:
            out.close()

    def wait_ready(self, timeout: float = 120) -> None:
        try:
            wait_until(
                lambda: request_once(self.port, "GET", "/readyz", timeout=2)[0] == 200,
                timeout,
                self.kind,
                alive=lambda: self.process.poll() is None,
                interval=0.3,
            )
        except RuntimeError:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.process.returncode}: {self.log_tail()}") from None
            raise RuntimeError(f"{self.kind} did not become ready: {self.log_tail()}") from None

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path and self.log_path.exists() else ""

    def stop(self) -> None:
        stop_process_group(self.process)


def http_json(port: int, method: str, path: str, body=None, headers=None, timeout: float = 30):
    data = json.dumps(body).encode() if body is not None else None
    status, payload = request_once(
        port, method, path, data, {"Content-Type": "application/json", **(headers or {})}, timeout
    )
    return status, json.loads(payload or b"null")


# a private PostgreSQL cluster ------------------------------------------------------------------


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """A throwaway cluster: initdb in a temp dir, started on a free port; stop() and start() at will."""

    def __init__(self):
        self.bin = postgres_bin()
        if self.bin is None:
            raise FileNotFoundError("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="fault-pg-"))
        self.data = self.root / "data"
        self.user = None
        if os.geteuid() == 0:  # the server refuses root: run it as the postgres OS user
            self.user = "postgres"
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        # fsync off: the machine does not crash in these tests, only the server stops; commits stay synchronous.
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def cleanup(self) -> None:
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
