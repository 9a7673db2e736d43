"""The peer a user would deploy instead: the same trained models served by `mlflow models serve`.

    .venv/bin/python bench/mlflow_peer.py [--type-dir DIR] [--type paystub] [--duration 8] [--workers 2]

Takes the active version of one type from its model directory (default: where the service
keeps that type's versions), loads its fitted RandomForest and XGBoost estimators
(`FraudEnsemble.from_version`, checksums verified), wraps them as an MLflow pyfunc model
(bench/peer_model.py: the weighted average of the clipped predictions, as
FraudEnsemble.predict computes it) with an inferred signature, saves it in a temporary
directory, checks that the saved model predicts what the ensemble predicts, and serves it:

    mlflow models serve -m DIR --env-manager local -h 127.0.0.1 -p PORT --workers 2

(uvicorn with 2 worker processes, matching the service's 2 workers). It then drives
POST /invocations with `{"dataframe_split": {"columns": [...], "data": [[...]]}}` carrying the
feature vector of the same document the service benchmark posts (computed with the type's
extractor), at 1 and 8 keep-alive connections, with the same load generator. MLflow's
telemetry is switched off and nothing is downloaded. Writes bench/results/peer.json when
run alone; `bench/run_benchmarks.py` runs it as part of the full benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from harness import (
    Measure,
    backend_on_path,
    child_pids,
    free_port,
    load_generator,
    request_once,
    rss_mb,
    sample_documents,
    wait_until,
    write_json,
)

HERE = Path(__file__).resolve().parent
NO_TELEMETRY = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}


def feature_rows(doc_type: str, documents: list[dict]) -> tuple[list[str], list[list[float]]]:
    """Feature names and one row per document, as the service's extractor computes them."""
    backend_on_path()
    from document_types import DOCUMENT_TYPES
    from domain.fields import validate_document

    t = DOCUMENT_TYPES[doc_type]
    today = datetime.now(UTC).date()
    rows = [
        [float(v) for v in t.extractor.extract(validate_document(t.schema, doc).fields, today).values]
        for doc in documents
    ]
    return list(t.extractor.feature_names), rows


def invocation_body(columns: list[str], rows: list[list[float]]) -> bytes:
    return json.dumps({"dataframe_split": {"columns": columns, "data": rows}}).encode()


def build_model(type_dir: Path, doc_type: str, out: Path, documents: list[dict]) -> dict:
    """Save the active version's estimators as a pyfunc model in `out`/model; runs in its own process."""
    os.environ.update(NO_TELEMETRY)
    backend_on_path()
    import joblib
    import mlflow.pyfunc
    import numpy as np
    import pandas as pd
    from mlflow.models import infer_signature

    from models.model_store import ModelStore
    from peer_model import RiskEnsembleModel  # imported by module name, so the pickle refers to it, not to a copy
    from training.ensemble import FraudEnsemble

    store = ModelStore(Path(type_dir), doc_type)
    version = store.active_version()
    if version is None:
        raise SystemExit(f"no active {doc_type} version in {type_dir}")
    ensemble = FraudEnsemble.from_version(store, version)
    columns, rows = feature_rows(doc_type, documents)
    X = np.asarray(rows, dtype=np.float32)
    frame = pd.DataFrame(X.astype(np.float64), columns=columns)
    expected = ensemble.predict(X)

    artifacts = {}
    (out / "artifacts").mkdir(parents=True, exist_ok=True)
    for name, estimator in ensemble.models.items():
        artifacts[name] = str(out / "artifacts" / f"{name}.joblib")
        joblib.dump(estimator, artifacts[name])
    model_path = out / "model"
    mlflow.pyfunc.save_model(
        path=str(model_path),
        python_model=RiskEnsembleModel(ensemble.weights),
        artifacts=artifacts,
        code_paths=[str(HERE / "peer_model.py")],
        signature=infer_signature(frame, expected),
        pip_requirements=["mlflow", "scikit-learn", "xgboost", "joblib", "numpy"],  # not inferred: no extra load
    )
    predicted = np.asarray(mlflow.pyfunc.load_model(str(model_path)).predict(frame), dtype=np.float64)
    if not np.allclose(predicted, expected, atol=1e-4):
        raise SystemExit(f"the saved pyfunc model predicts {predicted} where the ensemble predicts {expected}")
    return {
        "type": doc_type,
        "version": version,
        "model_path": str(model_path),
        "weights": ensemble.weights,
        "expected_scores": [round(float(s), 4) for s in expected],
        "model_mb": round(sum(p.stat().st_size for p in model_path.rglob("*") if p.is_file()) / 1e6, 2),
    }


def descendants(pid: int) -> list[int]:
    out = []
    for child in child_pids(pid):
        out += [child, *descendants(child)]
    return out


class PeerServer:
    """`mlflow models serve` on loopback, in its own process group."""

    def __init__(self, model_path: str, workers: int, log_path: Path, python: str = sys.executable):
        self.port = free_port()
        bindir = str(Path(python).parent)  # mlflow starts `uvicorn` through the shell: it must be on PATH
        env = dict(os.environ, **NO_TELEMETRY, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
        self.command = [
            python,
            "-m",
            "mlflow",
            "models",
            "serve",
            "-m",
            model_path,
            "--env-manager",
            "local",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "--workers",
            str(workers),
        ]
        self._log = open(log_path, "wb")
        self.log_path = log_path
        self.process = subprocess.Popen(
            self.command, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, body: bytes, timeout: float = 180) -> None:
        alive = lambda: self.process.poll() is None  # noqa: E731
        try:
            wait_until(lambda: request_once(self.port, "GET", "/ping", timeout=2)[0] == 200, timeout, "mlflow", alive)
            wait_until(lambda: self.invoke(body)[0] == 200, 60, "mlflow /invocations", alive)
        except RuntimeError:
            print(self.log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise

    def invoke(self, body: bytes) -> tuple[int, bytes]:
        return request_once(self.port, "POST", "/invocations", body, {"Content-Type": "application/json"})

    def worker_rss_mb(self) -> list[float]:
        """RSS of the uvicorn worker processes (the leaves of the process tree, less multiprocessing helpers)."""
        pids = [p for p in descendants(self.process.pid) if not child_pids(p)]
        workers = []
        for pid in pids:
            try:
                if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    workers.append(rss_mb(pid))
            except OSError:
                pass
        return workers

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def run_peer(
    type_dir: Path,
    measure: Measure,
    concurrencies: list[int],
    duration: float,
    doc_type: str = "paystub",
    workers: int = 2,
    document: dict | None = None,
    python: str = "",
    echo=print,
) -> dict:
    """Build, serve and measure the peer; one row per concurrency.

    `python`: the interpreter of a virtualenv holding bench/requirements.txt, when MLflow should
    not share the service's environment (MLflow pins gunicorn below 27); default: this one.
    """
    python = python or sys.executable
    document = document or sample_documents()[doc_type]
    work = Path(tempfile.mkdtemp(prefix="fraud-bench-peer-"))
    try:
        built = subprocess.run(
            [
                python,
                str(HERE / "mlflow_peer.py"),
                "build",
                "--type-dir",
                str(type_dir),
                "--type",
                doc_type,
                "--out",
                str(work),
                "--document",
                json.dumps(document),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(os.environ, **NO_TELEMETRY),
        )
        if built.returncode != 0:
            raise RuntimeError(f"building the pyfunc model failed: {built.stderr[-2000:]}")
        model = json.loads(built.stdout.strip().splitlines()[-1])
        columns, rows = feature_rows(doc_type, [document])
        body = invocation_body(columns, rows)
        server = PeerServer(model["model_path"], workers, work / "mlflow.log", python)
        try:
            server.wait_ready(body)
            status, answer = server.invoke(body)
            out_rows = []
            for concurrency in concurrencies:
                out_rows.append(
                    {
                        "route": "POST /invocations (mlflow peer)",
                        "concurrency": concurrency,
                        **measure(server.port, "POST", "/invocations", body, concurrency, duration),
                    }
                )
                echo(json.dumps(out_rows[-1]))
            rss = server.worker_rss_mb()
        finally:
            server.stop()
        return {
            "server": " ".join(["mlflow", *server.command[3:]]).replace(model["model_path"], "DIR"),
            "workers": workers,
            "model": model,
            "request_bytes": len(body),
            "answer": json.loads(answer) if status == 200 else answer.decode(errors="replace")[:500],
            "rows": out_rows,
            "worker_rss_mb": rss,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    build = sub.add_parser("build", help="(internal) save the pyfunc model and print what was saved as JSON")
    build.add_argument("--type-dir", required=True)
    build.add_argument("--type", default="paystub")
    build.add_argument("--out", required=True)
    build.add_argument("--document", required=True, help="the raw document whose features check the saved model")
    parser.add_argument("--type-dir", help="the type's model directory; default: the service's configured one")
    parser.add_argument("--type", default="paystub")
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--load-generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--peer-python", default="", help="run MLflow with this interpreter (default: this one)")
    args = parser.parse_args()

    if args.command == "build":
        print(json.dumps(build_model(Path(args.type_dir), args.type, Path(args.out), [json.loads(args.document)])))
        return
    type_dir = args.type_dir
    if not type_dir:
        backend_on_path()
        from config import Config

        type_dir = Config.from_env().models_dir(args.type)
    measure, generator = load_generator(args.load_generator)
    report = run_peer(
        Path(type_dir), measure, args.concurrency, args.duration, args.type, args.workers, python=args.peer_python
    )
    report["load_generator"] = generator
    print(json.dumps(report, indent=2, default=str))
    print("wrote", write_json("peer.json", report))


if __name__ == "__main__":
    main()
