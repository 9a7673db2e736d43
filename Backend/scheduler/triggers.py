"""When a type should be retrained before its weekly run: enough new labels, or a drifting flag rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from models.model_store import ModelStore, ModelStoreError
from store.document_store import DocumentStore
from training.model_performance_tracker import ModelPerformanceTracker
from training.retraining_config import DataQuality, DocumentTypeSettings


@dataclass(frozen=True)
class Decision:
    due: bool
    kind: str  # "new-data" or "flag-rate"
    reason: str


def _parse(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def active_trained_at(model_store: ModelStore) -> tuple[str | None, datetime | None]:
    """The active version and when it was created (None, None without one)."""
    active = model_store.active_version()
    if not active:
        return None, None
    try:
        return active, _parse(model_store.read_manifest(active).get("created_at"))
    except ModelStoreError:
        return active, None


def _too_soon(tracker: ModelPerformanceTracker, settings: DocumentTypeSettings, now: datetime) -> str | None:
    runs = tracker.load()["runs"]
    last = _parse(runs[-1]["at"]) if runs else None
    if last and now - last < timedelta(hours=settings.retrain_interval_hours):
        hours = (now - last).total_seconds() / 3600
        return f"last run {hours:.1f} h ago, under retrain_interval_hours ({settings.retrain_interval_hours})"
    return None


def new_data_decision(
    store: DocumentStore,
    table: str,
    model_store: ModelStore,
    tracker: ModelPerformanceTracker,
    settings: DocumentTypeSettings,
    quality: DataQuality,
    now: datetime,
) -> Decision:
    """Due when at least auto_train_threshold labels arrived since the active version was trained."""
    active, trained_at = active_trained_at(model_store)
    new = store.count_labelled(table, quality.label_query(since=trained_at))
    threshold = settings.auto_train_threshold
    if new < threshold:
        return Decision(False, "new-data", f"{new} new labelled documents since version {active}, under {threshold}")
    soon = _too_soon(tracker, settings, now)
    if soon:
        return Decision(False, "new-data", soon)
    return Decision(True, "new-data", f"{new} new labelled documents since version {active} (threshold {threshold})")


def flag_rate_decision(
    store: DocumentStore, table: str, tracker: ModelPerformanceTracker, settings: DocumentTypeSettings, now: datetime
) -> Decision:
    """Due when the REJECT share of recent analyses leaves reject_rate_band."""
    counts = store.recommendation_counts(table, now - timedelta(days=settings.performance_window_days))
    total = sum(counts.values())
    if total < settings.min_documents_for_flag_rate:
        return Decision(
            False, "flag-rate", f"{total} analyses in the window, under {settings.min_documents_for_flag_rate}"
        )
    share = counts.get("REJECT", 0) / total
    low, high = settings.reject_rate_band
    if low <= share <= high:
        return Decision(False, "flag-rate", f"REJECT share {share:.1%} within [{low:.0%}, {high:.0%}]")
    soon = _too_soon(tracker, settings, now)
    if soon:
        return Decision(False, "flag-rate", soon)
    return Decision(
        True,
        "flag-rate",
        f"REJECT share {share:.1%} over the last {settings.performance_window_days:g} "
        f"days is outside [{low:.0%}, {high:.0%}] ({total} analyses)",
    )
