"""The document API: one blueprint serves every document type by URL slug."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, request
from werkzeug.routing import BaseConverter

from .api_models import ListParams, ReviewRequest
from .detector import ModelNotLoaded
from .doc_types import DocumentType
from .document_store import AnalysisRecord, ListQuery, StoredLater, StoreUnavailable
from .http import ApiError, read_json_body, validate_model
from .model_store import VersionInfo
from .schemas import FieldError, validate_document
from .services import services

log = logging.getLogger(__name__)


def slug_converter(slugs: list[str]) -> type[BaseConverter]:
    """A URL converter matching only the registered slugs, so /api/<slug> never shadows other routes."""
    pattern = "|".join(sorted(slugs, key=len, reverse=True))

    class DocumentSlugConverter(BaseConverter):
        regex = f"(?:{pattern})"

        def to_python(self, value: str) -> DocumentType:
            return services().by_slug[value]

        def to_url(self, value) -> str:
            return value.slug if isinstance(value, DocumentType) else str(value)

    return DocumentSlugConverter


documents = Blueprint("documents", __name__, url_prefix="/api")


def _get_record(doc_type: DocumentType, document_id: str) -> AnalysisRecord:
    try:
        record = services().store.get_analysis(doc_type.table, document_id)
    except StoreUnavailable as exc:
        raise ApiError(503, str(exc)) from None
    if record is None:
        raise ApiError(404, f"No {doc_type.label.lower()} analysis with that id", [FieldError("document_id", "not found")])
    return record


@documents.post("/<doctype:doc_type>/analyze")
def analyze(doc_type: DocumentType):
    body = read_json_body()
    parsed = validate_document(doc_type.schema, body)
    svc = services()
    detector = svc.detectors[doc_type.name]
    detector.refresh_if_changed()
    try:
        result = detector.score(parsed.fields)
    except ModelNotLoaded as exc:
        raise ApiError(503, str(exc)) from None
    record = AnalysisRecord(
        document_id=uuid.uuid4().hex,
        document_type=doc_type.name,
        created_at=datetime.now(timezone.utc),
        raw_fields=parsed.raw_fields,
        features=result.features,
        risk_score=result.risk_score,
        risk_level=result.risk_level,
        ai_recommendation=result.recommendation,
        confidence_score=result.confidence_score,
        model_version=result.model_version,
        reasons=[reason.as_dict() for reason in result.reasons],
        top_features=result.top_features,
        model_scores=result.model_scores,
        warnings=parsed.warnings,
        anomaly=result.anomaly,
    )
    stored = True
    try:
        svc.store.save_analysis(doc_type.table, record)
    except StoredLater:
        stored = False
        record.warnings.append("The database is unavailable: the analysis is kept locally and stored when it is back")
    except StoreUnavailable:
        stored = False
        record.warnings.append("The analysis could not be stored; it will not appear in the review queue")
    return jsonify({
        "document_id": record.document_id,
        "document_type": doc_type.name,
        **result.as_dict(),
        "warnings": record.warnings,
        "stored": stored,
        "created_at": record.created_at.isoformat(),
    })


@documents.get("/<doctype:doc_type>")
def list_analyses(doc_type: DocumentType):
    params = validate_model(ListParams, request.args.to_dict(), "query parameters")
    svc = services()
    if params.limit > svc.list_max_limit:
        raise ApiError(400, "Invalid query parameters", [FieldError("limit", f"must be at most {svc.list_max_limit}")])
    before = params.before
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=timezone.utc)
    query = ListQuery(recommendation=params.recommendation, reviewed=params.reviewed, before=before, limit=params.limit)
    try:
        records = svc.store.list_analyses(doc_type.table, query)
    except StoreUnavailable as exc:
        raise ApiError(503, str(exc)) from None
    next_before = records[-1].created_at.isoformat() if len(records) == params.limit else None
    return jsonify({"items": [r.as_dict() for r in records], "count": len(records), "next_before": next_before})


@documents.get("/<doctype:doc_type>/<document_id>")
def get_analysis(doc_type: DocumentType, document_id: str):
    return jsonify(_get_record(doc_type, document_id).as_dict())


@documents.post("/<doctype:doc_type>/<document_id>/review")
def review(doc_type: DocumentType, document_id: str):
    payload = validate_model(ReviewRequest, read_json_body(), "review")
    _get_record(doc_type, document_id)  # 404 before writing anything
    try:
        record = services().store.record_review(
            doc_type.table, document_id, payload.decision, payload.reviewer, payload.notes, datetime.now(timezone.utc))
    except StoreUnavailable as exc:
        raise ApiError(503, str(exc)) from None
    if record is None:
        raise ApiError(404, "Document disappeared while reviewing", [FieldError("document_id", "not found")])
    log.info("Review recorded for a %s: %s", doc_type.name, payload.decision)
    return jsonify({**record.as_dict(), "training_status": training_status_after_review(doc_type.name)})


def training_status_after_review(doc_type: str) -> str:
    """'retrain queued' when this review pushed the type past its auto_train_threshold; never waits for training."""
    scheduler = current_app.extensions.get("retraining_scheduler")
    if scheduler is None or not current_app.config["FRAUD_CONFIG"].ENABLE_AUTOMATED_RETRAINING:
        return "no training needed"
    try:
        return scheduler.on_review(doc_type)
    except Exception:  # a trigger problem must not fail a recorded review
        log.exception("Could not check the retraining trigger after a review")
        return "no training needed"


def _version_out(info: VersionInfo, active: str | None) -> dict:
    manifest = info.manifest or {}
    return {
        "version": info.version,
        "valid": info.valid,
        "active": info.version == active,
        "status": manifest.get("status", "ready") if info.valid else "failed_verification",
        "status_reason": manifest.get("status_reason"),
        "error": info.error,
        "created_at": manifest.get("created_at"),
        "metrics": manifest.get("metrics"),
        "training_data": manifest.get("training_data"),
        "training_seconds": manifest.get("training_seconds"),
    }


@documents.get("/<doctype:doc_type>/models")
def models(doc_type: DocumentType):
    detector = services().detectors[doc_type.name]
    status = detector.status()
    versions = [_version_out(info, status["active_version"]) for info in detector.store.list_versions()]
    return jsonify({"document_type": doc_type.name, **status, "versions": versions})
