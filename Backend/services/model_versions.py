"""Model version use cases: activate, refuse, roll back and prune one type's versions.

The one copy that the retrainer, the baseline trainer and the admin rollback route call.
Every change to the active version happens under the type's inter-process lock, after the
version loaded the way serving loads it (checksums, feature list, canary documents), and
is recorded in the type's history.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from domain.document_type import DocumentType
from models.detector import FraudDetector
from models.model_store import ModelStore, ModelStoreError, VersionNotFound, validate_version_id

log = logging.getLogger(__name__)

ORPHAN_AGE_SECONDS = 600  # files of a version with no manifest, older than this, are left over from a crash


class VersionHistory(Protocol):
    """Where activations and rollbacks are recorded (training.model_performance_tracker)."""

    def record_event(self, kind: str, version: str, previous: str | None, reason: str) -> None: ...

    def previous_active(self, current: str | None) -> str | None: ...


class RollbackRefused(ValueError):
    """The rollback cannot happen: `status` is the HTTP status that says why (400, 404, 409), `detail` what."""

    def __init__(self, status: int, message: str, detail: str | None = None):
        super().__init__(message)
        self.status = status
        self.detail = detail or message


class ModelVersions:
    """The versions of `doc_type` in `store`, with their history."""

    def __init__(self, doc_type: DocumentType, store: ModelStore, history: VersionHistory):
        self.doc_type = doc_type
        self.store = store
        self.history = history

    def verify(self, version: str) -> None:
        """Load `version` as a serving worker would; ModelStoreError if it would not serve."""
        FraudDetector(self.doc_type, self.store.directory).load_version(version)

    def activate(self, version: str, reason: str, kind: str = "activation", verified: bool = False) -> str | None:
        """Verify (unless the caller just did: `verified`) and activate `version`, recording why; the one replaced."""
        with self.store.lock():
            previous = self.store.active_version()
            if not verified:
                self.verify(version)
            self.store.update_manifest(version, status="active", status_reason=reason)
            self.store.activate(version)
        self.history.record_event(kind, version, previous, reason)
        log.info("%s: version %s active (%s: %s)", self.doc_type.name, version, kind, reason)
        return previous

    def refuse(self, version: str, reason: str) -> None:
        """Keep `version` on disk but never serve it."""
        self.store.update_manifest(version, status="rejected", status_reason=reason)
        log.warning("%s: %s", self.doc_type.name, reason)

    def rollback_target(self, requested: str | None, other_stores: dict[str, ModelStore]) -> str:
        """The version a rollback activates: `requested`, or the one active before the current one.

        RollbackRefused when there is none, it is not a version id, or it is not this type's
        (`other_stores` name the other types' stores for a clear refusal).
        """
        current = self.store.active_version()
        target = requested
        if target is None:
            target = self.history.previous_active(current) or next(
                (i.version for i in self.store.list_versions() if i.valid and current and i.version < current), None
            )
            if target is None:
                raise RollbackRefused(409, "No previous version to roll back to", "none before the active one")
        try:
            validate_version_id(target)
        except VersionNotFound as exc:  # the client's text goes in the details only, never in the logged message
            raise RollbackRefused(400, "Not a version id", str(exc)) from None
        if not self.store.manifest_path(target).exists():
            owner = next((name for name, s in other_stores.items() if s.manifest_path(target).exists()), None)
            if owner:
                raise RollbackRefused(400, f"Version {target} belongs to {owner}, not {self.doc_type.name}")
            raise RollbackRefused(404, f"No {self.doc_type.name} version {target}")
        return target

    def rollback(self, requested: str | None, other_stores: dict[str, ModelStore]) -> tuple[str, str | None]:
        """Activate an earlier version; (now active, previously active). RollbackRefused."""
        with self.store.lock():
            target = self.rollback_target(requested, other_stores)
            try:
                previous = self.activate(target, "admin rollback", kind="rollback")
            except ModelStoreError as exc:
                raise RollbackRefused(409, f"Version {target} cannot be activated: {exc}", str(exc)) from None
        return target, previous

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest `keep` versions, never the active one or the one before it."""
        with self.store.lock():
            active = self.store.active_version()
            protected = {active, self.history.previous_active(active)}
            versions = self.store.version_ids()
            doomed = [v for v in versions[keep:] if v not in protected]
            for version in doomed:
                self.store.delete_version(version)
            self._delete_orphans(set(versions))
        if doomed:
            log.info("%s: pruned versions %s", self.doc_type.name, ", ".join(doomed))
        return doomed

    def _delete_orphans(self, complete: set[str]) -> None:
        """Files of versions whose manifest was never written, and temporary files of writes cut off
        before their rename (`.<name>.<pid>.tmp`): what a run killed while saving leaves behind."""
        cutoff = time.time() - ORPHAN_AGE_SECONDS
        directory, name = self.store.directory, self.doc_type.name
        for path in directory.glob(f"{name}_*_*.*"):
            version = "_".join(path.stem.split("_")[-2:])
            if version not in complete and "manifest" not in path.name and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        for path in directory.glob(".*.tmp"):
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
