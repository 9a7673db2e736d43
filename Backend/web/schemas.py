"""Request and response models of the HTTP API; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

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
    severity: Literal["hard", "soft", "info"] = Field(
        default="soft",
        description="hard: a genuine document cannot show it; soft: unusual but seen on genuine documents; "
        "info: context (docs/decisions.md)",
    )
    message: str
    fields: list[str] = Field(default=[], description="the document fields the rule read")
    expected: str | float | None = Field(
        default=None, description="what a genuine document would show, where there is a value"
    )
    actual: str | float | None = Field(default=None, description="what this document shows")


class TopFeature(_Strict):
    feature: str
    value: float
    typical_value: float = Field(description="mean over the genuine training documents")
    direction: Literal["higher", "lower"] = Field(description="value compared with typical_value")
    contribution: float = Field(
        description="model score minus the score with this feature at its typical value (risk points): "
        "positive pushes towards fraud, negative towards genuine"
    )
    towards: Literal["fraud", "genuine"] | None = Field(default=None, description="null on analyses stored before")


class DecisionOut(_Strict):
    rule: str = Field(description="the rule of the decision policy that gave the recommendation")
    escalate_threshold: float
    reject_threshold: float
    thresholds_from: str = Field(
        description="policy (fixed in the policy file), version targets (chosen from the version's holdout "
        "by the policy's target rates) or policy minimum"
    )
    model_score: float = Field(description="the ensemble's score before calibration")


class AnomalousFeature(_Strict):
    feature_name: str
    actual_value: float
    typical_range: list[float] = Field(
        min_length=2, max_length=2, description="[low, high] of genuine training documents"
    )
    share: float = Field(ge=0, le=1, description="this feature's part of the anomaly")
    reconstruction_error: float | None = Field(description="squared error of this feature (autoencoder only)")


class AnomalyOut(_Strict):
    score: float = Field(description="higher is more unusual; compare with threshold")
    is_anomalous: bool
    threshold: float = Field(description="the configured percentile of genuine training documents' scores")
    detector: str
    top_features: list[AnomalousFeature]


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
    anomaly: AnomalyOut | None = Field(description="null for model versions without an anomaly detector")
    decision: DecisionOut
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
    anomaly: AnomalyOut | None
    batch_id: str | None
    reviewer_decision: Decision | None
    reviewer: str | None
    review_notes: str | None
    reviewed_at: datetime | None


class AnalysisList(_Strict):
    items: list[StoredAnalysis]
    count: int
    next_before: datetime | None = Field(description="Pass as `before` to get the next page; null on the last page")


class ReviewRequest(_Strict):
    decision: Decision
    reviewer: StrictStr = Field(min_length=1, max_length=200)
    notes: StrictStr | None = Field(default=None, max_length=2000)


class ReviewResponse(StoredAnalysis):
    training_status: Literal["retrain queued", "no training needed"]


class ListParams(_Strict):
    recommendation: Recommendation | None = None
    reviewed: bool | None = None
    before: datetime | None = None
    limit: int = Field(default=50, ge=1, le=500)


class ModelVersionOut(_Strict):
    version: str
    valid: bool
    active: bool
    status: str = Field(description="ready, active, rejected (refused at retraining) or failed_verification")
    status_reason: str | None
    error: str | None
    created_at: str | None
    metrics: dict[str, Any] | None
    training_data: dict[str, Any] | None
    training_seconds: float | None
    calibration: dict[str, Any] | None = Field(description="how raw scores map to fraud probabilities")
    thresholds: dict[str, Any] | None = Field(
        description="targets, the thresholds they chose, and the threshold table of the version's holdout"
    )


class ThresholdsInForce(_Strict):
    escalate: float
    reject: float


class ModelsResponse(_Strict):
    document_type: str
    active_version: str | None
    loaded_version: str | None
    loaded_at: str | None
    last_load_error: dict[str, Any] | None
    thresholds: ThresholdsInForce | None = Field(description="the thresholds the loaded version decides with")
    thresholds_from: str | None
    policy: dict[str, Any] = Field(description="this type's decision policy")
    versions: list[ModelVersionOut]


class HealthResponse(_Strict):
    status: str


class OutboxCounts(_Strict):
    pending: int = Field(ge=0, description="analyses kept in the local outbox, waiting for the document store")
    dead_letters: int = Field(
        ge=0,
        description="analyses the document store refused, set aside in the outbox file's "
        "dead_letter table until an operator retries them",
    )


class ReadinessResponse(_Strict):
    status: Literal["ready", "not ready"]
    models: dict[str, str | None]
    database: bool
    outbox: OutboxCounts | None = Field(description="not part of readiness; null when it cannot be read")


class RetrainAccepted(_Strict):
    success: bool
    message: str
    status: Literal["processing"]
    job_id: str


class RetrainConflict(_Strict):
    success: bool
    error: str
    status: Literal["already running"]
    job_id: str | None
    details: list[ErrorDetail]


class JobResponse(_Strict):
    job_id: str
    doc_type: str
    status: Literal["queued", "running", "succeeded", "failed"]
    stage: str | None
    trigger: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    host: str | None
    pid: int | None
    result: dict[str, Any] | None
    error: str | None


class RetrainingStatus(_Strict):
    scheduler: dict[str, Any]
    running_jobs: dict[str, JobResponse | None]
    performance_history: dict[str, dict[str, Any]]


class RollbackRequest(_Strict):
    version: str | None = Field(
        default=None,
        pattern=r"^[0-9]{8}_[0-9]{6}$",
        description="Version to activate (YYYYMMDD_HHMMSS); the previous one when omitted",
    )


class RollbackResponse(_Strict):
    success: bool
    doc_type: str
    active_version: str
    previous_version: str | None


class BatchRowOut(_Strict):
    row: int = Field(description="1 = the first document (in a spreadsheet, the row after the header)")
    status: Literal["scored", "error"]
    document_id: str | None = Field(default=None, description="set when the batch was stored")
    risk_score: float | None = None
    risk_level: RiskLevel | None = None
    recommendation: Recommendation | None = None
    confidence_score: float | None = None
    reasons: list[ReasonOut] = []
    anomaly: AnomalyOut | None = None
    decision: DecisionOut | None = None
    errors: list[ErrorDetail] = Field(default=[], description="why the row could not be scored, per field")


class WorstRow(_Strict):
    row: int
    risk_score: float
    recommendation: Recommendation
    is_anomalous: bool


class BatchSummary(_Strict):
    rows: int
    scored: int
    errors: int
    by_recommendation: dict[Recommendation, int]
    by_risk_level: dict[RiskLevel, int]
    anomalous: int
    anomalous_rows: list[int]
    error_rows: list[int]
    worst_rows: list[WorstRow] = Field(description="highest risk first, at most 20")


class BatchResponse(_Strict):
    batch_id: str
    document_type: str
    model_version: str
    stored: bool
    warnings: list[str]
    seconds: float
    summary: BatchSummary
    results: list[BatchRowOut] = Field(description="one per row, in the order of the file")


class BatchUpload(_Strict):
    file: bytes = Field(description="CSV (UTF-8) or XLSX; columns are the type's field names")
    store: bool | None = Field(default=False, description="store the analyses (they join the review queue)")
