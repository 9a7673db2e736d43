"""The request's view of the app: its services, and the URL converter for document type slugs."""

from __future__ import annotations

from flask import current_app
from werkzeug.routing import BaseConverter

from domain.document_type import DocumentType
from services.container import Services


def services() -> Services:
    return current_app.extensions["fraud_detection"]


def slug_converter(slugs: list[str]) -> type[BaseConverter]:
    """A URL converter matching only the registered slugs, so /api/<slug> never shadows other routes."""
    pattern = "|".join(sorted(slugs, key=len, reverse=True))

    class DocumentSlugConverter(BaseConverter):
        regex = f"(?:{pattern})"

        def to_python(self, value: str) -> DocumentType:
            return services().by_slug[value]

        def to_url(self, value) -> str:
            return value.slug if isinstance(value, DocumentType) else str(value)

    return DocumentSlugConverter
