"""Fault injection: model files changed after they were written.

test_model_versions.py covers one appended-to ONNX file at the model store and detector level,
and test_admin_api.py the rollback route's refusal. Here, through a running service:
  - every file a version lists (both models' .pkl and .onnx, and any other artifact), changed
    in each of four ways (a flipped byte of the same size and time stamp, bytes appended, a
    truncation, another version's valid file put in its place), is refused at activation and
    at load, while the service keeps serving the version before it;
  - the version stays listed by GET /api/<slug>/models, marked as failed verification;
  - a file of the serving version tampered with while it serves: the listing says so, the
    workers already serving keep their verified copy in memory, and a worker that starts
    afterwards must not load it either.
"""

from __future__ import annotations

import os
import shutil

import pytest

from document_types import DOCUMENT_TYPES
from models.model_store import ACTIVE_FILE, ModelStore, VerificationFailed
from support.app import AUTH, TOKEN, make_config
from support.fault_helpers import report
from support.retraining import SMALL
from training.baseline import train_baseline

pytestmark = pytest.mark.slow

PAYSTUB = DOCUMENT_TYPES["paystub"]


def flip_a_byte(path, _other):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    stat = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time stamp


def append(path, _other):
    path.write_bytes(path.read_bytes() + b"\x00")


def truncate(path, _other):
    path.write_bytes(path.read_bytes()[:-16])


def swap_in_another_versions_file(path, other):
    shutil.copyfile(other, path)  # a valid model file, just not this version's


TAMPERINGS = [flip_a_byte, append, truncate, swap_in_another_versions_file]


@pytest.fixture
def service(models_dir, tmp_path):
    from api_server import create_app

    app = create_app(make_config(models_dir, f"sqlite:///{tmp_path}/docs.db", ADMIN_API_TOKEN=TOKEN))
    yield app
    app.extensions["outbox_flusher"].set()
    app.extensions["fraud_detection"].store.close()


def analyze(client):
    document = PAYSTUB.generator.generate(1, 12).documents[0]
    response = client.post("/api/paystubs/analyze", json=document)
    assert response.status_code == 200, response.json
    return response.json


def listed(client, version):
    return {v["version"]: v for v in client.get("/api/paystubs/models").json["versions"]}[version]


def test_every_artifact_tampered_every_way_is_refused_and_the_old_version_keeps_serving(service, models_dir):
    client = service.test_client()
    detector = service.extensions["fraud_detection"].detectors["paystub"]
    store = ModelStore(models_dir / "paystub", "paystub")
    old = store.active_version()
    new = train_baseline(PAYSTUB, store, 400, 21, params=SMALL)
    store.activate(old)
    files = sorted(store.verify(new)["files"])
    assert {f"paystub_{m}_{new}.{e}" for m in ("random_forest", "xgboost") for e in ("pkl", "onnx")} <= set(files)
    cases = 0
    for name in files:
        path = store.directory / name
        other = store.directory / name.replace(new, old)
        original = path.read_bytes()
        for tamper in TAMPERINGS:
            if tamper is swap_in_another_versions_file and not other.exists():
                continue
            tamper(path, other)
            cases += 1
            case = f"{name}, {tamper.__name__}"
            # refused at activation: by the model store and by the admin route
            with pytest.raises(VerificationFailed, match="checksum"):
                store.activate(new)
            response = client.post("/api/paystubs/rollback", headers=AUTH, json={"version": new})
            assert response.status_code == 409 and "checksum" in response.json["error"], case
            assert store.active_version() == old, case
            # refused at load, even when ACTIVE_VERSION.txt is pointed at it behind the store's back
            (store.directory / ACTIVE_FILE).write_text(new + "\n")
            assert detector.reload_models() is False, case
            assert "checksum" in detector.status()["last_load_error"]["error"], case
            body = analyze(client)
            assert body["model_version"] == old, case  # the version before it keeps serving
            assert client.get("/readyz").status_code == 200, case
            entry = listed(client, new)  # still listed, marked as failed verification
            assert entry["status"] == "failed_verification" and entry["valid"] is False, case
            assert name in entry["error"] and "checksum" in entry["error"], case
            # put things back for the next case
            path.write_bytes(original)
            store.activate(old)
            assert detector.reload_models() and detector.model_version == old
    report("tampered artifacts", files=len(files), cases_refused=cases, tamperings=[t.__name__ for t in TAMPERINGS])
    assert cases >= 4 * 4 - 1
    # Untouched again, the version activates and serves: the refusals were about the bytes, not the version.
    client.post("/api/paystubs/rollback", headers=AUTH, json={"version": new})
    assert detector.wait_for_version(new) and analyze(client)["model_version"] == new


def test_a_serving_version_tampered_with_is_marked_and_never_loaded_again(service, models_dir, tmp_path):
    client = service.test_client()
    store = ModelStore(models_dir / "paystub", "paystub")
    before = store.active_version()
    serving = train_baseline(PAYSTUB, store, 400, 22, params=SMALL)  # activated
    detector = service.extensions["fraud_detection"].detectors["paystub"]
    assert detector.wait_for_version(serving)
    flip_a_byte(store.directory / store.file_name("xgboost", serving, "onnx"), None)

    # A worker already serving it keeps its verified in-memory copy; the listing tells the admin.
    assert analyze(client)["model_version"] == serving
    entry = listed(client, serving)
    assert entry["active"] and entry["status"] == "failed_verification" and not entry["valid"]
    assert client.post("/api/paystubs/rollback", headers=AUTH, json={"version": serving}).status_code == 409

    # A worker that starts now (gunicorn replacing one) refuses the tampered files.
    from api_server import create_app

    fresh = create_app(
        make_config(
            models_dir,
            f"sqlite:///{tmp_path}/docs.db",
            ADMIN_API_TOKEN=TOKEN,
            OUTBOX_PATH=str(tmp_path / "outbox-fresh.db"),
        )
    )
    try:
        fresh_detector = fresh.extensions["fraud_detection"].detectors["paystub"]
        assert fresh_detector.model_version != serving
        assert "checksum" in fresh_detector.status()["last_load_error"]["error"]
        # The admin rolls back to the version before it, and every worker serves that.
        response = client.post("/api/paystubs/rollback", headers=AUTH, json={"version": before})
        assert response.status_code == 200
        for d in (detector, fresh_detector):
            assert d.wait_for_version(before)
    finally:
        fresh.extensions["outbox_flusher"].set()
        fresh.extensions["fraud_detection"].store.close()


def test_a_worker_starting_on_a_tampered_active_version_serves_the_version_before_it(models_dir, tmp_path):
    from api_server import create_app

    store = ModelStore(models_dir / "paystub", "paystub")
    before = store.active_version()
    serving = train_baseline(PAYSTUB, store, 400, 23, params=SMALL)
    flip_a_byte(store.directory / store.file_name("random_forest", serving, "onnx"), None)
    app = create_app(make_config(models_dir, f"sqlite:///{tmp_path}/docs.db"))
    try:
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        assert analyze(client)["model_version"] == before
        assert "checksum" in app.extensions["fraud_detection"].detectors["paystub"].status()["last_load_error"]["error"]
    finally:
        app.extensions["outbox_flusher"].set()
        app.extensions["fraud_detection"].store.close()
