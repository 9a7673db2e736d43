"""Service routes: liveness, readiness and the OpenAPI document."""

from __future__ import annotations

import logging
import sqlite3

from flask import Blueprint, current_app, jsonify

from web.context import services
from web.openapi import build_openapi

meta = Blueprint("meta", __name__)
API_VERSION = "1.0.0"
log = logging.getLogger(__name__)


def _outbox_counts(store) -> dict[str, int] | None:
    """Analyses waiting in the local outbox and records the store refused (dead letters); None without an outbox."""
    outbox = getattr(store, "outbox", None)
    if outbox is None:
        return None
    try:
        return outbox.counts()
    except sqlite3.Error as exc:  # the counts are information: readiness does not depend on them
        log.error("Could not read the outbox counts: %s", type(exc).__name__)
        return None


@meta.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@meta.get("/readyz")
def readyz():
    svc = services()
    loaded = {name: d.model_version for name, d in svc.detectors.items()}
    database = svc.store.ping()
    ready = all(loaded.values()) and database
    body = {
        "status": "ready" if ready else "not ready",
        "models": loaded,
        "database": database,
        "outbox": _outbox_counts(svc.store),
    }
    return jsonify(body), 200 if ready else 503


@meta.get("/openapi.json")
def openapi():
    cache = current_app.extensions.setdefault("openapi_document", {})
    if "doc" not in cache:
        cache["doc"] = build_openapi(services().types.values(), API_VERSION)
    return jsonify(cache["doc"])
