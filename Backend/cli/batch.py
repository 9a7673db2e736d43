"""`flask --app Backend/api_server.py analyze FILE --type paystub [--out results.csv] [--store]`.

Scores a CSV or XLSX file (or a JSON array) with the active models, as the analyze-batch
route does, and writes one result row per input row beside the input.
"""

from __future__ import annotations

import csv
from pathlib import Path

import click
from flask import Flask
from tqdm import tqdm

from cli.logs import verbose_option
from domain.spreadsheets import SpreadsheetError
from services.container import Services

RESULT_COLUMNS = (
    "row",
    "status",
    "risk_score",
    "risk_level",
    "recommendation",
    "confidence_score",
    "is_anomalous",
    "anomaly_score",
    "reasons",
    "errors",
    "document_id",
)
PROGRESS_CHUNK = 500


def result_row(outcome) -> dict:
    r = outcome.result
    if r is None:
        return {
            "row": outcome.row,
            "status": "error",
            "errors": "; ".join(f"{e.field}: {e.message}" for e in outcome.errors),
        }
    return {
        "row": outcome.row,
        "status": "scored",
        "risk_score": r.risk_score,
        "risk_level": r.risk_level,
        "recommendation": r.recommendation,
        "confidence_score": r.confidence_score,
        "is_anomalous": bool(r.anomaly and r.anomaly["is_anomalous"]),
        "anomaly_score": r.anomaly["score"] if r.anomaly else "",
        "reasons": "; ".join(reason.code for reason in r.reasons),
        "document_id": outcome.document_id or "",
    }


def register(app: Flask, services: Services) -> None:
    @app.cli.command("analyze")
    @verbose_option
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--type", "type_name", required=True, help="paystub, check, money_order or bank_statement")
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Where to write the results (default: <file>.results.csv beside the input).",
    )
    @click.option("--store", is_flag=True, help="Also store the analyses, so they join the review queue.")
    def analyze_command(path: Path, type_name: str, out: Path | None, store: bool) -> None:
        """Score every document in PATH (CSV, XLSX or a JSON array) and write one result per row."""
        doc_type = services.type_named(type_name)
        if doc_type is None:
            raise click.BadParameter(
                f"unknown type {type_name!r}; one of {', '.join(services.types)}", param_hint="--type"
            )
        try:
            documents = services.analysis.batch_from_bytes(
                doc_type, path.read_bytes(), is_json=path.suffix.lower() == ".json"
            )
        except (SpreadsheetError, ValueError) as exc:
            details = "".join(f"\n  {d.field}: {d.message}" for d in getattr(exc, "details", []))
            raise click.ClickException(f"{path.name}: {exc}{details}") from None
        with tqdm(total=len(documents), unit="row", desc=f"{doc_type.name} {path.name}") as bar:
            batch = services.analysis.analyze_batch(
                doc_type, documents, store=store, progress=bar.update, chunk_rows=PROGRESS_CHUNK
            )
        result = batch.result
        if batch.stored:
            click.echo(f"Stored {sum(o.result is not None for o in result.rows)} analyses (batch {result.batch_id})")
        for warning in batch.warnings:
            click.echo(warning, err=True)
        out = out or path.with_name(f"{path.stem}.results.csv")
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=RESULT_COLUMNS)
            writer.writeheader()
            writer.writerows(result_row(outcome) for outcome in result.rows)
        summary = result.summary()
        click.echo(
            f"{summary['rows']} rows, {summary['scored']} scored, {summary['errors']} unreadable, "
            f"{summary['anomalous']} anomalous; {summary['by_recommendation']} "
            f"(model {result.model_version}, {result.seconds:.2f} s) -> {out}"
        )
