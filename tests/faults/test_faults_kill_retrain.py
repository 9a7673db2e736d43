"""Fault injection: kill -9 of a real retraining process at 20 seeded random points.

Each run is a retraining process (DocumentModelRetrainer.retrain, forked from a process that
has done the imports, see support/fault_retrain_forker.py) in a temporary models directory; every
finished run activates its version. A third of the kills land anywhere in the run, a third
from the start of saving (export, writes, loading back, activating, pruning), a third among
the version's file writes themselves. After each kill, a fresh detector starts and:
  - ACTIVE_VERSION.txt names a complete version whose checksums verify, and it serves;
  - no partial version is listed as valid (every listed version verifies);
  - the dead run's retrain lock is free.
At the end a fresh service answers /readyz and scores with the active version, and a run
that is not killed still completes and activates.
"""

from __future__ import annotations

import json
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from document_types import DOCUMENT_TYPES
from domain.fields import validate_document
from models.detector import FraudDetector
from models.model_store import ModelStore
from support.app import make_config
from support.fault_helpers import report
from support.retraining import ALWAYS_ACTIVATE, SMALL, small_config
from support.servers import BACKEND

pytestmark = pytest.mark.slow

RUNS = 20
SEED = 20261122
STAGES = ("fetching data", "training", "evaluating", "saving", "activating")
PAYSTUB = DOCUMENT_TYPES["paystub"]
FORKER = Path(__file__).parents[1] / "support" / "fault_retrain_forker.py"
VERSION_IN_NAME = re.compile(r"_(\d{8}_\d{6})\.")


class Forker:
    """tests/support/fault_retrain_forker.py: forks one retraining child per run; its stdout read in a thread."""

    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen(
            [sys.executable, "-u", str(FORKER), "paystub"],
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.lines: queue.Queue[list[str]] = queue.Queue()
        self.stages: dict[int, list[tuple[float, str]]] = {}
        threading.Thread(target=self._read, daemon=True).start()
        assert self._next("ready", timeout=120)

    def _read(self) -> None:
        for line in self.process.stdout:
            words = line.split(maxsplit=2)
            if words and words[0] == "stage":
                self.stages.setdefault(int(words[1]), []).append((time.monotonic(), words[2].strip()))
            if words and words[0] == "exit":
                self.stages.setdefault(int(words[1]), []).append((time.monotonic(), "exit"))
            if words and words[0] in ("ready", "child", "exit", "stage"):
                self.lines.put(words)

    def _next(self, kind: str, timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            words = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if words[0] == kind:
                return words

    def start(self) -> int:
        """Fork a run; returns once it reached its first stage."""
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        pid = int(self._next("child", timeout=60)[1])
        self._next("stage", timeout=60)
        return pid

    def finish(self, pid: int) -> int:
        words = self._next("exit", timeout=120)
        assert int(words[1]) == pid
        return int(words[2])

    def wait_stage(self, pid: int, stage: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(s in (stage, "exit") for _, s in self.stages.get(pid, [])):
            assert time.monotonic() < deadline, f"the run never reached {stage}"
            time.sleep(0.002)

    def last_stage(self, pid: int) -> str:
        return next(stage for _, stage in reversed(self.stages[pid]) if stage != "exit")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def wait_for_new_file(directory: Path, before: set[str], forker: Forker, pid: int, timeout: float = 60) -> None:
    """Until a model file (or its temporary file) of the run's new version appears, or the run ends."""
    deadline = time.monotonic() + timeout
    while not any("paystub_" in name and "manifest" not in name for name in set(os.listdir(directory)) - before):
        assert time.monotonic() < deadline, "the run never wrote a file"
        if any(stage == "exit" for _, stage in forker.stages.get(pid, [])):
            return
        time.sleep(0.001)


def partial_versions(store: ModelStore) -> set[str]:
    """Version ids with files (or temporary files) but no manifest: what a run killed while saving leaves."""
    ids = set()
    for name in os.listdir(store.directory):
        found = VERSION_IN_NAME.search(name)
        if found and name.lstrip(".").startswith(f"{store.doc_type}_"):
            ids.add(found.group(1))
    return ids - set(store.version_ids())


def check_recovered(store: ModelStore, fields, run: int) -> set[str]:
    """The invariants after a kill; returns the partial versions left on disk."""
    active = store.active_version()
    assert active is not None, f"run {run}: no active version"
    store.verify(active)  # complete: the manifest exists and every file matches its checksum
    detector = FraudDetector(DOCUMENT_TYPES["paystub"], store.directory)  # a fresh serving process would do this
    assert detector.reload_models(), (run, detector.status())
    assert detector.model_version == active and detector.score(fields).model_version == active
    listed = store.list_versions()
    assert active in {info.version for info in listed}
    invalid = [(info.version, info.error) for info in listed if not info.valid]
    assert not invalid, f"run {run}: a listed version does not verify: {invalid}"
    partial = partial_versions(store)
    assert not partial & {info.version for info in listed}, f"run {run}: a partial version is listed"
    assert not store.retraining_in_progress(), f"run {run}: the killed run's lock outlived it"
    return partial


def test_kill_9_at_twenty_random_points_of_retrains(models_dir, tmp_path):
    # Scaled down further than the retraining tests: every finished run activates, and a run takes about 2 s.
    config_path = small_config(tmp_path, ALWAYS_ACTIVATE, synthetic_samples=250)
    scaled = json.loads(Path(config_path).read_text())
    scaled["global_settings"]["evaluation_synthetic_samples"] = 100
    Path(config_path).write_text(json.dumps(scaled))
    database = f"sqlite:///{tmp_path}/docs.db"
    env = {
        **os.environ,
        "MODELS_DIR": str(models_dir),
        "DATABASE_URL": database,
        "RETRAINING_CONFIG_PATH": config_path,
        "OUTBOX_PATH": str(tmp_path / "outbox.db"),
        "LOG_LEVEL": "WARNING",
    }
    store = ModelStore(models_dir / "paystub", "paystub")
    fields = validate_document(PAYSTUB.schema, PAYSTUB.generator.generate(1, 5).documents[0]).fields
    rng = random.Random(SEED)
    kills: dict[str, int] = {}
    completed = recoveries = 0
    partial_seen: set[str] = set()

    forker = Forker(env)
    try:
        # One undisturbed run: it must succeed, and it says how long the part worth killing lasts.
        pid = forker.start()
        assert forker.finish(pid) == 0
        assert [stage for _, stage in forker.stages[pid]] == [*STAGES, "exit"]
        times = dict((stage, at) for at, stage in forker.stages[pid])
        span, tail = times["exit"] - times["fetching data"], times["exit"] - times["saving"]
        assert store.active_version() in store.version_ids()

        for run in range(RUNS):
            before = set(os.listdir(store.directory))
            pid = forker.start()
            if run % 3 == 0:  # anywhere in the run
                time.sleep(rng.uniform(0.0, span))
            elif run % 3 == 1:  # from the start of saving: export, writes, loading it back, activating, pruning
                forker.wait_stage(pid, "saving")
                time.sleep(rng.uniform(0.0, tail))
            else:  # among the file writes themselves: from the version's first file on
                wait_for_new_file(store.directory, before, forker, pid)
                time.sleep(rng.uniform(0.0, 0.04))
            stage = forker.last_stage(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # it had already finished
            code = forker.finish(pid)
            if code == -signal.SIGKILL:
                kills[stage] = kills.get(stage, 0) + 1
            else:
                assert code == 0, f"run {run} failed on its own"
                completed += 1
            partial_seen |= check_recovered(store, fields, run)
            recoveries += 1

        # The next undisturbed run is not blocked by anything the killed ones left, and once the
        # leftovers are old enough (ORPHAN_AGE_SECONDS) it clears them: partial versions and temporary files.
        temp_files = len(list(store.directory.glob(".*.tmp")))
        hour_ago = time.time() - 3600
        for path in store.directory.iterdir():
            if path.name.endswith(".tmp") or (VERSION_IN_NAME.search(path.name) and "_manifest_" not in path.name):
                os.utime(path, (hour_ago, hour_ago))
        pid = forker.start()
        assert forker.finish(pid) == 0
        check_recovered(store, fields, RUNS)
        assert partial_versions(store) == set() and not list(store.directory.glob(".*.tmp"))
    finally:
        forker.close()

    # A fresh service starts on what the kills left, and serves the active version.
    from api_server import create_app

    app = create_app(
        make_config(
            models_dir, database, RETRAINING_CONFIG_PATH=config_path, OUTBOX_PATH=str(tmp_path / "outbox-service.db")
        )
    )
    try:
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        scored = client.post("/api/paystubs/analyze", json=PAYSTUB.generator.generate(1, 6).documents[0])
        assert scored.status_code == 200 and scored.json["model_version"] == store.active_version()
        models = client.get("/api/paystubs/models").json
        assert all(v["valid"] for v in models["versions"]) and models["last_load_error"] is None
    finally:
        app.extensions["fraud_detection"].store.close()

    report(
        "kill-9 retraining",
        runs=RUNS,
        kills=sum(kills.values()),
        kills_by_stage=kills,
        finished_before_kill=completed,
        recoveries=recoveries,
        partial_versions_seen=len(partial_seen),
        temp_files_left=temp_files,
        run_seconds=round(span, 2),
        writing_seconds=round(tail, 2),
    )
    assert recoveries == RUNS
    assert sum(kills.values()) >= RUNS // 2  # most runs really were killed mid-way


def test_a_deletion_cut_off_part_way_leaves_no_listed_half_version(models_dir, monkeypatch):
    """Pruning killed between two unlinks (found by the kill -9 runs): the version is gone from the listing."""
    from training.baseline import train_baseline

    store = ModelStore(models_dir / "paystub", "paystub")
    active = store.active_version()
    doomed = train_baseline(PAYSTUB, store, 300, 31, params=SMALL)
    store.activate(active)
    real_unlink, calls = Path.unlink, []

    def unlink_then_die(path, missing_ok=False):
        if len(calls) == 1:
            raise KeyboardInterrupt("killed between two unlinks")
        calls.append(path.name)
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink_then_die)
    with pytest.raises(KeyboardInterrupt):
        store.delete_version(doomed)
    monkeypatch.undo()
    assert calls == [store.manifest_path(doomed).name]  # the manifest goes first
    assert doomed not in store.version_ids() and all(info.valid for info in store.list_versions())
    assert doomed in partial_versions(store)  # what is left is an unlisted orphan, cleaned up later


def retrain_process(models_dir, db, config_path, doc_type="paystub"):
    env = {
        **os.environ,
        "MODELS_DIR": str(models_dir),
        "DATABASE_URL": db,
        "RETRAINING_CONFIG_PATH": config_path,
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "training.automated_retraining", doc_type],
        cwd=BACKEND,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_runs_leave_a_loadable_active_version(models_dir, tmp_path):
    """kill -9 at seeded random points of real runs; the active version always verifies and loads."""
    config_path = small_config(tmp_path, ALWAYS_ACTIVATE)  # every finished run activates
    db = f"sqlite:///{tmp_path}/docs.db"
    rng = random.Random(2026)
    store = ModelStore(models_dir / "paystub", "paystub")
    for _ in range(6):
        process = retrain_process(models_dir, db, config_path)
        time.sleep(rng.uniform(0.5, 6.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        active = store.active_version()
        store.verify(active)
        detector = FraudDetector(DOCUMENT_TYPES["paystub"], store.directory)
        assert detector.reload_models() and detector.model_version == active
        for info in store.list_versions():
            assert info.valid, info  # a half-written version is never listed as valid
    assert not store.retraining_in_progress()  # the dead run's lock died with it
