"""A lock in the shared database: PostgreSQL advisory lock, or a file lock beside the SQLite file.

Scheduled runs hold it while they execute, so two jobs never retrain at the same time on
any process or host that shares the database.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import text
from sqlalchemy.engine import make_url

from store.sql import make_engine, normalise_url


class LockTimeout(RuntimeError):
    pass


def _advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class DatabaseLock:
    def __init__(self, database_url: str, name: str = "document-retraining-scheduler"):
        self.url = normalise_url(database_url)
        self.name = name
        self.is_postgres = self.url.startswith("postgresql")
        if self.is_postgres:
            self.engine = make_engine(self.url)
            self.key = _advisory_key(name)
        else:
            database = make_url(self.url).database or "memory"
            self.file_lock = FileLock(str(Path(database).with_suffix(".scheduler.lock")), thread_local=False)

    @contextmanager
    def hold(self, timeout: float) -> Iterator[None]:
        """Hold the lock for the block; LockTimeout if it could not be had within `timeout` seconds."""
        if not self.is_postgres:
            try:
                self.file_lock.acquire(timeout=timeout)
            except Timeout:
                raise LockTimeout(f"{self.name} is held elsewhere") from None
            try:
                yield
            finally:
                self.file_lock.release()
            return
        with self.engine.connect() as conn:  # the advisory lock belongs to this session
            deadline = time.monotonic() + timeout
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar():
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{self.name} is held elsewhere")
                time.sleep(0.2)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                conn.commit()
