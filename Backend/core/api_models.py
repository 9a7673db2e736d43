"""Request and response models of the HTTP API; the OpenAPI document is generated from them."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictStr

Decision = Literal["APPROVE", "REJECT"]
Recommendation = Literal["APPROVE", "ESCALATE", "REJECT"]
RiskLevel = Literal["LOW", "MEDIUM", "HIGH"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Strict):
    field: str
    message: str


class ErrorResponse(_Strict):
    error: str
    details: list[ErrorDetail] = []
    request_id: str


class ReasonOut(_Strict):
    code: str
    message: str


class TopFeature(_Strict):
    feature: str
    value: float
    typical_value: float
    direction: Literal["higher", "lower"]
    contribution: float


class AnalysisResponse(_Strict):
    document_id: str
    document_type: str
    risk_score: float = Field(ge=0, le=100)
    risk_level: RiskLevel
    recommendation: Recommendation
    confidence_score: float = Field(ge=0, le=1)
    model_version: str
    reasons: list[ReasonOut]
    top_features: list[TopFeature]
    model_scores: dict[str, float]
    warnings: list[str]
    stored: bool
    created_at: datetime


class StoredAnalysis(_Strict):
    document_id: str
    document_type: str
    created_at: datetime
    raw_fields: dict[str, Any]
    features: dict[str, float]
    risk_score: float
    risk_level: RiskLevel
    ai_recommendation: Recommendation
    confidence_score: float
    model_version: str
    reasons: list[ReasonOut]
    top_features: list[TopFeature]
    model_scores: dict[str, float]
    warnings: list[str]
    reviewer_decision: Optional[Decision]
    reviewer: Optional[str]
    review_notes: Optional[str]
    reviewed_at: Optional[datetime]


class AnalysisList(_Strict):
    items: list[StoredAnalysis]
    count: int
    next_before: Optional[datetime] = Field(description="Pass as `before` to get the next page; null on the last page")


class ReviewRequest(_Strict):
    decision: Decision
    reviewer: StrictStr = Field(min_length=1, max_length=200)
    notes: Optional[StrictStr] = Field(default=None, max_length=2000)


class ReviewResponse(StoredAnalysis):
    training_status: Literal["retrain queued", "no training needed"]


class ListParams(_Strict):
    recommendation: Optional[Recommendation] = None
    reviewed: Optional[bool] = None
    before: Optional[datetime] = None
    limit: int = Field(default=50, ge=1, le=500)


class ModelVersionOut(_Strict):
    version: str
    valid: bool
    active: bool
    status: str = Field(description="ready, active, rejected (refused at retraining) or failed_verification")
    status_reason: Optional[str]
    error: Optional[str]
    created_at: Optional[str]
    metrics: Optional[dict[str, Any]]
    training_data: Optional[dict[str, Any]]
    training_seconds: Optional[float]


class ModelsResponse(_Strict):
    document_type: str
    active_version: Optional[str]
    loaded_version: Optional[str]
    loaded_at: Optional[str]
    last_load_error: Optional[dict[str, Any]]
    versions: list[ModelVersionOut]


class HealthResponse(_Strict):
    status: str


class ReadinessResponse(_Strict):
    status: Literal["ready", "not ready"]
    models: dict[str, Optional[str]]
    database: bool


class RetrainAccepted(_Strict):
    success: bool
    message: str
    status: Literal["processing"]
    job_id: str


class RetrainConflict(_Strict):
    success: bool
    error: str
    status: Literal["already running"]
    job_id: Optional[str]
    details: list[ErrorDetail]


class JobResponse(_Strict):
    job_id: str
    doc_type: str
    status: Literal["queued", "running", "succeeded", "failed"]
    stage: Optional[str]
    trigger: str
    created_at: str
    started_at: Optional[str]
    finished_at: Optional[str]
    host: Optional[str]
    pid: Optional[int]
    result: Optional[dict[str, Any]]
    error: Optional[str]


class RetrainingStatus(_Strict):
    scheduler: dict[str, Any]
    running_jobs: dict[str, Optional[JobResponse]]
    performance_history: dict[str, dict[str, Any]]


class RollbackRequest(_Strict):
    version: Optional[str] = Field(default=None, description="Version to activate; the previous one when omitted")


class RollbackResponse(_Strict):
    success: bool
    doc_type: str
    active_version: str
    previous_version: Optional[str]
