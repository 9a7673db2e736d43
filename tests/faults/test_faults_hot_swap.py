"""Fault injection: hot swap under load on the production server.

A real server with 2 worker processes (granian, as in production, and gunicorn's gthread
workers) serves 8 concurrent keep-alive clients for the whole test while 20 versions are
activated and rolled back, half by a process replacing ACTIVE_VERSION.txt (as a retrain does)
and half through the admin rollback route. Invariants:
  - zero failed requests;
  - every response's model_version was active at some moment;
  - no response mixes models: each response's per-model scores are exactly what its named
    version's ONNX files give for that document, computed offline.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from datetime import date, datetime

import numpy as np
import pytest

from document_types import DOCUMENT_TYPES
from domain.fields import validate_document
from models.model_store import ModelStore
from models.serving import MODEL_NAMES, OnnxEnsemble
from support.app import AUTH, TOKEN
from support.fault_helpers import Server, http_json, report
from training.dataset import Dataset, feature_matrix
from training.ensemble import EnsembleParams
from training.versioning import save_candidate, train_candidate

pytestmark = pytest.mark.slow

PAYSTUB = DOCUMENT_TYPES["paystub"]
TINY = EnsembleParams(rf_n_estimators=5, xgb_n_estimators=5, rf_max_depth=6, xgb_max_depth=3, n_jobs=1)
VERSIONS = 20
CLIENTS = 8


def train_inactive_version(store: ModelStore, seed: int) -> str:
    """A small, distinct version saved next to the active one without activating it."""
    today = date.today()
    batch = PAYSTUB.generator.generate(300, seed, today=today)
    data = Dataset.of(feature_matrix(PAYSTUB, batch.documents, today), batch.risk_targets, batch.labels)
    candidate = train_candidate(data, PAYSTUB.extractor.feature_names, params=TINY, random_state=seed)
    return save_candidate(store, candidate)


def offline_ensemble(store: ModelStore, version: str) -> OnnxEnsemble:
    manifest = store.verify(version)
    return OnnxEnsemble(
        {m: store.read_verified(manifest, store.file_name(m, version, "onnx")) for m in MODEL_NAMES},
        manifest["model_weights"],
    )


class Client(threading.Thread):
    """One keep-alive connection scoring documents until told to stop."""

    def __init__(self, port: int, documents: list[dict], offset: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.documents, self.offset, self.stop = port, documents, offset, stop
        self.results: list[tuple[int, dict]] = []
        self.failures: list[str] = []
        self.connections = 1

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        i = self.offset
        while not self.stop.is_set():
            index = i % len(self.documents)
            try:
                conn.request(
                    "POST",
                    "/api/paystubs/analyze",
                    body=json.dumps(self.documents[index]),
                    headers={"Content-Type": "application/json"},
                )
                response = conn.getresponse()
                body = response.read()
                if response.status == 200:
                    self.results.append((index, json.loads(body)))
                else:
                    self.failures.append(f"HTTP {response.status}: {body[:200]!r}")
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    self.connections += 1
            except (OSError, http.client.HTTPException) as exc:
                self.failures.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.connections += 1
            i += 1
        conn.close()


@pytest.mark.parametrize("server_kind", ["granian", "gunicorn"])
def test_twenty_versions_swapped_under_load_on_a_real_server(server_kind, models_dir, tmp_path):
    store = ModelStore(models_dir / "paystub", "paystub")
    baseline = store.active_version()
    server = Server(
        {
            "MODELS_DIR": str(models_dir),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'docs.db'}",
            "OUTBOX_PATH": str(tmp_path / "outbox.db"),
            "ADMIN_API_TOKEN": TOKEN,
            "TRAIN_BASELINE_ON_START": "false",
            "ENABLE_AUTOMATED_RETRAINING": "false",
            "LOG_LEVEL": "WARNING",
        },
        kind=server_kind,
        workers=2,
        threads=4,
        log_path=tmp_path / "server.log",
    )
    try:
        versions = [train_inactive_version(store, 1000 + i) for i in range(VERSIONS)]  # while the server boots
        assert store.active_version() == baseline and len(set(versions)) == VERSIONS
        server.wait_ready()
        documents = PAYSTUB.generator.generate(16, 2026, fraud_rate=0.5).documents

        stop = threading.Event()
        clients = [Client(server.port, documents, n * 2, stop) for n in range(CLIENTS)]
        for client in clients:
            client.start()

        def served(version: str) -> bool:
            """Wait (briefly) until some client got an answer from `version`."""
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if any(c.results and c.results[-1][1]["model_version"] == version for c in clients):
                    return True
                time.sleep(0.02)
            return False

        active_at_some_moment = {baseline}
        events = []
        time.sleep(0.5)  # load on the baseline first
        for i, version in enumerate(versions):
            if i % 2 == 0:  # as a retraining process does: verify, then replace ACTIVE_VERSION.txt
                with store.lock():
                    store.activate(version)
                events.append(("activate", version))
            else:  # through the admin API, which verifies and loads the version first
                status, body = http_json(server.port, "POST", "/api/paystubs/rollback", {"version": version}, AUTH)
                assert status == 200, body
                assert body["active_version"] == version
                events.append(("admin activate", version))
            active_at_some_moment.add(version)
            served(version)
            if i % 2 == 1:  # and roll back to the version before it
                status, body = http_json(server.port, "POST", "/api/paystubs/rollback", None, AUTH)
                assert status == 200, body
                active_at_some_moment.add(body["active_version"])
                events.append(("rollback", body["active_version"]))
                served(body["active_version"])
            time.sleep(0.15)
        time.sleep(0.5)  # and on the last one
        stop.set()
        for client in clients:
            client.join(timeout=60)
        status, models = http_json(server.port, "GET", "/api/paystubs/models")
    finally:
        server.stop()

    failures = [f for c in clients for f in c.failures]
    results = [r for c in clients for r in c.results]
    seen_versions = {body["model_version"] for _, body in results}
    report(
        f"hot-swap ({server_kind})",
        requests=len(results) + len(failures),
        failures=len(failures),
        versions_trained=VERSIONS,
        swap_events=len(events),
        versions_served=len(seen_versions),
        connections_opened=sum(c.connections for c in clients),
    )

    assert not failures, failures[:5]
    assert len(results) > 500
    assert seen_versions <= active_at_some_moment, seen_versions - active_at_some_moment
    assert len(seen_versions) >= VERSIONS // 2  # the swaps really happened under load
    assert status == 200 and models["last_load_error"] is None  # every worker loaded every version it was sent

    # No response mixes models: its per-model scores are what its own version computes for its document.
    ensembles = {v: offline_ensemble(store, v) for v in seen_versions}
    rows: dict[tuple[int, date], np.ndarray] = {}
    for index, body in results:
        day = datetime.fromisoformat(body["created_at"]).date()
        if (index, day) not in rows:
            fields = validate_document(PAYSTUB.schema, documents[index]).fields
            rows[index, day] = np.array([PAYSTUB.extractor.extract(fields, day).values], dtype=np.float32)
    expected = {(v, key): ensembles[v].predict_by_model(row)[:, 0] for v in ensembles for key, row in rows.items()}
    # The versions really are told apart by their scores, so a mixed response could not pass.
    fingerprints = {
        v: tuple(np.round(np.concatenate([expected[v, key] for key in sorted(rows)]), 2)) for v in ensembles
    }
    assert len(set(fingerprints.values())) == len(ensembles)
    mixed = []
    for index, body in results:
        key = (index, datetime.fromisoformat(body["created_at"]).date())
        want = expected[body["model_version"], key]
        got = np.array([body["model_scores"][name] for name in ensembles[body["model_version"]].names])
        if not np.allclose(got, want, atol=0.011):
            mixed.append((body["model_version"], got.tolist(), want.tolist()))
    assert not mixed, mixed[:3]
