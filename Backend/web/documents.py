"""The document routes: one blueprint serves every document type by URL slug."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, jsonify, request

from domain.document_type import DocumentType
from domain.fields import FieldError
from domain.records import ListQuery
from models.model_store import VersionInfo
from web.context import services
from web.http import ApiError, read_json_body, validate_model
from web.schemas import ListParams, ReviewRequest

documents = Blueprint("documents", __name__, url_prefix="/api")


@documents.post("/<doctype:doc_type>/analyze")
def analyze(doc_type: DocumentType):
    analysis = services().analysis.analyze(doc_type, read_json_body())
    record = analysis.record
    return jsonify(
        {
            "document_id": record.document_id,
            "document_type": doc_type.name,
            **analysis.result.as_dict(),
            "warnings": record.warnings,
            "stored": analysis.stored,
            "created_at": record.created_at.isoformat(),
        }
    )


@documents.get("/<doctype:doc_type>")
def list_analyses(doc_type: DocumentType):
    params = validate_model(ListParams, request.args.to_dict(), "query parameters")
    svc = services()
    if params.limit > svc.list_max_limit:
        raise ApiError(400, "Invalid query parameters", [FieldError("limit", f"must be at most {svc.list_max_limit}")])
    before = params.before
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    query = ListQuery(recommendation=params.recommendation, reviewed=params.reviewed, before=before, limit=params.limit)
    records = svc.analysis.list(doc_type, query)
    next_before = records[-1].created_at.isoformat() if len(records) == params.limit else None
    return jsonify({"items": [r.as_dict() for r in records], "count": len(records), "next_before": next_before})


@documents.get("/<doctype:doc_type>/<document_id>")
def get_analysis(doc_type: DocumentType, document_id: str):
    return jsonify(services().analysis.get(doc_type, document_id).as_dict())


@documents.post("/<doctype:doc_type>/<document_id>/review")
def review(doc_type: DocumentType, document_id: str):
    payload = validate_model(ReviewRequest, read_json_body(), "review")
    record, training_status = services().analysis.review(
        doc_type, document_id, payload.decision, payload.reviewer, payload.notes
    )
    return jsonify({**record.as_dict(), "training_status": training_status})


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
        "calibration": manifest.get("calibration"),
        "thresholds": manifest.get("thresholds"),
    }


@documents.get("/<doctype:doc_type>/models")
def models(doc_type: DocumentType):
    detector = services().detectors[doc_type.name]
    status = detector.status()
    versions = [_version_out(info, status["active_version"]) for info in detector.store.list_versions()]
    policy = detector.policy.model_dump(mode="json")
    return jsonify({"document_type": doc_type.name, **status, "policy": policy, "versions": versions})
