"""Admin routes: start a retrain, follow its job, see retraining status, roll back a model.

Every route needs `Authorization: Bearer <ADMIN_API_TOKEN>`; scoring routes do not.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request

from core.auth import require_admin
from core.doc_types import DocumentType
from core.http import ApiError, read_json_body
from core.model_store import ModelStore, ModelStoreError, VersionNotFound, validate_version_id
from core.schemas import FieldError
from core.services import services
from .model_performance_tracker import ModelPerformanceTracker
from .runner import AlreadyRunning, RetrainingRunner

log = logging.getLogger(__name__)
admin = Blueprint("admin", __name__, url_prefix="/api")


def runner() -> RetrainingRunner:
    return current_app.extensions["retraining_runner"]


def _tracker(doc_type: str) -> ModelPerformanceTracker:
    return ModelPerformanceTracker(doc_type, services().detectors[doc_type].store.directory)


@admin.post("/<doctype:doc_type>/retrain-model")
@require_admin
def retrain_model(doc_type: DocumentType):
    from scheduler.document_retraining_scheduler import trigger_manual_retraining

    try:
        job_id = trigger_manual_retraining(doc_type.name)
    except AlreadyRunning as exc:
        response = jsonify({"success": False, "error": str(exc), "status": "already running", "job_id": exc.job_id,
                            "details": [{"field": "doc_type", "message": "a retrain of this type is under way"}]})
        return response, 409
    return jsonify({"success": True, "message": f"{doc_type.label} retraining started", "status": "processing",
                    "job_id": job_id}), 202


@admin.get("/retraining/jobs/<job_id>")
@require_admin
def job_status(job_id: str):
    job = runner().jobs.get(job_id)
    if job is None:
        raise ApiError(404, "No retraining job with that id", [FieldError("job_id", "not found")])
    return jsonify(job)


@admin.get("/retraining/status")
@require_admin
def retraining_status():
    primary = current_app.extensions["retraining_config"].global_settings.primary_metric
    svc = services()
    history = {name: _tracker(name).get_performance_summary(d.store.active_version(), primary)
               for name, d in svc.detectors.items()}
    running = {name: runner().jobs.active_job(name) for name in svc.detectors}
    from scheduler.document_retraining_scheduler import get_scheduler_status

    scheduler = get_scheduler_status()
    return jsonify({"scheduler": scheduler, "running_jobs": running, "performance_history": history})


def _owner_of(version: str, doc_type: str) -> str | None:
    """Another type whose model directory holds `version`, for a clear refusal."""
    for name, detector in services().detectors.items():
        if name != doc_type and detector.store.manifest_path(version).exists():
            return name
    return None


@admin.post("/<doctype:doc_type>/rollback")
@require_admin
def rollback(doc_type: DocumentType):
    # Decide by the bytes, not by Content-Length: a chunked body has none, and was taken for "no body",
    # which rolled back to the previous version instead of the named one.
    body = read_json_body() if request.get_data(cache=True).strip() else {}
    if not isinstance(body, dict) or set(body) - {"version"}:
        raise ApiError(400, "Body must be {\"version\": optional}", [FieldError("body", "only 'version' is accepted")])
    detector = services().detectors[doc_type.name]
    store: ModelStore = detector.store
    tracker = _tracker(doc_type.name)
    with store.lock():
        current = store.active_version()
        target = body.get("version")
        if target is None:
            target = tracker.previous_active(current) or next(
                (info.version for info in store.list_versions() if info.valid and current and info.version < current), None)
            if target is None:
                raise ApiError(409, "No previous version to roll back to", [FieldError("version", "none before the active one")])
        try:
            validate_version_id(target)
        except VersionNotFound as exc:  # the client's text goes in the details only, never in the logged message
            raise ApiError(400, "Not a version id", [FieldError("version", str(exc))]) from None
        if not store.manifest_path(target).exists():
            owner = _owner_of(target, doc_type.name)
            message = f"Version {target} belongs to {owner}, not {doc_type.name}" if owner else f"No {doc_type.name} version {target}"
            raise ApiError(400 if owner else 404, message, [FieldError("version", message)])
        try:
            detector.load_version(target)  # checksums, feature list and canary, as serving will load it
            store.activate(target)
        except ModelStoreError as exc:
            raise ApiError(409, f"Version {target} cannot be activated: {exc}", [FieldError("version", str(exc))]) from None
        store.update_manifest(target, status="active", status_reason="rollback")
    tracker.record_event("rollback", target, current, "admin rollback")
    log.info("%s rolled back from %s to %s", doc_type.name, current, target)
    return jsonify({"success": True, "doc_type": doc_type.name, "active_version": target, "previous_version": current})
