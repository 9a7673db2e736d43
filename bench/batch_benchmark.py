"""Batch benchmark: 10,000 paystub rows as one CSV, analysed end to end over HTTP.

    .venv/bin/python bench/batch_benchmark.py [--rows 10000] [--runs 3]

Generates the rows with the seeded paystub generator (Backend/paystub/synthetic.py; amounts
and dates as OCR spells them, some fields missing), one column per paystub field the README's
example sends, and posts the file as multipart/form-data (field `file`) to
POST /api/paystubs/analyze-batch, timing each request from the first byte sent to the last
byte of the JSON answer (`results` and `summary`) received: three times as is (the analyses
are not stored, the endpoint's default), then once with store=true. A server without the endpoint
is reported as unavailable (its status code: 404, or 405 while the path only matches
GET /api/paystubs/<document_id>), never as a crash. Writes
bench/results/batch.json when run alone; `bench/run_benchmarks.py` runs it as part of the
full benchmark.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import time
import uuid
from datetime import date

from harness import Service, backend_on_path, request_once, write_json

BATCH_PATH = "/api/paystubs/analyze-batch"
# The keys of the README's paystub example: every paystub field but company_address.
PAYSTUB_COLUMNS = (
    "company_name",
    "employee_name",
    "employee_id",
    "pay_date",
    "pay_period_start",
    "pay_period_end",
    "gross_pay",
    "net_pay",
    "federal_tax",
    "state_tax",
    "social_security",
    "medicare",
    "other_deductions",
    "ytd_gross",
    "ytd_net",
    "text_quality",
)
SEED = 7


def paystub_csv(rows: int, seed: int = SEED) -> bytes:
    """`rows` seeded synthetic paystubs (half of them tampered with) as CSV; a missing field is an empty cell."""
    backend_on_path()
    from document_types import DOCUMENT_TYPES

    schema = DOCUMENT_TYPES["paystub"].schema
    assert all(column in schema.model_fields for column in PAYSTUB_COLUMNS), "a column is not a paystub field"
    batch = DOCUMENT_TYPES["paystub"].generator.generate(rows, seed, today=date.today())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PAYSTUB_COLUMNS)
    for doc in batch.documents:
        writer.writerow(["" if doc.get(c) is None else doc[c] for c in PAYSTUB_COLUMNS])
    return out.getvalue().encode()


def multipart(field: str, filename: str, data: bytes, content_type: str = "text/csv") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def run_batch(
    port: int, rows: int = 10000, runs: int = 3, stored_runs: int = 1, timeout: float = 120, max_seconds: float = 90
) -> dict:
    """Post the CSV `runs` times, then `stored_runs` times with store=true (fewer once `max_seconds` is spent).

    Each run's wall time and what came back; best and median over the runs without store=true,
    which is the endpoint's default.
    """
    data = paystub_csv(rows)
    body, content_type = multipart("file", "paystubs.csv", data)
    report = {"path": BATCH_PATH, "rows": rows, "csv_bytes": len(data), "request_bytes": len(body), "runs": []}
    spent = 0.0
    for stored in [False] * runs + [True] * stored_runs:
        if spent > max_seconds:
            break
        started = time.perf_counter()
        status, payload = request_once(
            port,
            "POST",
            BATCH_PATH + ("?store=true" if stored else ""),
            body,
            {"Content-Type": content_type},
            timeout=timeout,
        )
        seconds = time.perf_counter() - started
        spent += seconds
        run = {"store": stored, "status": status, "seconds": round(seconds, 3), "response_bytes": len(payload)}
        if status != 200:
            run["error"] = payload[:300].decode(errors="replace")
            report["runs"].append(run)
            break  # 404 (no endpoint yet), 413 (too large), ...: one answer says it
        try:
            answer = json.loads(payload)
        except ValueError:
            run["error"] = "the answer is not JSON"
            report["runs"].append(run)
            break
        results = answer.get("results")
        run["results"] = len(results) if isinstance(results, list) else None
        run["summary"] = answer.get("summary")
        run["complete"] = run["results"] == rows and "summary" in answer
        report["runs"].append(run)
    ok = [r for r in report["runs"] if r["status"] == 200 and r.get("complete") and not r["store"]]
    report["available"] = bool(ok)
    stored_ok = [r["seconds"] for r in report["runs"] if r["status"] == 200 and r.get("complete") and r["store"]]
    report["stored_seconds"] = min(stored_ok) if stored_ok else None
    if ok:
        best = min(r["seconds"] for r in ok)
        report["best_seconds"] = best
        report["median_seconds"] = sorted(r["seconds"] for r in ok)[len(ok) // 2]
        report["rows_per_second"] = round(rows / best, 1)
    else:
        first = report["runs"][0] if report["runs"] else {}
        status = first.get("status")
        # 405: the path only matches GET /api/<slug>/<document_id>, so there is no batch route yet
        reason = "no such endpoint yet" if status in (404, 405) else first.get("error", "")[:160]
        report["unavailable"] = f"HTTP {status}: {reason}"
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stored-runs", type=int, default=1, help="runs with store=true after the others")
    parser.add_argument("--csv", help="only write the generated CSV to this file and exit")
    args = parser.parse_args()
    if args.csv:
        with open(args.csv, "wb") as f:
            f.write(paystub_csv(args.rows))
        return
    with Service() as service:
        service.train_baselines()
        service.start()
        report = run_batch(service.port, args.rows, args.runs, args.stored_runs)
    print(json.dumps(report, indent=2))
    print("wrote", write_json("batch.json", report))


if __name__ == "__main__":
    main()
