"""Service routes: liveness, readiness and the OpenAPI document."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from .openapi import build_openapi
from .services import services

meta = Blueprint("meta", __name__)
API_VERSION = "1.0.0"


@meta.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@meta.get("/readyz")
def readyz():
    svc = services()
    loaded = {name: d.model_version for name, d in svc.detectors.items()}
    database = svc.store.ping()
    ready = all(loaded.values()) and database
    return jsonify({"status": "ready" if ready else "not ready", "models": loaded, "database": database}), (
        200 if ready else 503)


@meta.get("/openapi.json")
def openapi():
    cache = current_app.extensions.setdefault("openapi_document", {})
    if "doc" not in cache:
        cache["doc"] = build_openapi(services().types.values(), API_VERSION)
    return jsonify(cache["doc"])
