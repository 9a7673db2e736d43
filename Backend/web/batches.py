"""POST /api/<slug>/analyze-batch: a spreadsheet upload or a JSON array, scored as one batch."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from domain.document_type import DocumentType
from domain.fields import FieldError
from domain.spreadsheets import SpreadsheetError
from services.analysis import TooManyDocuments
from web.context import services
from web.http import ApiError, read_body, read_json_body

log = logging.getLogger(__name__)

batches = Blueprint("batches", __name__, url_prefix="/api")

SPREADSHEET_TYPES = {
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
}
_TRUE, _FALSE = {"1", "true", "yes"}, {"0", "false", "no", ""}


def _store_flag() -> bool:
    raw = request.args.get("store", request.form.get("store", "") if request.mimetype == "multipart/form-data" else "")
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ApiError(400, "Invalid store flag", [FieldError("store", "must be true or false")])
    return value in _TRUE


def _documents(doc_type: DocumentType):
    """(row number, document) pairs from whichever body was sent; ApiError for an unusable one."""
    analysis = services().analysis
    if request.is_json:
        return analysis.batch_from_json(doc_type, read_json_body())
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(
                400, "No file uploaded", [FieldError("file", "send the spreadsheet in the form field 'file'")]
            )
        data = upload.read()
    elif request.mimetype in SPREADSHEET_TYPES:
        data = read_body()  # 413 for a chunked body over the limit, which get_data() would cut short
    else:
        raise ApiError(
            415,
            "Send a CSV or XLSX file (multipart field 'file' or the raw body) or a JSON array",
            [FieldError("Content-Type", "expected multipart/form-data, text/csv, XLSX or application/json")],
        )
    return analysis.batch_from_file(doc_type, data)


@batches.post("/<doctype:doc_type>/analyze-batch")
def analyze_batch(doc_type: DocumentType):
    limits = services().batch
    request.max_content_length = limits.max_bytes  # uploads may be larger than a single document
    try:
        store = _store_flag()
        documents = _documents(doc_type)
    except RequestEntityTooLarge:
        raise ApiError(
            413,
            f"The upload is larger than {limits.max_bytes:,} bytes; split it",
            [FieldError("file", f"at most {limits.max_bytes} bytes")],
        ) from None
    except TooManyDocuments as exc:
        raise ApiError(413, str(exc), [FieldError("body", f"at most {exc.max_rows} documents")]) from None
    except SpreadsheetError as exc:
        raise ApiError(exc.status, str(exc), [FieldError("file", str(exc))]) from None
    if not documents:
        raise ApiError(400, "The upload holds no documents", [FieldError("file", "no rows below the header")])

    batch = services().analysis.analyze_batch(doc_type, documents, store=store)
    result, summary = batch.result, batch.result.summary()
    log.info(
        "Batch %s: %d %s rows, %d scored, %d errors, %d anomalous in %.2f s (stored: %s)",
        result.batch_id,
        summary["rows"],
        doc_type.name,
        summary["scored"],
        summary["errors"],
        summary["anomalous"],
        result.seconds,
        batch.stored,
    )
    return jsonify(
        {
            "batch_id": result.batch_id,
            "document_type": doc_type.name,
            "model_version": result.model_version,
            "stored": batch.stored,
            "warnings": batch.warnings,
            "seconds": round(result.seconds, 3),
            "summary": summary,
            "results": [outcome.as_dict() for outcome in result.rows],
        }
    )
