"""Render docs/features.md from the feature declarations: one place documents every feature.

    python Backend/training/feature_docs.py        # rewrite docs/features.md
"""
from __future__ import annotations

import sys
from pathlib import Path

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "features.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    from core.features import MISSING
    from document_types import DOCUMENT_TYPES

    lines = [
        "# Features", "",
        "Generated from the feature extractors by `python Backend/training/feature_docs.py`; do not edit by hand.",
        f"Flags are 1/0. A value that cannot be computed because an input is missing is {MISSING:g}.",
        "The same extractor runs at training and at scoring time.", "",
    ]
    for doc_type in DOCUMENT_TYPES.values():
        lines += [f"## {doc_type.label} (`{doc_type.name}`, {len(doc_type.extractor.feature_names)} features)", "",
                  "| feature | meaning |", "|---|---|"]
        lines += [f"| `{spec.name}` | {_cell(spec.description)} |" for spec in doc_type.extractor.feature_specs]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    DOC_PATH.parent.mkdir(exist_ok=True)
    DOC_PATH.write_text(render())
    print(f"wrote {DOC_PATH}")
