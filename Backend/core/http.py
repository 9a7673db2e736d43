"""HTTP plumbing shared by every blueprint: request ids, JSON bodies, JSON errors.

Whatever a client sends gets a JSON answer: 4xx with `error`, `details` (one entry per
bad field) and the request id for anything that is the client's doing, never a 500.
"""
from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from .schemas import DocumentValidationError, FieldError

log = logging.getLogger(__name__)

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_JSON_DEPTH = 32


class ApiError(Exception):
    """An error answered as JSON with `status`."""

    def __init__(self, status: int, message: str, details: list[FieldError] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []


def request_id() -> str:
    return getattr(g, "request_id", "-") if has_request_context() else "-"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record, so a log line can be matched to a response."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


def error_response(status: int, message: str, details: list[FieldError] | None = None) -> Response:
    response = jsonify({
        "error": message,
        "details": [d.as_dict() for d in details or []],
        "request_id": request_id(),
    })
    response.status_code = status
    return response


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a valid JSON number")


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of decoded JSON, stopping early past `limit`."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def read_json_body() -> Any:
    """The decoded JSON body; ApiError 415 for another content type, 400 for malformed JSON.

    NaN and Infinity are refused (they are not JSON), as are bodies nested deeper than
    MAX_JSON_DEPTH. A body over MAX_CONTENT_LENGTH is refused by Flask with 413 before
    it is read.
    """
    if not request.is_json:
        raise ApiError(415, "Request body must be JSON",
                       [FieldError("Content-Type", "expected application/json")])
    raw = request.get_data(cache=False)
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise ApiError(400, "Request body is nested too deeply", [FieldError("body", "too deeply nested")]) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "Request body is not valid JSON", [FieldError("body", str(exc)[:200])]) from None
    if _depth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ApiError(400, "Request body is nested too deeply",
                       [FieldError("body", f"nesting deeper than {MAX_JSON_DEPTH} levels")])
    return body


def validate_model(model: type[BaseModel], data: Any, what: str) -> BaseModel:
    """Validate `data` against a request model; ApiError 400 naming every bad field."""
    if not isinstance(data, dict):
        raise ApiError(400, f"{what} must be a JSON object", [FieldError("body", "expected a JSON object")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = [FieldError(".".join(str(p) for p in err["loc"]) or "body", err["msg"]) for err in exc.errors()]
        raise ApiError(400, f"Invalid {what}", details) from None


def install(app: Flask) -> None:
    """Request ids and JSON error handlers on `app`."""

    @app.before_request
    def _assign_request_id() -> None:
        supplied = request.headers.get("X-Request-ID", "")
        g.request_id = supplied if _REQUEST_ID_OK.match(supplied) else uuid.uuid4().hex[:16]

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = request_id()
        return response

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.message, exc.details)

    @app.errorhandler(DocumentValidationError)
    def _document_error(exc: DocumentValidationError):
        return error_response(exc.status, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        field = "body" if exc.code == 413 else "request"
        return error_response(exc.code or 500, exc.name, [FieldError(field, exc.description or exc.name)])

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("Unhandled error (%s)", type(exc).__name__)
        return error_response(500, "Internal error; quote the request id when reporting it")
