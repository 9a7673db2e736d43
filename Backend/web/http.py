"""HTTP plumbing shared by every blueprint: request ids, JSON bodies, JSON errors.

Whatever a client sends gets a JSON answer: 4xx with `error`, `details` (one entry per
bad field) and the request id for anything that is the client's doing, never a 500.
"""

from __future__ import annotations

import json
import logging
import math
import re
import traceback
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from domain.fields import DocumentValidationError, FieldError
from models.detector import ModelNotLoaded
from services.analysis import NotFound
from store.document_store import StoreUnavailable

log = logging.getLogger(__name__)

_REQUEST_ID_OK = re.compile(r"[A-Za-z0-9._-]{1,64}")  # fullmatch: "$" would let a trailing newline through
MAX_JSON_DEPTH = 32
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ApiError(Exception):
    """An error answered as JSON with `status`."""

    def __init__(self, status: int, message: str, details: list[FieldError] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []


class BufferedResponse(Response):
    """A response that hands the WSGI server its body as one bytes object when it is already in memory.

    Werkzeug returns every body as an iterator; granian then passes it between Rust and
    Python chunk by chunk, which took about a sixth of a worker's time on one document
    (bench/). A body that is already bytes (every JSON answer) goes out as a one-item
    list, which servers send in one write; a streamed body is left to the server.
    """

    def __call__(self, environ: dict, start_response: Any) -> Any:
        app_iter = super().__call__(environ, start_response)
        if not self.is_sequence:
            return app_iter
        try:
            return [b"".join(app_iter)]
        finally:
            app_iter.close()  # runs the response's close callbacks, as the server would have


def request_id() -> str:
    return getattr(g, "request_id", "-") if has_request_context() else "-"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record, so a log line can be matched to a response."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


def _log_error(status: int, message: str, details: list[FieldError] | None) -> None:
    """One log line per error response, carrying its request id (the handler's format adds it).

    It names the route pattern, not the path, and the bad fields, not their values: a path or a
    value may hold a document's contents (names, account numbers).
    """
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    view_args = request.view_args or {}  # a converted argument (the document type) by its slug; ids stay out
    rule = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: getattr(view_args.get(m.group(1)), "slug", m.group(0)), rule)
    fields = ", ".join(printable(d.field, 40) for d in details or []) or "-"
    log.log(
        logging.WARNING if status >= 500 else logging.INFO,
        "%s %s answered %d: %s (fields: %s)",
        request.method,
        rule,
        status,
        printable(message, 200),
        fields,
    )


def error_response(status: int, message: str, details: list[FieldError] | None = None) -> Response:
    if has_request_context():
        _log_error(status, message, details)
    response = jsonify(
        {
            "error": message,
            "details": [d.as_dict() for d in details or []],
            "request_id": request_id(),
        }
    )
    response.status_code = status
    return response


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a valid JSON number")


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of decoded JSON, stopping early past `limit`; walks level by level, containers only."""
    level, depth = ([value] if type(value) is dict or type(value) is list else []), 0
    while level:
        depth += 1
        if depth > limit:
            return depth
        children = []
        for item in level:
            children += [
                c for c in (item.values() if type(item) is dict else item) if type(c) is dict or type(c) is list
            ]
        level = children
    return depth


def printable(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters, with NUL, unpaired surrogates and other non-printables escaped."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[:limit])


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored (PostgreSQL refuses NUL in text and JSON, and lone surrogates), or None."""
    match = _UNSTORABLE.search(text)
    if match is None:
        return None
    return (
        "contains a NUL character" if match.group() == "\x00" else "contains an unpaired surrogate (not valid unicode)"
    )


def _unreadable_values(body: Any, limit: int = 20) -> list[FieldError]:
    """Strings (keys too) that cannot be stored and numbers too large for a float (1e400), by path."""
    found: list[FieldError] = []
    stack: list[tuple[Any, str]] = [(body, "")]
    while stack and len(found) < limit:
        item, path = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{printable(key)}" if path else printable(key)
                if reason := unstorable(key):
                    found.append(FieldError(child_path, f"field name {reason}"))
                stack.append((child, child_path))
        elif isinstance(item, list):
            stack.extend((child, f"{path}.{i}" if path else str(i)) for i, child in enumerate(item))
        elif isinstance(item, str) and (reason := unstorable(item)):
            found.append(FieldError(path or "body", reason))
        elif isinstance(item, float) and not math.isfinite(item):
            found.append(FieldError(path or "body", "number is too large"))
    return sorted(found, key=lambda e: e.field)


def read_body() -> bytes:
    """The raw request body; RequestEntityTooLarge (413) over the request's max_content_length.

    Flask checks Content-Length up front, but a chunked body has none: werkzeug then stops
    reading at the limit and hands over the first max_content_length bytes as if they were
    the whole body. Read bodies through here, not request.get_data().
    """
    raw = request.get_data(cache=False)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        raise RequestEntityTooLarge()
    return raw


def read_json_body() -> Any:
    """The decoded JSON body; ApiError 415 for another content type, 400 for malformed JSON.

    NaN and Infinity are refused (they are not JSON), as are bodies nested deeper than
    MAX_JSON_DEPTH, numbers beyond a float's range (1e400) and strings no database can
    store (NUL, unpaired surrogates), each named by its path. A body over
    MAX_CONTENT_LENGTH is refused with 413: by Flask before it is read, or, sent chunked
    (no Content-Length), once the limit is read.
    """
    if not request.is_json:
        raise ApiError(415, "Request body must be JSON", [FieldError("Content-Type", "expected application/json")])
    raw = read_body()
    overflowed = []

    def parse_float(text: str) -> float:
        number = float(text)
        if not math.isfinite(number):
            overflowed.append(text)
        return number

    try:
        body = json.loads(raw, parse_constant=_reject_constant, parse_float=parse_float)
    except RecursionError:
        raise ApiError(400, "Request body is nested too deeply", [FieldError("body", "too deeply nested")]) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "Request body is not valid JSON", [FieldError("body", str(exc)[:200])]) from None
    # The walks below cost more than scoring a document; the raw bytes say when they cannot find anything.
    if raw.count(b"{") + raw.count(b"[") > MAX_JSON_DEPTH and _depth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ApiError(
            400,
            "Request body is nested too deeply",
            [FieldError("body", f"nesting deeper than {MAX_JSON_DEPTH} levels")],
        )
    # NUL and lone surrogates arrive as \u escapes, or raw as UTF-8 surrogate bytes (ED A0-BF, which json
    # lets through) or inside a UTF-16/32 body (full of zero bytes): without any of those there are none.
    suspicious = b"\\u" in raw or b"\xed" in raw or b"\x00" in raw
    if (overflowed or suspicious) and (bad := _unreadable_values(body)):
        raise ApiError(400, "Request body has values that cannot be read", bad)
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
        g.request_id = supplied if _REQUEST_ID_OK.fullmatch(supplied) else uuid.uuid4().hex[:16]

    @app.before_request
    def _refuse_unstorable_url_values() -> None:
        # A NUL in a path or query value reaches the database as a query parameter, which PostgreSQL refuses.
        values = [(name, value) for name, value in (request.view_args or {}).items() if isinstance(value, str)]
        if not values and not request.query_string:
            return
        values += [(name, name) for name in request.args] + list(request.args.items(multi=True))
        bad = {FieldError(printable(name), reason) for name, value in values if (reason := unstorable(value))}
        if bad:
            raise ApiError(400, "Request URL has values that cannot be read", sorted(bad, key=lambda e: e.field))

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

    @app.errorhandler(ModelNotLoaded)
    @app.errorhandler(StoreUnavailable)
    def _unavailable(exc: Exception):
        return error_response(503, str(exc))

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound):
        return error_response(404, str(exc), [FieldError(exc.field, "not found")])

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        field = "body" if exc.code == 413 else "request"
        return error_response(exc.code or 500, exc.name, [FieldError(field, exc.description or exc.name)])

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Where it failed, and the types along the exception chain, but not the exceptions' messages:
        # a driver's or a parser's message can quote the document (SQL parameters, field values).
        chain, seen = [], exc
        while seen is not None and len(chain) < 5:
            chain.append(type(seen).__name__)
            seen = seen.__cause__ or seen.__context__
        frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        log.error("Unhandled error (%s)\n%s", " <- ".join(chain), frames.rstrip())
        return error_response(500, "Internal error; quote the request id when reporting it")
