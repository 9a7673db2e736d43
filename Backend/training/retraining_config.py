"""The retraining configuration (retraining_config.json): loaded once and validated whole.

A broken or incomplete file fails at start-up with one error naming the key, never in the
middle of a run. Keys are documented on the models below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.records import LabelQuery
from training.anomaly_fitting import ANOMALY_KINDS, DEFAULT_ANOMALY_KIND, AnomalySettings
from training.metrics import HIGHER_IS_BETTER

DEFAULT_PATH = Path(__file__).resolve().parent / "retraining_config.json"
DOCUMENT_TYPE_NAMES = ("paystub", "check", "money_order", "bank_statement")


class RetrainingConfigError(ValueError):
    pass


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GlobalSettings(_Section):
    scheduled_retraining_enabled: bool
    schedule_day_of_week: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    schedule_hour: int = Field(ge=0, le=23)
    schedule_minute: int = Field(ge=0, le=59)
    schedule_timezone: str = "UTC"
    misfire_grace_time_seconds: int = Field(default=3600, ge=1, description="a missed weekly run still runs this late")
    trigger_check_interval_minutes: float = Field(
        default=60, gt=0, description="how often the data/flag-rate triggers are checked"
    )
    keep_versions: int = Field(default=5, ge=2)
    max_performance_drop: float = Field(ge=0, description="how much worse (in the primary metric) a candidate may be")
    min_improvement: float = Field(
        default=0.001,
        ge=0,
        description="how much better (in the primary metric) a candidate must be to replace the active version",
    )
    primary_metric: str
    label_risk_targets: dict[Literal["APPROVE", "REJECT"], float] = {"APPROVE": 15.0, "REJECT": 85.0}
    max_real_samples: int = Field(default=50000, ge=1)
    holdout_fraction: float = Field(default=0.2, gt=0, lt=0.5)
    evaluation_synthetic_samples: int = Field(default=1000, ge=100)
    evaluation_seed: int = 20240601
    random_state: int = 42
    anomaly_threshold_percentile: float = Field(
        default=95.0, ge=50, lt=100, description="genuine training scores above this percentile count as anomalous"
    )

    @field_validator("schedule_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("primary_metric")
    @classmethod
    def _metric(cls, value: str) -> str:
        if value not in HIGHER_IS_BETTER:
            raise ValueError(f"must be one of {', '.join(HIGHER_IS_BETTER)}")
        return value

    @field_validator("label_risk_targets")
    @classmethod
    def _targets(cls, value: dict) -> dict:
        if set(value) != {"APPROVE", "REJECT"} or not 0 <= value["APPROVE"] < value["REJECT"] <= 100:
            raise ValueError("needs APPROVE and REJECT with 0 <= APPROVE < REJECT <= 100")
        return value


class DataQuality(_Section):
    """Which stored analyses become training labels.

    Reviewer decisions always do. The model's own recommendations do only with
    `use_model_labels`, and then only a REJECT backed by a hard reason or a calibrated risk
    score of at least `model_label_min_reject_score`, or an APPROVE scored at most
    `model_label_max_approve_score`, confident enough, weighted `model_label_weight` times a
    reviewer's label: a model trained on its own mistakes only learns them better.
    """

    min_confidence_score: float = Field(ge=0, le=1)
    require_high_confidence_only: bool
    confidence_score_field: str = "confidence_score"
    use_model_labels: bool = False
    model_label_weight: float = Field(default=0.3, gt=0, le=1)
    model_label_min_reject_score: float = Field(default=97.0, ge=50, le=100)
    model_label_max_approve_score: float = Field(default=3.0, ge=0, le=50)

    def label_query(self, since=None, limit: int | None = None) -> LabelQuery:
        """The document-store query for training labels under these data-quality rules."""
        return LabelQuery(
            include_model_labels=self.use_model_labels,
            min_confidence=self.min_confidence_score if self.require_high_confidence_only else None,
            since=since,
            limit=limit,
            confidence_field=self.confidence_score_field,
        )

    def model_label_counts(self, record) -> bool:
        """Whether the model's own recommendation on a stored analysis (no reviewer decision) is a label."""
        if record.ai_recommendation == "REJECT":
            hard = any(reason.get("severity") == "hard" for reason in record.reasons)
            return hard or record.risk_score >= self.model_label_min_reject_score
        return record.ai_recommendation == "APPROVE" and record.risk_score <= self.model_label_max_approve_score


class DocumentTypeSettings(_Section):
    enabled: bool
    min_samples_for_training: int = Field(ge=20)
    min_real_samples_for_hybrid: int = Field(ge=1)
    min_real_samples_for_real_only: int = Field(ge=1)
    synthetic_samples: int = Field(ge=100)
    real_data_weight: float = Field(gt=0)
    auto_train_threshold: int = Field(
        default=100, ge=1, description="new labels since the active version that trigger a retrain"
    )
    retrain_interval_hours: float = Field(default=24, ge=0, description="least time between two triggered runs")
    performance_window_days: float = Field(default=7, gt=0, description="window of the REJECT-rate trigger")
    reject_rate_band: tuple[float, float] = Field(
        default=(0.05, 0.30), description="REJECT share outside this retrains"
    )
    min_documents_for_flag_rate: int = Field(
        default=50, ge=1, description="fewer analyses in the window: no rate trigger"
    )
    anomaly_detector: str = Field(
        default=DEFAULT_ANOMALY_KIND, description="anomaly detector kind trained with each version"
    )
    identifying_columns: tuple[str, ...] = Field(
        default=(), description="columns a batch upload of this type must have; without them it is the wrong file"
    )

    @field_validator("anomaly_detector")
    @classmethod
    def _anomaly_kind(cls, value: str) -> str:
        if value not in ANOMALY_KINDS:
            raise ValueError(f"must be one of {', '.join(ANOMALY_KINDS)}")
        return value

    @model_validator(mode="after")
    def _bands(self) -> DocumentTypeSettings:
        if self.min_real_samples_for_real_only <= self.min_real_samples_for_hybrid:
            raise ValueError("min_real_samples_for_real_only must be above min_real_samples_for_hybrid")
        low, high = self.reject_rate_band
        if not 0 <= low < high <= 1:
            raise ValueError("reject_rate_band must be [low, high] with 0 <= low < high <= 1")
        return self


class RetrainingConfig(_Section):
    global_settings: GlobalSettings
    data_quality: DataQuality
    document_types: dict[str, DocumentTypeSettings]

    @field_validator("document_types")
    @classmethod
    def _all_types(cls, value: dict) -> dict:
        missing = [name for name in DOCUMENT_TYPE_NAMES if name not in value]
        unknown = [name for name in value if name not in DOCUMENT_TYPE_NAMES]
        if missing or unknown:
            raise ValueError(f"missing types: {missing or 'none'}; unknown types: {unknown or 'none'}")
        return value

    def for_type(self, doc_type: str) -> DocumentTypeSettings:
        return self.document_types[doc_type]

    def anomaly_settings(self, doc_type: str) -> AnomalySettings:
        return AnomalySettings(
            self.for_type(doc_type).anomaly_detector, self.global_settings.anomaly_threshold_percentile
        )


def load_config(path: str | Path | None = None) -> RetrainingConfig:
    """Read and validate the configuration; RetrainingConfigError names the first bad key."""
    path = Path(path) if path else DEFAULT_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RetrainingConfigError(f"{path}: file not found") from None
    except ValueError as exc:
        raise RetrainingConfigError(f"{path}: not valid JSON ({exc})") from None
    try:
        return RetrainingConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise RetrainingConfigError(f"{path}: {key}: {first['msg']}{more}") from None
