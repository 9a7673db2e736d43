"""POST /api/<slug>/analyze-batch: a spreadsheet upload or a JSON array, scored as one batch."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from .batch import BatchRejected, analyze_documents, documents_from_json, documents_from_sheet
from .detector import ModelNotLoaded
from .doc_types import DocumentType
from .document_store import StoredLater, StoreUnavailable
from .http import ApiError, read_body, read_json_body
from .schemas import FieldError
from .services import services
from .spreadsheets import SpreadsheetError, read_sheet

log = logging.getLogger(__name__)

batches = Blueprint("batches", __name__, url_prefix="/api")

SPREADSHEET_TYPES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "application/octet-stream"}
_TRUE, _FALSE = {"1", "true", "yes"}, {"0", "false", "no", ""}


def _store_flag() -> bool:
    raw = request.args.get("store", request.form.get("store", "") if request.mimetype == "multipart/form-data" else "")
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ApiError(400, "Invalid store flag", [FieldError("store", "must be true or false")])
    return value in _TRUE


def _documents(doc_type: DocumentType, identifying: tuple[str, ...], max_rows: int):
    """(row number, document) pairs from whichever body was sent; ApiError for an unusable one."""
    if request.is_json:
        documents = documents_from_json(doc_type, read_json_body(), identifying)
        if len(documents) > max_rows:
            raise ApiError(413, f"More than {max_rows} documents in one batch; split it",
                           [FieldError("body", f"at most {max_rows} documents")])
        return documents
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(400, "No file uploaded", [FieldError("file", "send the spreadsheet in the form field 'file'")])
        data = upload.read()
    elif request.mimetype in SPREADSHEET_TYPES:
        data = read_body()  # 413 for a chunked body over the limit, which get_data() would cut short
    else:
        raise ApiError(415, "Send a CSV or XLSX file (multipart field 'file' or the raw body) or a JSON array",
                       [FieldError("Content-Type", "expected multipart/form-data, text/csv, XLSX or application/json")])
    return documents_from_sheet(doc_type, read_sheet(data, max_rows), identifying)


@batches.post("/<doctype:doc_type>/analyze-batch")
def analyze_batch(doc_type: DocumentType):
    svc = services()
    request.max_content_length = svc.batch.max_bytes  # uploads may be larger than a single document
    try:
        store = _store_flag()
        documents = _documents(doc_type, svc.batch.identifying_columns.get(doc_type.name, ()), svc.batch.max_rows)
    except RequestEntityTooLarge:
        raise ApiError(413, f"The upload is larger than {svc.batch.max_bytes:,} bytes; split it",
                       [FieldError("file", f"at most {svc.batch.max_bytes} bytes")]) from None
    except SpreadsheetError as exc:
        raise ApiError(exc.status, str(exc), [FieldError("file", str(exc))]) from None
    except BatchRejected as exc:
        raise ApiError(exc.status, exc.message, exc.details) from None
    if not documents:
        raise ApiError(400, "The upload holds no documents", [FieldError("file", "no rows below the header")])

    detector = svc.detectors[doc_type.name]
    detector.refresh_if_changed()
    try:
        result = analyze_documents(detector, documents, explain=store)
    except ModelNotLoaded as exc:
        raise ApiError(503, str(exc)) from None

    warnings, stored = [], False
    if store:
        records = result.records(doc_type)
        try:
            svc.store.save_analyses(doc_type.table, records)
            stored = True
        except StoredLater:
            warnings.append("The database is unavailable: the analyses are kept locally and stored when it is back")
        except StoreUnavailable:
            for outcome in result.rows:
                outcome.document_id = None
            warnings.append("The analyses could not be stored; they will not appear in the review queue")
    summary = result.summary()
    log.info("Batch %s: %d %s rows, %d scored, %d errors, %d anomalous in %.2f s (stored: %s)",
             result.batch_id, summary["rows"], doc_type.name, summary["scored"], summary["errors"],
             summary["anomalous"], result.seconds, stored)
    return jsonify({
        "batch_id": result.batch_id,
        "document_type": doc_type.name,
        "model_version": result.model_version,
        "stored": stored,
        "warnings": warnings,
        "seconds": round(result.seconds, 3),
        "summary": summary,
        "results": [outcome.as_dict() for outcome in result.rows],
    })
