"""Shared fixtures: baselines trained once per session, then a private copy per test.

Fixtures live here, where pytest finds them for every folder; helper functions and fakes are
in tests/support (imported as `support`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from config import Config
from document_types import DOCUMENT_TYPES
from domain.policy import load_policy
from support.app import make_config
from support.stores import reset_postgres
from training.baseline import ensure_baseline

TEST_SAMPLES = 1500
SEED = 42


@pytest.fixture(scope="session")
def trained_models(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("trained-models")
    policies = load_policy(None, tuple(DOCUMENT_TYPES))  # the shipped decision policy, as a server would train
    for name, doc_type in DOCUMENT_TYPES.items():
        ensure_baseline(doc_type, root / name, TEST_SAMPLES, SEED, policies[name])
    return root


@pytest.fixture
def models_dir(trained_models, tmp_path) -> Path:
    """A copy of the session's trained models that a test may change freely."""
    target = tmp_path / "models"
    shutil.copytree(trained_models, target)
    return target


@pytest.fixture
def config(models_dir, tmp_path) -> Config:
    return make_config(models_dir, f"sqlite:///{tmp_path / 'documents.db'}")


@pytest.fixture
def app(config):
    from api_server import create_app

    app = create_app(config)
    yield app
    app.extensions["fraud_detection"].store.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def postgres_url() -> str:
    """TEST_DATABASE_URL with the document tables dropped; .ci/run always sets it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (.ci/run sets it to the local PostgreSQL)")
    reset_postgres(url)
    return url
