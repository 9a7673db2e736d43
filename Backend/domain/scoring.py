"""From a risk score to what a reviewer sees: level, recommendation, confidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.features import Reason

APPROVE, ESCALATE, REJECT = "APPROVE", "ESCALATE", "REJECT"
LOW, MEDIUM, HIGH = "LOW", "MEDIUM", "HIGH"


@dataclass(frozen=True)
class RiskThresholds:
    """LOW < `medium` <= MEDIUM < `high` <= HIGH, on the 0-100 risk scale: the ESCALATE and REJECT
    thresholds in force (the recommendation itself is the decision policy's)."""

    medium: float = 30.0
    high: float = 70.0

    def __post_init__(self) -> None:
        if not 0 < self.medium < self.high <= 100:
            raise ValueError(f"Risk thresholds must satisfy 0 < medium < high <= 100, got {self.medium}, {self.high}")

    def level(self, score: float) -> str:
        if score >= self.high:
            return HIGH
        return MEDIUM if score >= self.medium else LOW

    def confidence(self, score: float, model_scores: list[float]) -> float:
        """How sure the ensemble is, 0..1: its models agree and the score is far from a threshold.

        Agreement is 1 minus the spread of the model scores over 100; the margin is the
        distance to the nearest threshold over 20 points, capped at 1. Confidence is
        agreement times (0.5 + margin / 2), so a score on a threshold is at most 0.5.
        """
        spread = (max(model_scores) - min(model_scores)) / 100.0 if model_scores else 1.0
        margin = min(abs(score - self.medium), abs(score - self.high)) / 20.0
        return round(max(0.0, 1.0 - spread) * (0.5 + 0.5 * min(margin, 1.0)), 4)


@dataclass
class ScoringResult:
    """The outcome of scoring one document with one model version."""

    risk_score: float
    risk_level: str
    recommendation: str
    confidence_score: float
    model_version: str
    model_scores: dict[str, float]
    reasons: list[Reason]
    top_features: list[dict[str, Any]]
    features: dict[str, float] = field(repr=False)
    anomaly: dict[str, Any] | None = None
    decision: dict[str, Any] | None = None  # the rule and the thresholds that decided (domain.policy)

    def as_dict(self) -> dict[str, Any]:
        return {
            "risk_score": self.risk_score,
            "risk_level": self.risk_level,
            "recommendation": self.recommendation,
            "confidence_score": self.confidence_score,
            "model_version": self.model_version,
            "model_scores": self.model_scores,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "top_features": self.top_features,
            "anomaly": self.anomaly,
            "decision": self.decision,
        }
