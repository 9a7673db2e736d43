"""Performance history of one document type's models: every run, activation and rollback.

Kept as `performance_history.json` beside the type's models, rewritten atomically under
its own inter-process lock, so concurrent writers never lose an entry and a crash never
leaves half a file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from store.files import atomic_write_text

HISTORY_FILE = "performance_history.json"


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ModelPerformanceTracker:
    """Appends runs and events for `doc_type` to the history file in `models_dir`."""

    def __init__(self, doc_type: str, models_dir: Path):
        self.doc_type = doc_type
        self.path = Path(models_dir) / HISTORY_FILE
        self._lock = FileLock(str(Path(models_dir) / f".{HISTORY_FILE}.lock"))

    def load(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"doc_type": self.doc_type, "runs": [], "events": []}

    def _append(self, key: str, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            history = self.load()
            history[key].append(entry)
            atomic_write_text(self.path, json.dumps(history, indent=2, default=str))

    def record_run(self, result: dict[str, Any]) -> None:
        """One retraining run, as `DocumentModelRetrainer.retrain()` returned it."""
        keep = (
            "success",
            "version_id",
            "activated",
            "reason",
            "metrics",
            "data_source",
            "data_source_reason",
            "samples",
            "training_seconds",
            "trigger",
            "started_at",
            "finished_at",
        )
        self._append("runs", {key: result.get(key) for key in keep} | {"at": _now()})

    def record_event(self, kind: str, version: str, previous: str | None, reason: str) -> None:
        """An activation or a rollback: which version became active, which it replaced, why."""
        self._append("events", {"kind": kind, "version": version, "previous": previous, "reason": reason, "at": _now()})

    def previous_active(self, current: str | None) -> str | None:
        """The version that was active before `current`, from the activation history."""
        for event in reversed(self.load()["events"]):
            if event["version"] == current and event.get("previous") and event["previous"] != current:
                return event["previous"]
        return None

    def get_performance_summary(self, active_version: str | None = None, primary_metric: str = "roc_auc") -> dict:
        history = self.load()
        runs, events = history["runs"], history["events"]
        trend = [
            {
                "version": run["version_id"],
                "value": (run.get("metrics") or {}).get("candidate", {}).get(primary_metric),
                "activated": run["activated"],
                "at": run["at"],
            }
            for run in runs
            if run.get("version_id")
        ]
        sources = [
            {"version": run.get("version_id"), "data_source": run.get("data_source"), "at": run["at"]} for run in runs
        ]
        return {
            "doc_type": self.doc_type,
            "active_version": active_version,
            "primary_metric": primary_metric,
            "metric_trend": trend,
            "data_source_evolution": sources,
            "training_seconds": [{"version": r.get("version_id"), "seconds": r.get("training_seconds")} for r in runs],
            "runs": len(runs),
            "successful_runs": sum(1 for r in runs if r.get("success")),
            "activations": sum(1 for e in events if e["kind"] == "activation"),
            "rollbacks": sum(1 for e in events if e["kind"] == "rollback"),
            "refusals": sum(1 for r in runs if r.get("success") and r.get("version_id") and not r.get("activated")),
            "last_run": runs[-1] if runs else None,
        }
