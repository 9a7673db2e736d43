"""The app under test: its configuration, and the admin token the admin routes are called with."""

from __future__ import annotations

from pathlib import Path

from config import Config

# The admin token of the tests that configure one (ADMIN_API_TOKEN=TOKEN) and call admin routes with AUTH.
# test_admin_auth.py builds its own random token on purpose.
TOKEN = "test-admin-token-5f1d2c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def make_config(models_dir: Path, database_url: str, **overrides) -> Config:
    """The app's configuration on `models_dir` and `database_url`, never the environment's; `overrides` win."""
    overrides.setdefault("OUTBOX_PATH", str(Path(models_dir).parent / f"outbox-{abs(hash(database_url))}.db"))
    return Config.from_env(
        environ={}, MODELS_DIR=str(models_dir), DATABASE_URL=database_url, TRAIN_BASELINE_ON_START=False, **overrides
    )
