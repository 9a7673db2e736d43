"""The evaluation gate every new version passes before it serves: retrains and forced baselines alike.

The candidate and the active version are scored on the same evaluation set, each through
its own calibration and at its own REJECT threshold, as serving would score them. The
candidate is activated only when it is better on the primary metric by at least
`min_improvement`; a candidate that is not (an identical model retrained on the same
synthetic data, say) leaves the active version serving and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.policy import TypePolicy
from models.calibration import Calibration
from models.model_store import ModelStore, ModelStoreError
from training.dataset import Dataset
from training.ensemble import FraudEnsemble
from training.metrics import evaluate, is_worse
from training.versioning import Candidate


@dataclass(frozen=True)
class GateSettings:
    """`metric` to compare on; `max_drop` refuses a worse candidate; `min_improvement` keeps an equal one out
    (0: no margin, anything not worse by more than `max_drop` is activated)."""

    metric: str = "roc_auc"
    max_drop: float = 0.02
    min_improvement: float = 0.001


@dataclass(frozen=True)
class GateDecision:
    activate: bool
    reason: str
    active_metrics: dict | None


def active_metrics(
    store: ModelStore, feature_names: list[str], evaluation: Dataset, policy: TypePolicy
) -> tuple[dict | None, str | None]:
    """(metrics of the active version on `evaluation`, None) or (None, why it cannot be compared)."""
    active = store.active_version()
    if active is None:
        return None, "first version of this type"
    try:
        manifest = store.verify(active)
        if manifest["feature_names"] != feature_names:
            return None, f"active version {active} uses another feature list; it cannot be compared"
        ensemble = FraudEnsemble.from_version(store, active)
        calibration = Calibration.from_manifest(manifest.get("calibration"))
    except (ModelStoreError, KeyError, OSError, ValueError) as exc:
        return None, f"active version {active} could not be evaluated ({exc})"
    thresholds, _ = policy.thresholds_for((manifest.get("thresholds") or {}).get("chosen"))
    scores = 100.0 * calibration.probability(ensemble.predict(evaluation.X))
    return evaluate(evaluation.targets, evaluation.labels, scores, thresholds.reject), None


def judge(candidate: Candidate, active: dict | None, note: str | None, settings: GateSettings) -> GateDecision:
    """Whether `candidate` should replace the active version whose metrics are `active`."""
    if active is None:
        return GateDecision(True, note or "first version of this type", None)
    metric = settings.metric
    new, old = candidate.metrics[metric], active[metric]
    if is_worse(new, old, metric, settings.max_drop):
        return GateDecision(
            False,
            f"New model not activated due to performance drop: {metric} {new} vs active {old} "
            f"(max drop {settings.max_drop})",
            active,
        )
    if settings.min_improvement > 0 and not is_worse(old, new, metric, settings.min_improvement - 1e-12):
        return GateDecision(
            False,
            f"Active version kept: {metric} {new} is not better than active {old} by the required margin "
            f"({settings.min_improvement})",
            active,
        )
    return GateDecision(True, f"{metric} {new} vs active {old}", active)
