"""Service configuration, read once from the environment (and an optional .env file).

Every setting has a default that runs the service on a fresh machine with no set-up:
SQLite in the instance folder, models beside each document type's package. Secrets
(ADMIN_API_TOKEN, database passwords inside DATABASE_URL, SUPABASE_KEY) only ever come
from the environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

BACKEND_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BACKEND_DIR / "instance"  # Flask's instance folder for api_server


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
    """All settings; the README's configuration table documents each."""

    DATABASE_URL: str = ""  # empty: SQLite file in the instance folder
    MODELS_DIR: str = ""  # empty: <type>/ml/models inside each package
    CORS_ORIGINS: str = "http://localhost:3000,http://localhost:5173"
    RISK_MEDIUM_THRESHOLD: float = 30.0
    RISK_HIGH_THRESHOLD: float = 70.0
    MAX_CONTENT_LENGTH: int = 1_000_000  # bytes of one request body
    BATCH_MAX_BYTES: int = 20_000_000  # bytes of one batch upload (analyze-batch)
    BATCH_MAX_ROWS: int = 50_000  # documents in one batch upload
    ANOMALY_ESCALATES: bool = True  # an anomalous document the models would APPROVE is ESCALATEd instead
    TRAIN_BASELINE_ON_START: bool = True
    BASELINE_SAMPLES: int = 4000
    BASELINE_SEED: int = 42
    LIST_MAX_LIMIT: int = 500
    OUTBOX_PATH: str = ""  # empty: instance/outbox.db
    OUTBOX_FLUSH_SECONDS: float = 10.0
    LOG_LEVEL: str = "INFO"
    HOST: str = "0.0.0.0"
    PORT: int = 5001
    WEB_CONCURRENCY: int = 2
    # threads per worker process. One measured best on 2 cores (scoring is CPU-bound: more threads only
    # contend for the GIL); a batch upload then holds its worker until it is done, so raise WEB_CONCURRENCY
    # where large uploads and interactive scoring share the server.
    WEB_THREADS: int = 1
    ACCESS_LOG: bool = False  # one line per request; off by default (it cost ~0.3 ms a request under gunicorn)
    ADMIN_API_TOKEN: str = field(default="", repr=False)
    SUPABASE_URL: str = ""
    SUPABASE_KEY: str = field(default="", repr=False)  # service-role key: server side only
    SUPABASE_MAX_ROWS: int = 1000  # the project's PostgREST max-rows setting
    ENABLE_AUTOMATED_RETRAINING: bool = False
    RETRAINING_CONFIG_PATH: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv: bool = True, **overrides: Any) -> "Config":
        """Settings from `environ` (default: os.environ, after loading .env if present), then `overrides`."""
        if environ is None:
            if dotenv:
                from dotenv import load_dotenv

                load_dotenv(BACKEND_DIR.parent / ".env", override=False)
            environ = os.environ
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
        if not 0 < self.RISK_MEDIUM_THRESHOLD < self.RISK_HIGH_THRESHOLD < 100:
            raise ConfigError("RISK_MEDIUM_THRESHOLD and RISK_HIGH_THRESHOLD must satisfy 0 < medium < high < 100")
        if self.MAX_CONTENT_LENGTH < 1024:
            raise ConfigError("MAX_CONTENT_LENGTH must be at least 1024 bytes")
        if self.BASELINE_SAMPLES < 200:
            raise ConfigError("BASELINE_SAMPLES must be at least 200")

    def as_env(self) -> dict[str, str]:
        """The settings as environment variables, for a child process; the admin token is left out."""
        return {spec.name: str(getattr(self, spec.name)) for spec in fields(self) if spec.name != "ADMIN_API_TOKEN"}

    def document_store(self):
        """The configured document store: Supabase when SUPABASE_URL and SUPABASE_KEY are set, else SQL."""
        from document_types import DOCUMENT_TYPES

        tables = {t.table: t.name for t in DOCUMENT_TYPES.values()}
        if self.SUPABASE_URL and self.SUPABASE_KEY:
            from core.supabase_store import SupabaseDocumentStore

            return SupabaseDocumentStore(self.SUPABASE_URL, self.SUPABASE_KEY, tables, max_rows=self.SUPABASE_MAX_ROWS)
        from core.sql_store import SqlDocumentStore

        return SqlDocumentStore(self.database_url(), tables)

    def outbox_path(self) -> Path:
        return Path(self.OUTBOX_PATH) if self.OUTBOX_PATH else INSTANCE_DIR / "outbox.db"

    def retraining_config_path(self) -> Path:
        return Path(self.RETRAINING_CONFIG_PATH) if self.RETRAINING_CONFIG_PATH else BACKEND_DIR / "training" / "retraining_config.json"

    def models_dir(self, doc_type: str) -> Path:
        if self.MODELS_DIR:
            return Path(self.MODELS_DIR) / doc_type
        return BACKEND_DIR / doc_type / "ml" / "models"

    def database_url(self) -> str:
        if self.DATABASE_URL:
            return self.DATABASE_URL
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'fraud_detection.db'}"

    @property
    def cors_origins(self) -> list[str]:
        return [origin.strip() for origin in self.CORS_ORIGINS.split(",") if origin.strip()]
