"""Reading the API's answers: error bodies, and which fields of a type take text or amounts."""

from __future__ import annotations

from domain import parsing

TEXT_PARSERS = {parsing.parse_text, parsing.parse_digits, parsing.parse_identifier}


def error_fields(response) -> set[str]:
    """The fields an error response names; asserts the error body's shape."""
    assert response.is_json, response.data[:200]
    body = response.json
    assert set(body) == {"error", "details", "request_id"}
    return {d["field"] for d in body["details"]}


def fields_parsed_by(model, parsers) -> list[str]:
    return [
        name
        for name, info in model.model_fields.items()
        if any(getattr(meta, "func", None) in parsers for meta in info.metadata)
    ]


def text_fields(doc_type) -> list[str]:
    """The type's fields read as text (names, identifiers, digits), in schema order."""
    return fields_parsed_by(doc_type.schema, TEXT_PARSERS)


def amount_fields(doc_type) -> list[str]:
    return fields_parsed_by(doc_type.schema, {parsing.parse_amount})
