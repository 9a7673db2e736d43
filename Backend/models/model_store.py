"""Versioned model files of one document type, and which version is active.

Layout in the type's model directory:
    <type>_<model>_<version>.pkl / .onnx   one file per model of a version
    <type>_manifest_<version>.json         written last; a version without one is incomplete
    ACTIVE_VERSION.txt                     the active version, replaced atomically

A version is valid only when its manifest exists and every file it lists matches its
sha256. Without ACTIVE_VERSION.txt the legacy non-versioned files <type>_<model>.pkl
are used (see `legacy_files`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from store.files import atomic_write_bytes, atomic_write_text, fsync_directory, sha256_bytes

log = logging.getLogger(__name__)

ACTIVE_FILE = "ACTIVE_VERSION.txt"
VERSION_PATTERN = re.compile(r"^[0-9]{8}_[0-9]{6}\Z")  # ASCII digits only, no trailing newline


class ModelStoreError(Exception):
    """Base of the model store's errors; the message is safe to show to an admin."""


class VersionNotFound(ModelStoreError):
    pass


class VerificationFailed(ModelStoreError):
    pass


@dataclass(frozen=True)
class VersionInfo:
    version: str
    valid: bool
    error: str | None
    manifest: dict[str, Any] | None


def validate_version_id(version: str) -> str:
    """Refuse anything but YYYYMMDD_HHMMSS, so a version id can never name a path elsewhere."""
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise VersionNotFound(f"Not a version id (expected YYYYMMDD_HHMMSS): {str(version)[:40]!r}")
    return version


class ModelStore:
    """Reads, writes, verifies and activates the model versions of one document type."""

    def __init__(self, directory: Path, doc_type: str):
        self.directory = Path(directory)
        self.doc_type = doc_type
        self.active_path = self.directory / ACTIVE_FILE
        # One instance per store: FileLock is re-entrant per instance (and per thread),
        # so code holding the lock can call methods that take it again.
        self._lock = FileLock(str(self.directory / f".{doc_type}.lock"))
        self._retrain_lock = FileLock(str(self.directory / f".{doc_type}.retrain.lock"))

    # names -------------------------------------------------------------
    def file_name(self, model: str, version: str, ext: str) -> str:
        return f"{self.doc_type}_{model}_{version}.{ext}"

    def manifest_path(self, version: str) -> Path:
        return self.directory / f"{self.doc_type}_manifest_{validate_version_id(version)}.json"

    def legacy_files(self, models: tuple[str, ...]) -> dict[str, Path]:
        return {model: self.directory / f"{self.doc_type}_{model}.pkl" for model in models}

    def lock(self) -> FileLock:
        """Inter-process lock serialising writes (training, activation) for this type."""
        self.directory.mkdir(parents=True, exist_ok=True)
        return self._lock

    def retrain_lock(self) -> FileLock:
        """Held by a retraining run for its whole length, so runs of one type never overlap."""
        self.directory.mkdir(parents=True, exist_ok=True)
        return self._retrain_lock

    def retraining_in_progress(self) -> bool:
        """Whether another process (or thread) holds the retrain lock."""
        lock = self.retrain_lock()
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return True
        lock.release()
        return False

    # writing -----------------------------------------------------------
    def new_version_id(self) -> str:
        """A UTC timestamp id not used by any version on disk (call under `lock()`)."""
        stamp = time.time()
        while True:
            version = datetime.fromtimestamp(stamp, UTC).strftime("%Y%m%d_%H%M%S")
            if not list(self.directory.glob(f"{self.doc_type}_*_{version}.*")):
                return version
            stamp += 1

    def save_version(self, version: str, artifacts: dict[tuple[str, str], bytes], manifest: dict[str, Any]) -> None:
        """Write a version: artifacts keyed by (model, ext), then the manifest listing their checksums.

        Each file is written atomically and the manifest last, so a crash at any point
        leaves either a complete version or one without a manifest, which is never valid.
        """
        validate_version_id(version)
        self.directory.mkdir(parents=True, exist_ok=True)
        files = {}
        for (model, ext), data in artifacts.items():
            name = self.file_name(model, version, ext)
            atomic_write_bytes(self.directory / name, data)
            files[name] = sha256_bytes(data)
        full = dict(manifest, version=version, doc_type=self.doc_type, files=files)
        atomic_write_text(self.manifest_path(version), json.dumps(full, indent=2, sort_keys=True, default=str))

    def update_manifest(self, version: str, **fields: Any) -> None:
        manifest = self.read_manifest(version)
        manifest.update(fields)
        atomic_write_text(self.manifest_path(version), json.dumps(manifest, indent=2, sort_keys=True, default=str))

    def activate(self, version: str) -> None:
        """Make `version` active after verifying it; atomic, so readers never see a half-written name."""
        self.verify(version)
        atomic_write_text(self.active_path, version + "\n")
        log.info("Activated %s model version %s", self.doc_type, version)

    def delete_version(self, version: str) -> None:
        """Delete a version's files, its manifest first: a deletion cut off part-way (kill -9) leaves
        files without a manifest, which are never listed, rather than a listed version missing files."""
        manifest = self.manifest_path(version)
        if manifest.exists():
            manifest.unlink(missing_ok=True)
            fsync_directory(self.directory)
        for path in self.directory.glob(f"{self.doc_type}_*_{validate_version_id(version)}.*"):
            path.unlink(missing_ok=True)

    # reading -----------------------------------------------------------
    def active_version(self) -> str | None:
        try:
            text = self.active_path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return text or None

    def has_model(self, legacy_models: tuple[str, ...]) -> bool:
        """True when there is an active version or a complete set of legacy files."""
        return bool(self.active_version()) or all(p.exists() for p in self.legacy_files(legacy_models).values())

    def active_signature(self) -> tuple[int, int, int] | None:
        """Cheap fingerprint of ACTIVE_VERSION.txt: changes whenever it is replaced."""
        try:
            st = os.stat(self.active_path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def read_manifest(self, version: str) -> dict[str, Any]:
        path = self.manifest_path(version)
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise VersionNotFound(f"No {self.doc_type} model version {version}") from None
        except (ValueError, OSError) as exc:
            raise VerificationFailed(f"Manifest of {version} is unreadable: {exc}") from None
        if manifest.get("doc_type") != self.doc_type or manifest.get("version") != version:
            raise VerificationFailed(f"Manifest of {version} belongs to {manifest.get('doc_type')!r}")
        return manifest

    def verify(self, version: str) -> dict[str, Any]:
        """The manifest of `version` after checking every file's sha256; raises VerificationFailed."""
        manifest = self.read_manifest(version)
        for name in manifest.get("files", {}):
            self.read_verified(manifest, name)
        return manifest

    def read_verified(self, manifest: dict[str, Any], name: str) -> bytes:
        expected = manifest["files"].get(name)
        if expected is None:
            raise VerificationFailed(f"{name} is not part of version {manifest['version']}")
        try:
            data = (self.directory / name).read_bytes()
        except FileNotFoundError:
            raise VerificationFailed(f"{name} is missing") from None
        if sha256_bytes(data) != expected:
            raise VerificationFailed(f"{name} does not match its checksum; refusing to load it")
        return data

    def version_ids(self) -> list[str]:
        """Ids of every version with a manifest, newest first."""
        prefix, suffix = f"{self.doc_type}_manifest_", ".json"
        ids = [p.name[len(prefix) : -len(suffix)] for p in self.directory.glob(f"{prefix}*{suffix}")]
        return sorted((v for v in ids if VERSION_PATTERN.match(v)), reverse=True)

    def list_versions(self) -> list[VersionInfo]:
        """Every version with a manifest, newest first, each verified."""
        infos = []
        for version in self.version_ids():
            try:
                infos.append(VersionInfo(version, True, None, self.verify(version)))
            except ModelStoreError as exc:
                infos.append(VersionInfo(version, False, str(exc), None))
        return infos
