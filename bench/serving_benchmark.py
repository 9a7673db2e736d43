"""Serving benchmark: single-document scoring over HTTP against the production server on loopback.

    .venv/bin/python bench/serving_benchmark.py [--duration 8] [--workers 2]
        [--server production|gunicorn-gthread|gunicorn-sync]

Measures, per document type, p50/p90/p99 latency and throughput of POST /api/<slug>/analyze
at 1 and 8 concurrent keep-alive connections, the same for the no-op GET /healthz as a
ceiling, the resident memory of each worker with all four types loaded, and the model files
on disk. Writes bench/results/serving.json. `bench/run_benchmarks.py` runs this as one part
of the full benchmark and writes docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json

from harness import (
    SLUGS,
    Measure,
    Service,
    directory_mb,
    load_generator,
    machine,
    sample_documents,
    utc_now,
    write_json,
)

NOOP_ROUTE = "GET /healthz (no-op)"


def analyze_route(doc_type: str) -> str:
    return f"POST /api/{SLUGS[doc_type]}/analyze"


def measure_routes(
    port: int, measure: Measure, concurrencies: list[int], duration: float, documents: dict[str, dict], echo=print
) -> list[dict]:
    """One row per (route, concurrency): the no-op route first, then every type's analyze route."""
    rows = []
    for concurrency in concurrencies:
        cells = [(NOOP_ROUTE, "GET", "/healthz", None)]
        cells += [
            (analyze_route(name), "POST", f"/api/{SLUGS[name]}/analyze", json.dumps(doc).encode())
            for name, doc in documents.items()
        ]
        for route, method, path, body in cells:
            rows.append(
                {"route": route, "concurrency": concurrency, **measure(port, method, path, body, concurrency, duration)}
            )
            echo(json.dumps(rows[-1]))
    return rows


def model_files(service: Service) -> dict:
    """Model files on disk: everything kept, and the ONNX files a worker actually loads."""
    per_type = {
        name: {
            "all_files_mb": directory_mb(service.models_dir / name),
            "onnx_mb": directory_mb(service.models_dir / name, "*.onnx"),
            "joblib_mb": directory_mb(service.models_dir / name, "*.pkl"),
        }
        for name in SLUGS
        if (service.models_dir / name).exists()
    }
    return {"total_mb": directory_mb(service.models_dir), "per_type": per_type}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--server",
        default="production",
        choices=["production", "gunicorn-gthread", "gunicorn-sync"],
        help="production: python Backend/api_server.py (granian); gunicorn-*: the same app under "
        "gunicorn's gthread or sync workers (sync workers close every connection)",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (production default: 1)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--database-url", default="", help="store analyses here instead of a fresh SQLite file")
    parser.add_argument(
        "--load-generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="wrk when installed (apt-get install wrk), else the Python client",
    )
    args = parser.parse_args()

    measure, generator = load_generator(args.load_generator)
    report = {"when": utc_now(), "machine": machine(), "load_generator": generator, "duration_s": args.duration}
    with Service(args.workers, args.threads, args.server, args.database_url) as service:
        report["baseline_training_s"] = service.train_baselines()
        service.start()
        report["rows"] = measure_routes(service.port, measure, args.concurrency, args.duration, sample_documents())
        report["memory"] = service.memory()
        report["models_on_disk"] = model_files(service)
    report["server"] = {
        "workers": args.workers,
        "server": args.server,
        "threads": args.threads,
        "database": "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite",
    }
    print(json.dumps(report, indent=2))
    print("wrote", write_json("serving.json", report))


if __name__ == "__main__":
    main()
