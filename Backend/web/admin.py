"""Admin routes: start a retrain, follow its job, see retraining status, roll back a model.

Every route needs `Authorization: Bearer <ADMIN_API_TOKEN>`; scoring routes do not.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from domain.document_type import DocumentType
from domain.fields import FieldError
from services.model_versions import RollbackRefused
from services.retraining import AlreadyRunning
from web.auth import require_admin
from web.context import services
from web.http import ApiError, read_json_body

admin = Blueprint("admin", __name__, url_prefix="/api")


@admin.post("/<doctype:doc_type>/retrain-model")
@require_admin
def retrain_model(doc_type: DocumentType):
    try:
        job_id = services().runner.start(doc_type.name, trigger="manual")
    except AlreadyRunning as exc:
        response = jsonify(
            {
                "success": False,
                "error": str(exc),
                "status": "already running",
                "job_id": exc.job_id,
                "details": [{"field": "doc_type", "message": "a retrain of this type is under way"}],
            }
        )
        return response, 409
    return jsonify(
        {"success": True, "message": f"{doc_type.label} retraining started", "status": "processing", "job_id": job_id}
    ), 202


@admin.get("/retraining/jobs/<job_id>")
@require_admin
def job_status(job_id: str):
    job = services().runner.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "No retraining job with that id", [FieldError("job_id", "not found")])
    return jsonify(job)


@admin.get("/retraining/status")
@require_admin
def retraining_status():
    svc = services()
    primary = svc.retraining_config.global_settings.primary_metric
    history = {
        name: versions.history.get_performance_summary(versions.store.active_version(), primary)
        for name, versions in svc.versions.items()
    }
    running = {name: svc.runner.jobs.active_job(name) for name in svc.types}
    scheduler = svc.scheduler.status() if svc.scheduler is not None else {"running": False}
    return jsonify({"scheduler": scheduler, "running_jobs": running, "performance_history": history})


@admin.post("/<doctype:doc_type>/rollback")
@require_admin
def rollback(doc_type: DocumentType):
    # Decide by the bytes, not by Content-Length: a chunked body has none, and was taken for "no body",
    # which rolled back to the previous version instead of the named one.
    body = read_json_body() if request.get_data(cache=True).strip() else {}
    if not isinstance(body, dict) or set(body) - {"version"}:
        raise ApiError(400, 'Body must be {"version": optional}', [FieldError("body", "only 'version' is accepted")])
    svc = services()
    others = {name: v.store for name, v in svc.versions.items() if name != doc_type.name}
    try:
        target, previous = svc.versions[doc_type.name].rollback(body.get("version"), others)
    except RollbackRefused as exc:
        raise ApiError(exc.status, str(exc), [FieldError("version", exc.detail)]) from None
    return jsonify({"success": True, "doc_type": doc_type.name, "active_version": target, "previous_version": previous})
