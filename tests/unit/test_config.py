"""Settings: read once from the environment given, with defaults that keep run-time files out of the source."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import INSTANCE_DIR, Config, ConfigError
from document_types import DOCUMENT_TYPES

BACKEND = Path(__file__).resolve().parents[2] / "Backend"


def test_defaults_keep_models_and_database_in_the_instance_folder():
    config = Config.from_env(environ={})
    assert INSTANCE_DIR == BACKEND / "instance"
    for name in DOCUMENT_TYPES:
        directory = config.models_dir(name)
        assert directory == INSTANCE_DIR / "models" / name
        assert BACKEND / name not in directory.parents  # never inside a type's source package
    assert config.database_url() == f"sqlite:///{INSTANCE_DIR / 'fraud_detection.db'}"
    assert config.outbox_path() == INSTANCE_DIR / "outbox.db"


def test_models_dir_keeps_an_existing_deployment_where_it_is(tmp_path):
    config = Config.from_env(environ={"MODELS_DIR": str(tmp_path)})
    assert config.models_dir("check") == tmp_path / "check"


def test_only_the_given_environment_is_read():
    config = Config.from_env(environ={"BATCH_MAX_ROWS": "800", "ENABLE_AUTOMATED_RETRAINING": "yes"})
    assert config.BATCH_MAX_ROWS == 800 and config.ENABLE_AUTOMATED_RETRAINING is True
    assert Config.from_env(environ={}).BATCH_MAX_ROWS == 50_000


@pytest.mark.parametrize(
    "environ, named",
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"ACCESS_LOG": "maybe"}, "ACCESS_LOG"),
        ({"BATCH_MAX_ROWS": "1.5"}, "BATCH_MAX_ROWS"),
        # Thresholds moved to the decision policy: a deployment still setting them is told so, not ignored.
        ({"RISK_HIGH_THRESHOLD": "80"}, "RISK_HIGH_THRESHOLD is no longer read: .*decision policy"),
    ],
)
def test_a_malformed_setting_is_refused_by_name(environ, named):
    with pytest.raises(ConfigError, match=named):
        Config.from_env(environ=environ)


def test_the_decision_policy_path_defaults_to_the_shipped_file(tmp_path):
    assert Config.from_env(environ={}).decision_policy_path().name == "decision_policy.json"
    custom = tmp_path / "policy.json"
    assert Config.from_env(environ={"DECISION_POLICY_PATH": str(custom)}).decision_policy_path() == custom


def test_a_child_process_gets_the_settings_and_as_env_leaves_the_admin_token_out():
    config = Config.from_env(environ={"ADMIN_API_TOKEN": "secret", "PORT": "6000"})
    environment = config.child_environment()
    assert environment["PORT"] == "6000" and "ADMIN_API_TOKEN" not in config.as_env()
