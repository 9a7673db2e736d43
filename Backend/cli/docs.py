"""Generate docs/features.md and docs/configuration.md from the code that declares them.

    cd Backend && python -m cli.docs        # rewrite both files

The features come from each document type's extractor, the settings from the fields of
`config.Config`. tests/unit/test_docs.py fails when a file is out of date.
"""

from __future__ import annotations

from dataclasses import MISSING as NO_DEFAULT
from dataclasses import fields
from pathlib import Path

from config import Config
from document_types import DOCUMENT_TYPES
from domain.features import MISSING

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
FEATURES_PATH = DOCS_DIR / "features.md"
CONFIGURATION_PATH = DOCS_DIR / "configuration.md"
GENERATOR = "cd Backend && python -m cli.docs"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_features() -> str:
    lines = [
        "# Features",
        "",
        f"Generated from the feature extractors by `{GENERATOR}`; do not edit by hand.",
        f"Flags are 1/0. A value that cannot be computed because an input is missing is {MISSING:g}.",
        "The same extractor runs at training and at scoring time.",
        "",
    ]
    for doc_type in DOCUMENT_TYPES.values():
        lines += [
            f"## {doc_type.label} (`{doc_type.name}`, {len(doc_type.extractor.feature_names)} features)",
            "",
            "| feature | meaning |",
            "|---|---|",
        ]
        lines += [f"| `{spec.name}` | {_cell(spec.description)} |" for spec in doc_type.extractor.feature_specs]
        lines.append("")
    return "\n".join(lines)


def _default(value: object) -> str:
    """A default as it would be written in the environment."""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    if value == "":
        return "unset"
    return f"`{value}`"


def render_configuration() -> str:
    lines = [
        "# Configuration",
        "",
        f"Generated from the fields of `Config` in `Backend/config.py` by `{GENERATOR}`; do not edit by hand.",
        "",
        "Settings are read once, at start-up, from the environment and from an optional `.env` file at the",
        "repository root. A variable set in the environment wins over `.env`. Every setting has a default that",
        "runs the service on a fresh machine: SQLite and the models in `Backend/instance/`.",
        "Secrets (marked below, and any password inside `DATABASE_URL`) only ever come from the environment",
        "or `.env`; never commit them. A malformed value stops the server with an error naming the variable.",
        "Booleans accept `true`/`false`, `1`/`0`, `yes`/`no` and `on`/`off`.",
        "",
        "| variable | default | description |",
        "|---|---|---|",
    ]
    for spec in fields(Config):
        default = spec.default if spec.default is not NO_DEFAULT else spec.default_factory()
        name = f"`{spec.name}`" + (" (secret)" if not spec.repr else "")
        lines.append(f"| {name} | {_cell(_default(default))} | {_cell(spec.metadata.get('doc', ''))} |")
    lines += [
        "",
        "The retraining pipeline and the scheduler have their own settings, in",
        "`Backend/training/retraining_config.json` (or `RETRAINING_CONFIG_PATH`), described in",
        "[retraining.md](retraining.md#settings).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    DOCS_DIR.mkdir(exist_ok=True)
    for path, render in ((FEATURES_PATH, render_features), (CONFIGURATION_PATH, render_configuration)):
        path.write_text(render())
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
