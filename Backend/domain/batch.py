"""Batch analysis: many documents of one type, from a spreadsheet or a JSON array, scored at once.

The whole batch is checked before anything is scored: columns that are not the type's
fields, or a missing identifying column, mean the wrong file or the wrong type (one
error naming them all). After that, a row that cannot be read is reported in place and
the others are scored, every one by the same model version, in one model call per chunk.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, get_args, get_origin

from domain.document_type import DocumentType
from domain.fields import DocumentValidationError, FieldError
from domain.records import AnalysisRecord, analysis_record
from domain.scoring import ScoringResult
from domain.spreadsheets import Sheet

WORST_ROWS = 20


class BatchRejected(DocumentValidationError):
    """The batch as a whole cannot be analysed (wrong columns, wrong type); nothing was scored."""


@dataclass
class RowOutcome:
    """One input row: scored (`result` set) or not readable (`errors` set)."""

    row: int
    fields: dict[str, Any]
    result: ScoringResult | None = None
    errors: list[FieldError] = field(default_factory=list)
    document_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        if self.result is None:
            return {"row": self.row, "status": "error", "errors": [e.as_dict() for e in self.errors]}
        r = self.result
        return {
            "row": self.row,
            "status": "scored",
            "document_id": self.document_id,
            "risk_score": r.risk_score,
            "risk_level": r.risk_level,
            "recommendation": r.recommendation,
            "confidence_score": r.confidence_score,
            "reasons": [reason.as_dict() for reason in r.reasons],
            "anomaly": r.anomaly,
            "decision": r.decision,
        }


@dataclass
class BatchResult:
    batch_id: str
    document_type: str
    model_version: str | None
    rows: list[RowOutcome]
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        scored = [o for o in self.rows if o.result is not None]
        anomalous = [o.row for o in scored if o.result.anomaly and o.result.anomaly["is_anomalous"]]
        worst = sorted(scored, key=lambda o: (-o.result.risk_score, -(o.result.anomaly or {}).get("score", 0.0)))
        return {
            "rows": len(self.rows),
            "scored": len(scored),
            "errors": len(self.rows) - len(scored),
            "by_recommendation": _counts((o.result.recommendation for o in scored), ("APPROVE", "ESCALATE", "REJECT")),
            "by_risk_level": _counts((o.result.risk_level for o in scored), ("LOW", "MEDIUM", "HIGH")),
            "anomalous": len(anomalous),
            "anomalous_rows": anomalous,
            "error_rows": [o.row for o in self.rows if o.result is None],
            "worst_rows": [
                {
                    "row": o.row,
                    "risk_score": o.result.risk_score,
                    "recommendation": o.result.recommendation,
                    "is_anomalous": bool(o.result.anomaly and o.result.anomaly["is_anomalous"]),
                }
                for o in worst[:WORST_ROWS]
            ],
        }

    def records(self, doc_type: DocumentType) -> list[AnalysisRecord]:
        """Stored form of the scored rows; assigns their document ids."""
        now = datetime.now(UTC)
        records = []
        for outcome in self.rows:
            if outcome.result is not None:
                record = analysis_record(doc_type.name, outcome.fields, outcome.result, now, batch_id=self.batch_id)
                outcome.document_id = record.document_id
                records.append(record)
        return records


def _counts(values: Iterable[str], keys: Sequence[str]) -> dict[str, int]:
    counted = Counter(values)
    return {key: counted.get(key, 0) for key in keys}


def normalise_column(name: str) -> str:
    """'Gross Pay' and 'gross-pay' as written by people, gross_pay as the API names it."""
    return re.sub(r"[\s\-]+", "_", name.strip()).lower()


def check_columns(doc_type: DocumentType, columns: Sequence[str], identifying: Sequence[str]) -> None:
    """BatchRejected naming every unknown and every missing identifying column, or None."""
    known = doc_type.schema.model_fields
    details = [
        FieldError(c or "(unnamed column)", f"unknown column: not a {doc_type.label.lower()} field")
        for c in columns
        if c not in known
    ]
    details += [
        FieldError(c, f"missing column: every {doc_type.label.lower()} file has it")
        for c in identifying
        if c not in columns
    ]
    duplicated = sorted({c for c in columns if columns.count(c) > 1 and c})
    details += [FieldError(c, "the column appears more than once") for c in duplicated]
    if details:
        raise BatchRejected(
            f"The columns do not fit a {doc_type.label.lower()} file: wrong file or wrong document type? "
            f"Expected columns among: {', '.join(known)}",
            details,
        )


def documents_from_sheet(doc_type: DocumentType, sheet: Sheet, identifying: Sequence[str]) -> list[tuple[int, Any]]:
    """(row number, document) pairs from a sheet whose columns fit the type; BatchRejected otherwise.

    Cells of list fields (a bank statement's transactions) hold JSON text; a row with more
    cells than the header has is passed on as an unreadable row.
    """
    columns = [normalise_column(c) for c in sheet.columns]
    # Unnamed columns with nothing in them are spreadsheet noise, not content.
    used = {i for row in sheet.rows for i, cell in enumerate(row) if cell is not None}
    keep = [i for i, c in enumerate(columns) if c or i in used]
    check_columns(doc_type, [columns[i] for i in keep], identifying)
    list_fields = _list_fields(doc_type)
    documents = []
    for number, row in zip(sheet.row_numbers, sheet.rows):
        extra = [cell for cell in row[len(columns) :] if cell is not None]
        if extra:
            documents.append((number, Unreadable([FieldError("row", f"{len(extra)} more values than columns")])))
            continue
        document = {columns[i]: row[i] if i < len(row) else None for i in keep}
        errors = []
        for name in list_fields & document.keys():
            if isinstance(document[name], str):
                try:
                    document[name] = json.loads(document[name])
                except ValueError:
                    errors.append(FieldError(name, "must be a JSON array in the cell"))
        documents.append((number, Unreadable(errors) if errors else document))
    return documents


def documents_from_json(doc_type: DocumentType, body: Any, identifying: Sequence[str]) -> list[tuple[int, Any]]:
    """(row number, document) pairs from a JSON array of documents; BatchRejected if not an array or wrong keys."""
    if not isinstance(body, list):
        raise BatchRejected("A JSON batch must be an array of documents", [FieldError("body", "expected a JSON array")])
    keys: list[str] = []
    for document in body:
        if isinstance(document, dict):
            keys.extend(k for k in document if k not in keys)
    check_columns(doc_type, keys, identifying)
    return list(enumerate(body, start=1))


@dataclass(frozen=True)
class Unreadable:
    errors: list[FieldError]


def _list_fields(doc_type: DocumentType) -> set[str]:
    def is_list(annotation: Any) -> bool:
        origin = get_origin(annotation)
        if origin is list:
            return True
        return origin is not None and any(is_list(arg) for arg in get_args(annotation))

    return {name for name, info in doc_type.schema.model_fields.items() if is_list(info.annotation)}
