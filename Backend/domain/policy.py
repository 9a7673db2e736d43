"""The decision policy: from a calibrated fraud probability and the evidence to a recommendation.

A model score alone never rejects a document. The policy reads each reason's code and gives
it a severity:

- `hard`: a genuine document cannot show it (deductions that do not add up, a failing ABA
  checksum, written and numeric amounts that disagree, a date in the future...);
- `soft`: unusual but seen on genuine documents (an unknown issuer, a round amount, a missing
  field, an anomaly score). Every code the policy does not list is soft;
- `info`: context for the reviewer, never a reason to act.

Then, per document:

1. REJECT when there is a hard reason and either the probability is at or above the REJECT
   threshold or one of the hard reasons is `decisive` on its own. With
   `reject_on_probability_alone` (off by default) a probability at or above the REJECT
   threshold rejects without hard evidence.
2. Otherwise ESCALATE when there is a hard reason, when key fields are missing
   (INCOMPLETE_DOCUMENT: the reviewer asks the applicant for them), when the probability is at
   or above the ESCALATE threshold, or when the document is anomalous (and the
   ANOMALY_ESCALATES setting is on).
3. Otherwise APPROVE.

The policy lives in `decision_policy.json` (DECISION_POLICY_PATH), validated whole at start-up:
a `defaults` block and a block per document type that overrides it key by key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.features import HARD, INCOMPLETE_DOCUMENT, INFO, SOFT, Reason
from domain.scoring import APPROVE, ESCALATE, REJECT

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "decision_policy.json"


class PolicyError(ValueError):
    """The policy file is missing, unreadable or invalid; the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    """Calibrated risk scores (fraud probability x 100) from which a document is escalated or rejected."""

    escalate: float = Field(gt=0, lt=100)
    reject: float = Field(gt=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.escalate >= self.reject:
            raise ValueError(f"escalate ({self.escalate}) must be below reject ({self.reject})")
        return self


class TargetRates(_Strict):
    """Thresholds chosen per version from its holdout: the lowest score whose genuine share at or above it
    stays within these rates."""

    max_false_reject_rate: float = Field(default=0.01, gt=0, lt=1)
    max_escalate_rate: float = Field(default=0.10, gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> TargetRates:
        if self.max_false_reject_rate > self.max_escalate_rate:
            raise ValueError("max_false_reject_rate cannot exceed max_escalate_rate")
        return self


class TypePolicy(_Strict):
    """The policy of one document type (see the module docstring for how it decides)."""

    hard_reasons: frozenset[str] = frozenset()
    decisive_reasons: frozenset[str] = frozenset()
    info_reasons: frozenset[str] = frozenset()
    targets: TargetRates = TargetRates()
    min_thresholds: Thresholds = Thresholds(escalate=30.0, reject=70.0)
    thresholds: Thresholds | None = Field(
        default=None, description="fixed thresholds; unset, each version's target-chosen ones are used"
    )
    reject_on_probability_alone: bool = False
    fraud_prevalence: float = Field(default=0.05, gt=0, lt=1, description="for the precision in threshold tables")

    @model_validator(mode="after")
    def _consistent(self) -> TypePolicy:
        if not self.decisive_reasons <= self.hard_reasons:
            extra = sorted(self.decisive_reasons - self.hard_reasons)
            raise ValueError(f"decisive_reasons must also be hard_reasons: {extra}")
        if self.hard_reasons & self.info_reasons:
            raise ValueError(f"reasons both hard and info: {sorted(self.hard_reasons & self.info_reasons)}")
        if INCOMPLETE_DOCUMENT in self.hard_reasons:
            raise ValueError(f"{INCOMPLETE_DOCUMENT} cannot be hard: missing data asks for more data")
        return self

    def severity(self, code: str) -> str:
        if code in self.hard_reasons:
            return HARD
        return INFO if code in self.info_reasons else SOFT

    def thresholds_for(self, chosen: dict[str, float] | None) -> tuple[Thresholds, str]:
        """The thresholds in force and where they come from: the policy's fixed ones, the version's
        target-chosen ones (never below `min_thresholds`), or `min_thresholds` alone."""
        if self.thresholds is not None:
            return self.thresholds, "policy"
        if chosen:
            floor = self.min_thresholds
            escalate = max(floor.escalate, chosen["escalate"])
            reject = max(floor.reject, chosen["reject"], escalate + 1)
            return Thresholds(escalate=escalate, reject=min(reject, 100.0)), "version targets"
        return self.min_thresholds, "policy minimum"

    def decide(
        self, risk_score: float, reasons: list[Reason], anomalous: bool, thresholds: Thresholds
    ) -> tuple[str, list[Reason], str]:
        """(recommendation, `reasons` with their severity, the rule that decided) for one document.

        `anomalous`: the anomaly detector flagged it and anomalies are to be escalated.
        """
        graded = [r if (grade := self.severity(r.code)) == SOFT else replace(r, severity=grade) for r in reasons]
        hard_codes = [reason.code for reason in graded if reason.severity == HARD]
        if hard_codes:
            if risk_score >= thresholds.reject:
                return REJECT, graded, "hard evidence and a fraud probability at or above the REJECT threshold"
            decisive = [code for code in hard_codes if code in self.decisive_reasons]
            if decisive:
                return REJECT, graded, f"decisive evidence: {', '.join(decisive)}"
            return ESCALATE, graded, "hard evidence, fraud probability below the REJECT threshold"
        if risk_score >= thresholds.reject and self.reject_on_probability_alone:
            return REJECT, graded, "fraud probability at or above the REJECT threshold (policy allows it alone)"
        if any(reason.code == INCOMPLETE_DOCUMENT for reason in graded):
            return ESCALATE, graded, "key fields missing: ask the applicant for them"
        if risk_score >= thresholds.reject:
            return ESCALATE, graded, "fraud probability at or above the REJECT threshold, but no hard evidence"
        if risk_score >= thresholds.escalate:
            return ESCALATE, graded, "fraud probability at or above the ESCALATE threshold"
        if anomalous:
            return ESCALATE, graded, "unlike the genuine documents the model was trained on"
        return APPROVE, graded, "fraud probability below the ESCALATE threshold and no hard evidence"


class DecisionPolicy(_Strict):
    """The whole file: `defaults`, and per type the keys that differ."""

    defaults: dict[str, Any] = {}
    types: dict[str, dict[str, Any]] = {}

    def for_type(self, name: str) -> TypePolicy:
        return self.resolved()[name] if name in self.types else TypePolicy(**self.defaults)

    def resolved(self) -> dict[str, TypePolicy]:
        return {name: TypePolicy(**{**self.defaults, **block}) for name, block in self.types.items()}


@dataclass(frozen=True)
class Policies:
    """Each document type's TypePolicy, validated once."""

    by_type: dict[str, TypePolicy]
    source: str

    def __getitem__(self, name: str) -> TypePolicy:
        return self.by_type[name]


def load_policy(path: Path | None, type_names: list[str] | tuple[str, ...]) -> Policies:
    """Read and validate the policy file (default: Backend/decision_policy.json) for `type_names`.

    Raises PolicyError naming the key for anything wrong: a missing file, bad JSON, an unknown
    key or type, a value out of range.
    """
    path = Path(path or DEFAULT_PATH)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"decision policy {path}: cannot be read ({exc.strerror or exc})") from None
    except json.JSONDecodeError as exc:
        raise PolicyError(f"decision policy {path}: not valid JSON ({exc})") from None
    return policies_from(raw, type_names, str(path))


def policies_from(raw: Any, type_names: list[str] | tuple[str, ...], source: str = "<dict>") -> Policies:
    """Policies from an already parsed document (see load_policy)."""
    try:
        document = DecisionPolicy.model_validate(raw)
        unknown = sorted(set(document.types) - set(type_names))
        if unknown:
            raise PolicyError(f"decision policy {source}: types.{unknown[0]}: not a document type")
        by_type = {}
        for name in type_names:
            try:
                by_type[name] = document.for_type(name)
            except ValidationError as exc:
                raise PolicyError(f"decision policy {source}: types.{name}: {_first_error(exc)}") from None
        return Policies(by_type, source)
    except ValidationError as exc:
        raise PolicyError(f"decision policy {source}: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]
