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


# A genuine, complete paystub as the OCR step sends it (amounts and dates in several spellings).
PAYSTUB = {
    "company_name": "Northwind Traders",
    "company_address": "12 Main St, Springfield, IL",
    "employee_name": "Maria Garcia",
    "employee_id": "E123456",
    "pay_date": "2026-10-03",
    "pay_period_start": "09/16/2026",
    "pay_period_end": "09/30/2026",
    "gross_pay": "$3,210.55",
    "net_pay": 2345.26,
    "federal_tax": 385.27,
    "state_tax": 128.42,
    "social_security": 199.05,
    "medicare": 46.55,
    "other_deductions": 106.0,
    "ytd_gross": 57789.9,
    "ytd_net": 42214.68,
    "text_quality": 0.94,
}
