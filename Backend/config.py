"""Service configuration, read once from the environment (and an optional .env file).

Every setting has a default that runs the service on a fresh machine with no set-up:
SQLite and the models in the instance folder (Backend/instance, outside the source
packages, as in Flask's instance folder). This module only reads settings; the app
factory builds stores and models from them. It is the only module that reads the
environment. Secrets
(ADMIN_API_TOKEN, database passwords inside DATABASE_URL, SUPABASE_KEY) only ever come
from the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

BACKEND_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BACKEND_DIR / "instance"  # Flask's instance folder for api_server


# Settings that moved elsewhere: naming one is an error that says where, never silently ignored.
RETIRED_SETTINGS = {
    name: "thresholds are set per document type in the decision policy (DECISION_POLICY_PATH, docs/decisions.md)"
    for name in ("RISK_MEDIUM_THRESHOLD", "RISK_HIGH_THRESHOLD")
}


class ConfigError(ValueError):
    """A setting is malformed; the message names it."""


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _number(kind: type, name: str, raw: str) -> Any:
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {kind.__name__}, got {raw!r}") from None


@dataclass(frozen=True)
class Config:
    """All settings; docs/configuration.md (generated from the `doc` of each field) documents each."""

    DATABASE_URL: str = field(
        default="",
        metadata={
            "doc": (
                "SQLAlchemy URL of the document store, e.g. `postgresql://user@host/db`. Unset: the SQLite file "
                "`Backend/instance/fraud_detection.db`. It also holds the retraining jobs and scheduler tables; with "
                "several hosts, point it at a shared database. A password in it comes from the environment or `.env` "
                "only."
            )
        },
    )
    MODELS_DIR: str = field(
        default="",
        metadata={
            "doc": (
                "Directory holding one `<type>/` model directory per document type. Unset: `Backend/instance/models`, "
                "so each type's versions are in `Backend/instance/models/<type>/`."
            )
        },
    )
    CORS_ORIGINS: str = field(
        default="http://localhost:3000,http://localhost:5173",
        metadata={"doc": ("Comma-separated origins of the review frontend.")},
    )
    DECISION_POLICY_PATH: str = field(
        default="",
        metadata={
            "doc": (
                "The decision policy file (thresholds, target rates, which reasons are hard, per type). "
                "Unset: `Backend/decision_policy.json`."
            )
        },
    )
    MAX_CONTENT_LENGTH: int = field(
        default=1_000_000, metadata={"doc": ("Largest request body in bytes; a larger one answers 413. At least 1024.")}
    )
    BATCH_MAX_BYTES: int = field(
        default=20_000_000,
        metadata={"doc": ("Largest batch upload (`analyze-batch`) in bytes; a larger one answers 413.")},
    )
    BATCH_MAX_ROWS: int = field(
        default=50_000, metadata={"doc": ("Most documents in one batch upload; more answer 413.")}
    )
    ANOMALY_ESCALATES: bool = field(
        default=True,
        metadata={
            "doc": (
                "ESCALATE an anomalous document the models would APPROVE. False: APPROVE it, still with the "
                "`ANOMALOUS_DOCUMENT` reason."
            )
        },
    )
    TRAIN_BASELINE_ON_START: bool = field(
        default=True, metadata={"doc": ("At start-up, train a synthetic baseline for a type that has no model.")}
    )
    BASELINE_SAMPLES: int = field(
        default=4000, metadata={"doc": ("Synthetic documents the baseline is trained on. At least 200.")}
    )
    BASELINE_SEED: int = field(default=42, metadata={"doc": "Random seed of the synthetic baseline."})
    LIST_MAX_LIMIT: int = field(default=500, metadata={"doc": "Largest `limit` the list route accepts."})
    OUTBOX_PATH: str = field(
        default="",
        metadata={
            "doc": (
                "SQLite file of the local outbox, which keeps analyses made while the store is away. Unset: "
                "`Backend/instance/outbox.db`."
            )
        },
    )
    OUTBOX_FLUSH_SECONDS: float = field(
        default=10.0,
        metadata={"doc": ("How often, in seconds, the background thread flushes the outbox to the store.")},
    )
    LOG_LEVEL: str = field(
        default="",
        metadata={
            "doc": "Python logging level. Empty: INFO for the server, WARNING for CLI commands "
            "(which then print only what they were asked for)."
        },
    )
    HOST: str = field(default="0.0.0.0", metadata={"doc": "Address `python Backend/api_server.py` listens on."})
    PORT: int = field(default=5001, metadata={"doc": "Port `python Backend/api_server.py` listens on."})
    WEB_CONCURRENCY: int = field(default=2, metadata={"doc": "Worker processes of the production server."})
    WEB_THREADS: int = field(
        default=1,
        metadata={
            "doc": (
                "Threads per worker process. Scoring is CPU-bound, so more threads only contend for the GIL; one "
                "thread per worker measured best (`bench/serving_benchmark.py`). A batch upload then holds its worker "
                "until it is done, so raise `WEB_CONCURRENCY`, not this, where large uploads and interactive scoring "
                "share the server."
            )
        },
    )
    # off by default: it costs a measurable share of a request (docs/benchmarks.md)
    ACCESS_LOG: bool = field(
        default=False, metadata={"doc": ("One log line per request. Errors are always logged, with their request id.")}
    )
    ADMIN_API_TOKEN: str = field(
        default="",
        repr=False,
        metadata={"doc": ("Bearer token of the admin routes (retraining, rollback). Unset: those routes answer 503.")},
    )
    SUPABASE_URL: str = field(
        default="",
        metadata={
            "doc": ("`https://<project>.supabase.co`. With `SUPABASE_KEY` set too, Supabase is the document store.")
        },
    )
    SUPABASE_KEY: str = field(
        default="",
        repr=False,
        metadata={"doc": ("The Supabase service-role key. Server side only: never in the repository or the frontend.")},
    )
    SUPABASE_MAX_ROWS: int = field(
        default=1000, metadata={"doc": ("The project's PostgREST max-rows setting; reads page by this size.")}
    )
    ENABLE_AUTOMATED_RETRAINING: bool = field(
        default=False,
        metadata={
            "doc": ("Run the scheduled retraining jobs (weekly job and trigger check) in every serving process.")
        },
    )
    RETRAINING_CONFIG_PATH: str = field(
        default="",
        metadata={"doc": ("The retraining configuration file. Unset: `Backend/training/retraining_config.json`.")},
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv: bool = True, **overrides: Any) -> Config:
        """Settings from `environ` (default: os.environ, after loading .env if present), then `overrides`."""
        if environ is None:
            if dotenv:
                from dotenv import load_dotenv

                load_dotenv(BACKEND_DIR.parent / ".env", override=False)
            environ = os.environ
        retired = sorted(name for name in RETIRED_SETTINGS if name in environ)
        if retired:
            raise ConfigError(f"{retired[0]} is no longer read: {RETIRED_SETTINGS[retired[0]]}")
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = environ.get(spec.name)
            if raw is None:
                continue
            if spec.type == "bool":
                values[spec.name] = _bool(spec.name, raw)
            elif spec.type in ("int", "float"):
                values[spec.name] = _number(int if spec.type == "int" else float, spec.name, raw)
            else:
                values[spec.name] = raw
        values.update(overrides)
        config = cls(**values)
        config.check()
        return config

    def check(self) -> None:
        if self.MAX_CONTENT_LENGTH < 1024:
            raise ConfigError("MAX_CONTENT_LENGTH must be at least 1024 bytes")
        if self.BASELINE_SAMPLES < 200:
            raise ConfigError("BASELINE_SAMPLES must be at least 200")

    def as_env(self) -> dict[str, str]:
        """The settings as environment variables, for a child process; the admin token is left out."""
        return {spec.name: str(getattr(self, spec.name)) for spec in fields(self) if spec.name != "ADMIN_API_TOKEN"}

    def child_environment(self) -> dict[str, str]:
        """The environment of a child process (a retrain): this process's, with these settings."""
        return {**os.environ, **self.as_env()}

    def outbox_path(self) -> Path:
        return Path(self.OUTBOX_PATH) if self.OUTBOX_PATH else INSTANCE_DIR / "outbox.db"

    def decision_policy_path(self) -> Path:
        return Path(self.DECISION_POLICY_PATH) if self.DECISION_POLICY_PATH else BACKEND_DIR / "decision_policy.json"

    def retraining_config_path(self) -> Path:
        return (
            Path(self.RETRAINING_CONFIG_PATH)
            if self.RETRAINING_CONFIG_PATH
            else BACKEND_DIR / "training" / "retraining_config.json"
        )

    def models_dir(self, doc_type: str) -> Path:
        return (Path(self.MODELS_DIR) if self.MODELS_DIR else INSTANCE_DIR / "models") / doc_type

    def database_url(self) -> str:
        return self.DATABASE_URL or f"sqlite:///{INSTANCE_DIR / 'fraud_detection.db'}"

    @property
    def cors_origins(self) -> list[str]:
        return [origin.strip() for origin in self.CORS_ORIGINS.split(",") if origin.strip()]
