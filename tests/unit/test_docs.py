"""The generated docs are current, every setting is documented, and the README stays short."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from cli.docs import CONFIGURATION_PATH, FEATURES_PATH, render_configuration, render_features
from config import Config
from document_types import DOCUMENT_TYPES

README = Path(__file__).resolve().parents[2] / "README.md"
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -r requirements-dev.txt && .venv/bin/python -m pytest"
REGENERATE = "run: cd Backend && python -m cli.docs"


def test_features_doc_is_current():
    assert FEATURES_PATH.read_text() == render_features(), REGENERATE


def test_configuration_doc_is_current():
    assert CONFIGURATION_PATH.read_text() == render_configuration(), REGENERATE


def test_every_setting_has_a_description():
    undocumented = [spec.name for spec in fields(Config) if not str(spec.metadata.get("doc", "")).strip()]
    assert not undocumented, f"give these Config fields metadata={{'doc': ...}}: {undocumented}"


def test_every_setting_is_in_the_configuration_doc():
    text = CONFIGURATION_PATH.read_text()
    assert all(f"| `{spec.name}`" in text for spec in fields(Config))


def test_secrets_are_marked():
    text = render_configuration()
    assert "| `ADMIN_API_TOKEN` (secret) |" in text
    assert "| `SUPABASE_KEY` (secret) |" in text


def test_every_feature_is_declared_once_with_a_description():
    for doc_type in DOCUMENT_TYPES.values():
        names = doc_type.extractor.feature_names
        assert len(names) == len(set(names)), doc_type.name
        assert all(spec.description.strip() for spec in doc_type.extractor.feature_specs)


def test_readme_is_short_and_names_the_test_command():
    data = README.read_bytes()
    assert len(data) <= 10_240, f"README.md is {len(data)} bytes; move detail to docs/"
    assert TEST_COMMAND in data.decode()
