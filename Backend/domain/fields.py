"""Validation of incoming documents: what is a client error and what is a fraud signal.

A missing or null field is a fraud signal (the feature extractor counts it), never an
error. A value that cannot be parsed, a wrong JSON type, a body that is not an object
or an empty object is a client error, reported with every bad field at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

MAX_UNKNOWN_FIELD_WARNINGS = 20


def _at_least_one_known_field(schema: dict[str, Any]) -> None:
    """JSON Schema of validate_document's rule: a body must name at least one of the type's fields."""
    schema["minProperties"] = 1
    schema["anyOf"] = [{"required": [name]} for name in schema.get("properties", {})]


class DocumentFields(BaseModel):
    """Base of every document type's input model. Unknown keys are ignored (and warned about)."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra=_at_least_one_known_field)

    #: fields whose absence makes a document suspicious; each gets a presence feature
    key_fields: ClassVar[tuple[str, ...]] = ()


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class DocumentValidationError(ValueError):
    """A client sent something that is not a readable document; carries every bad field."""

    def __init__(self, message: str, details: list[FieldError], status: int = 400):
        super().__init__(message)
        self.message = message
        self.details = details
        self.status = status


@dataclass
class ParsedDocument:
    fields: DocumentFields
    warnings: list[str] = field(default_factory=list)
    raw_fields: dict[str, Any] = field(default_factory=dict)  # the body's known fields, as sent


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def validate_document(schema: type[DocumentFields], body: Any) -> ParsedDocument:
    """Validate a decoded JSON body against a document schema.

    Returns the parsed fields and warnings naming any ignored unknown fields; raises
    DocumentValidationError naming every bad field.
    """
    if not isinstance(body, dict):
        raise DocumentValidationError(
            "Request body must be a JSON object",
            [FieldError("body", f"expected a JSON object, got {type(body).__name__ if body is not None else 'null'}")],
        )
    known = schema.model_fields
    if not any(name in known for name in body):
        raise DocumentValidationError(
            "Document has none of the expected fields",
            [FieldError("body", "expected at least one of: " + ", ".join(known))],
        )
    try:
        parsed = schema.model_validate(body)
    except ValidationError as exc:
        details = [
            FieldError(_field_path(err["loc"]), err["msg"].removeprefix("Value error, ")) for err in exc.errors()
        ]
        raise DocumentValidationError("Invalid document fields", details) from None
    raw_fields = {name: value for name, value in body.items() if name in known}
    unknown = sorted(str(name) for name in body if name not in known) if len(raw_fields) < len(body) else []
    warnings = [f"Unknown field ignored: {name[:60]}" for name in unknown[:MAX_UNKNOWN_FIELD_WARNINGS]]
    if len(unknown) > MAX_UNKNOWN_FIELD_WARNINGS:
        # One warning each would let a 1 MB body of short keys store (and list) megabytes of warnings.
        warnings.append(f"{len(unknown) - MAX_UNKNOWN_FIELD_WARNINGS} more unknown fields ignored")
    return ParsedDocument(parsed, warnings, raw_fields)
