"""An analysis as it is stored and reviewed, and the queries that read analyses back.

Records carry the raw fields exactly as the client sent them, so a retrain can
re-extract features with the current extractor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from domain.scoring import ScoringResult

REVIEW_DECISIONS = ("APPROVE", "REJECT")
RECOMMENDATIONS = ("APPROVE", "ESCALATE", "REJECT")


@dataclass
class AnalysisRecord:
    document_id: str
    document_type: str
    created_at: datetime
    raw_fields: dict[str, Any]
    features: dict[str, float]
    risk_score: float
    risk_level: str
    ai_recommendation: str
    confidence_score: float
    model_version: str
    reasons: list[dict[str, str]] = field(default_factory=list)
    top_features: list[dict[str, Any]] = field(default_factory=list)
    model_scores: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    anomaly: dict[str, Any] | None = None  # the anomaly block; None for versions without an anomaly detector
    batch_id: str | None = None  # the batch upload this analysis came from, if any
    reviewer_decision: str | None = None
    reviewer: str | None = None
    review_notes: str | None = None
    reviewed_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        # Shallow on purpose: dataclasses.asdict deep-copies every nested value (a quarter of a request).
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["created_at"] = self.created_at.isoformat()
        data["reviewed_at"] = self.reviewed_at.isoformat() if self.reviewed_at else None
        return data

    @property
    def label(self) -> str | None:
        """The reviewer's decision if there is one, else the model's APPROVE/REJECT (never ESCALATE)."""
        if self.reviewer_decision in REVIEW_DECISIONS:
            return self.reviewer_decision
        return self.ai_recommendation if self.ai_recommendation in REVIEW_DECISIONS else None


@dataclass(frozen=True)
class ListQuery:
    recommendation: str | None = None
    reviewed: bool | None = None
    before: datetime | None = None  # keyset cursor: only records created strictly before this
    limit: int = 50


@dataclass(frozen=True)
class LabelQuery:
    """Which stored analyses count as training labels.

    Reviewer decisions always count. The model's own APPROVE/REJECT counts only with
    `include_model_labels`, and then only when `min_confidence` is None or its confidence
    reaches it (the retrainer filters those further: training.retraining_config.DataQuality).
    """

    include_model_labels: bool = False
    min_confidence: float | None = 0.8
    since: datetime | None = None  # only records created or reviewed at/after this
    limit: int | None = None  # newest first
    confidence_field: str = "confidence_score"  # the stored column the confidence filter reads


def analysis_record(
    document_type: str,
    raw_fields: dict[str, Any],
    result: ScoringResult,
    created_at: datetime,
    warnings: list[str] | None = None,
    batch_id: str | None = None,
) -> AnalysisRecord:
    """The stored form of one scored document, under a new document id."""
    return AnalysisRecord(
        document_id=uuid.uuid4().hex,
        document_type=document_type,
        created_at=created_at,
        raw_fields=raw_fields,
        features=result.features,
        risk_score=result.risk_score,
        risk_level=result.risk_level,
        ai_recommendation=result.recommendation,
        confidence_score=result.confidence_score,
        model_version=result.model_version,
        reasons=[reason.as_dict() for reason in result.reasons],
        top_features=result.top_features,
        model_scores=result.model_scores,
        warnings=warnings if warnings is not None else [],
        anomaly=result.anomaly,
        batch_id=batch_id,
    )
