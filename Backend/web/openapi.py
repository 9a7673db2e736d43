"""The OpenAPI 3.1 document, generated from the same pydantic models that validate requests.

Routes are listed per document type (e.g. /api/paystubs/analyze with the paystub
schema), since that is what a client calls; a test checks this document against
Flask's URL map so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel

from domain.document_type import DocumentType
from web import schemas as m

ERRORS = {
    "400": "Invalid input",
    "401": "Missing or wrong admin token",
    "404": "Not found",
    "409": "Conflict",
    "413": "Body too large",
    "415": "Not JSON",
    "503": "Unavailable (or admin API not enabled)",
}
ADMIN = [{"adminToken": []}]


class _Components:
    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], mode: Literal["validation", "serialization"] = "serialization") -> dict:
        schema = model.model_json_schema(mode=mode, ref_template="#/components/schemas/{model}")
        for name, definition in [*schema.pop("$defs", {}).items(), (model.__name__, schema)]:
            if self.schemas.setdefault(name, definition) != definition:
                raise ValueError(f"Two different schemas are both named {name!r}; rename one model")
        return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _responses(c: _Components, ok: type[BaseModel], *errors: str, ok_code: str = "200") -> dict:
    out = {ok_code: {"description": "OK", **_json(c.ref(ok))}}
    for code in errors:
        out[code] = {"description": ERRORS[code], **_json(c.ref(m.ErrorResponse))}
    return out


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(mode="validation")
    return [
        {"name": name, "in": "query", "required": False, "schema": prop} for name, prop in schema["properties"].items()
    ]


def _path_parameter(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


def build_openapi(types: Iterable[DocumentType], version: str) -> dict[str, Any]:
    c = _Components()
    paths: dict[str, Any] = {}
    doc_id = _path_parameter("document_id", "The id returned by analyze")
    for t in types:
        tag = [t.label]
        base = f"/api/{t.slug}"
        paths[f"{base}/analyze"] = {
            "post": {
                "tags": tag,
                "summary": f"Score a {t.label.lower()} for fraud",
                "operationId": f"analyze_{t.name}",
                "requestBody": {"required": True, **_json(c.ref(t.schema, "validation"))},
                "responses": _responses(c, m.AnalysisResponse, "400", "413", "415", "503"),
            }
        }
        paths[f"{base}/analyze-batch"] = {
            "post": {
                "tags": tag,
                "summary": f"Score a spreadsheet (CSV or XLSX) or a JSON array of {t.label.lower()}s",
                "operationId": f"analyze_batch_{t.name}",
                "description": (
                    "Columns are the type's field names. Unknown columns, or a missing identifying column, "
                    "answer 400 before anything is scored; an unreadable row is reported in its place. "
                    "`store=true` stores the analyses (query parameter or form field)."
                ),
                "parameters": [
                    {"name": "store", "in": "query", "required": False, "schema": {"type": "boolean", "default": False}}
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {"schema": c.ref(m.BatchUpload, "validation")},
                        "text/csv": {"schema": {"type": "string"}},
                        "application/json": {"schema": {"type": "array", "items": c.ref(t.schema, "validation")}},
                    },
                },
                "responses": _responses(c, m.BatchResponse, "400", "413", "415", "503"),
            }
        }
        paths[base] = {
            "get": {
                "tags": tag,
                "summary": f"Stored {t.label.lower()} analyses, newest first (the review queue)",
                "operationId": f"list_{t.name}",
                "parameters": _query_parameters(m.ListParams),
                "responses": _responses(c, m.AnalysisList, "400", "503"),
            }
        }
        paths[f"{base}/models"] = {
            "get": {
                "tags": tag,
                "summary": "Model versions on disk, which is active and serving, their metrics",
                "operationId": f"models_{t.name}",
                "responses": _responses(c, m.ModelsResponse),
            }
        }
        paths[f"{base}/retrain-model"] = {
            "post": {
                "tags": ["Admin"],
                "summary": f"Start retraining the {t.label.lower()} models in the background",
                "operationId": f"retrain_{t.name}",
                "security": ADMIN,
                "responses": {
                    "202": {"description": "Started", **_json(c.ref(m.RetrainAccepted))},
                    "409": {"description": "Already retraining", **_json(c.ref(m.RetrainConflict))},
                    **{k: v for k, v in _responses(c, m.RetrainAccepted, "401", "503").items() if k != "200"},
                },
            }
        }
        paths[f"{base}/rollback"] = {
            "post": {
                "tags": ["Admin"],
                "summary": "Activate a named version, or the previous one",
                "operationId": f"rollback_{t.name}",
                "security": ADMIN,
                "requestBody": {"required": False, **_json(c.ref(m.RollbackRequest, "validation"))},
                "responses": _responses(c, m.RollbackResponse, "400", "401", "404", "409", "415", "503"),
            }
        }
        paths[f"{base}/{{document_id}}"] = {
            "get": {
                "tags": tag,
                "summary": "One stored analysis",
                "operationId": f"get_{t.name}",
                "parameters": [doc_id],
                "responses": _responses(c, m.StoredAnalysis, "404", "503"),
            }
        }
        paths[f"{base}/{{document_id}}/review"] = {
            "post": {
                "tags": tag,
                "summary": "Record a reviewer's decision (becomes a training label)",
                "operationId": f"review_{t.name}",
                "parameters": [doc_id],
                "requestBody": {"required": True, **_json(c.ref(m.ReviewRequest, "validation"))},
                "responses": _responses(c, m.ReviewResponse, "400", "404", "413", "415", "503"),
            }
        }
    paths["/api/retraining/jobs/{job_id}"] = {
        "get": {
            "tags": ["Admin"],
            "summary": "A retraining job: state, stage, result",
            "operationId": "retraining_job",
            "security": ADMIN,
            "parameters": [_path_parameter("job_id", "The id returned by retrain-model")],
            "responses": _responses(c, m.JobResponse, "401", "404", "503"),
        }
    }
    paths["/api/retraining/status"] = {
        "get": {
            "tags": ["Admin"],
            "summary": "Scheduler status, running jobs and performance history of every type",
            "operationId": "retraining_status",
            "security": ADMIN,
            "responses": _responses(c, m.RetrainingStatus, "401", "503"),
        }
    }
    paths["/healthz"] = {
        "get": {
            "tags": ["Service"],
            "summary": "Liveness",
            "operationId": "healthz",
            "responses": _responses(c, m.HealthResponse),
        }
    }
    paths["/readyz"] = {
        "get": {
            "tags": ["Service"],
            "summary": "Readiness: every type has a loaded model",
            "operationId": "readyz",
            "responses": {
                "200": {"description": "Ready", **_json(c.ref(m.ReadinessResponse))},
                "503": {"description": "Not ready", **_json(c.ref(m.ReadinessResponse))},
            },
        }
    }
    paths["/openapi.json"] = {
        "get": {
            "tags": ["Service"],
            "summary": "This document",
            "operationId": "openapi",
            "responses": {"200": {"description": "OpenAPI document", **_json({"type": "object"})}},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Document fraud detection API",
            "version": version,
            "description": "Scores paystubs, checks, money orders and bank statements for fraud.",
        },
        "paths": paths,
        "components": {
            "schemas": c.schemas,
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer", "description": "ADMIN_API_TOKEN"}},
        },
    }
