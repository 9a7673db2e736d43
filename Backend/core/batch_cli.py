"""`flask --app Backend/api_server.py analyze FILE --type paystub [--out results.csv] [--store]`.

Scores a CSV or XLSX file (or a JSON array) with the active models, as the analyze-batch
route does, and writes one result row per input row beside the input.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from flask import Flask

from .batch import analyze_documents, documents_from_json, documents_from_sheet
from .document_store import StoredLater, StoreUnavailable
from .services import services
from .spreadsheets import SpreadsheetError, read_sheet

RESULT_COLUMNS = ("row", "status", "risk_score", "risk_level", "recommendation", "confidence_score",
                  "is_anomalous", "anomaly_score", "reasons", "errors", "document_id")
PROGRESS_CHUNK = 500


def result_row(outcome) -> dict:
    r = outcome.result
    if r is None:
        return {"row": outcome.row, "status": "error",
                "errors": "; ".join(f"{e.field}: {e.message}" for e in outcome.errors)}
    return {
        "row": outcome.row, "status": "scored", "risk_score": r.risk_score, "risk_level": r.risk_level,
        "recommendation": r.recommendation, "confidence_score": r.confidence_score,
        "is_anomalous": bool(r.anomaly and r.anomaly["is_anomalous"]),
        "anomaly_score": r.anomaly["score"] if r.anomaly else "",
        "reasons": "; ".join(reason.code for reason in r.reasons), "document_id": outcome.document_id or "",
    }


def register_batch_cli(app: Flask) -> None:
    @app.cli.command("analyze")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--type", "type_name", required=True, help="paystub, check, money_order or bank_statement")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Where to write the results (default: <file>.results.csv beside the input).")
    @click.option("--store", is_flag=True, help="Also store the analyses, so they join the review queue.")
    def analyze_command(path: Path, type_name: str, out: Path | None, store: bool) -> None:
        """Score every document in PATH (CSV, XLSX or a JSON array) and write one result per row."""
        from tqdm import tqdm

        svc = services()
        doc_type = svc.types.get(type_name) or svc.by_slug.get(type_name)
        if doc_type is None:
            raise click.BadParameter(f"unknown type {type_name!r}; one of {', '.join(svc.types)}", param_hint="--type")
        identifying = svc.batch.identifying_columns.get(doc_type.name, ())
        data = path.read_bytes()
        try:
            if path.suffix.lower() == ".json":
                documents = documents_from_json(doc_type, json.loads(data), identifying)
            else:
                documents = documents_from_sheet(doc_type, read_sheet(data, svc.batch.max_rows), identifying)
        except (SpreadsheetError, ValueError) as exc:
            details = "".join(f"\n  {d.field}: {d.message}" for d in getattr(exc, "details", []))
            raise click.ClickException(f"{path.name}: {exc}{details}") from None
        detector = svc.detectors[doc_type.name]
        with tqdm(total=len(documents), unit="row", desc=f"{doc_type.name} {path.name}") as bar:
            result = analyze_documents(detector, documents, progress=bar.update, chunk_rows=PROGRESS_CHUNK,
                                       explain=store)
        if store:
            try:
                svc.store.save_analyses(doc_type.table, result.records(doc_type))
                click.echo(f"Stored {sum(o.result is not None for o in result.rows)} analyses (batch {result.batch_id})")
            except StoredLater:
                click.echo("The database is unavailable: the analyses are kept in the outbox and stored later")
            except StoreUnavailable as exc:
                for outcome in result.rows:
                    outcome.document_id = None
                click.echo(f"Not stored: {exc}", err=True)
        out = out or path.with_name(f"{path.stem}.results.csv")
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=RESULT_COLUMNS)
            writer.writeheader()
            writer.writerows(result_row(outcome) for outcome in result.rows)
        summary = result.summary()
        click.echo(f"{summary['rows']} rows, {summary['scored']} scored, {summary['errors']} unreadable, "
                   f"{summary['anomalous']} anomalous; {summary['by_recommendation']} "
                   f"(model {result.model_version}, {result.seconds:.2f} s) -> {out}")
