"""The quality report end to end on a small set: generated documents through the app's batch route, every
section of the report present and every figure a number in range.

Budgets are asserted by test_quality_gate.py, on the shipped baselines.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

from quality import run_quality  # noqa: E402  (bench/ on sys.path)
from quality.generator import TYPES, patterns  # noqa: E402

N, SEED = 60, 4
RATES = (
    "genuine_reject_rate",
    "genuine_escalate_rate",
    "fraud_recall",
    "genuine_anomalous_rate",
    "fraud_anomalous_rate",
)


def _probability(value) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool) and math.isfinite(value) and 0 <= value <= 1


def _share_or_none(value) -> bool:
    return value is None or _probability(value)


def test_the_report_has_every_section_and_figure(client):
    sent = []

    def post(path: str, body):
        sent.append(path)
        response = client.post(path, json=body)
        return response.status_code, response.get_json()

    report = run_quality.run_report(list(TYPES), N, SEED, 0.3, post, date.today())
    assert {p.split("/")[2] for p in sent} == {"paystubs", "checks", "money-orders", "bank-statements"}
    assert all(p.endswith("/analyze-batch") for p in sent)  # one batch per type at this size
    assert isinstance(report["budgets_met"], bool)
    json.dumps(report)  # what bench/results/quality.json holds

    assert set(report["types"]) == set(TYPES)
    for doc_type, section in report["types"].items():
        assert set(section) >= {
            "metrics",
            "budgets",
            "patterns",
            "variations",
            "genuine_reject_reasons",
            "genuine_escalate_rules",
            "genuine_hard_reasons",
            "server",
        }
        m = section["metrics"]
        assert (m["documents"], m["scored"], m["unscored"]) == (N, N, 0), (doc_type, section["unscored_examples"])
        assert m["fraud"] == round(N * 0.3) and m["genuine"] == N - m["fraud"]
        assert m["fraud_subtle"] > 0 and m["fraud_obvious"] > 0
        assert m["fraud_subtle"] + m["fraud_obvious"] == m["fraud"]
        for name in ("roc_auc", "roc_auc_subtle", "roc_auc_obvious", *RATES):
            assert _probability(m[name]), (doc_type, name, m[name])
        for name in ("genuine_mean_risk", "fraud_mean_risk"):
            assert 0 <= m[name] <= 100

        assert [b["metric"] for b in section["budgets"]] == [b[0] for b in run_quality.BUDGETS]
        for budget in section["budgets"]:
            assert _probability(budget["measured"]) and isinstance(budget["met"], bool)

        assert [row["pattern"] for row in section["patterns"]] == list(patterns(doc_type))
        assert sum(row["count"] for row in section["patterns"]) >= m["fraud"]
        for row in section["patterns"]:
            assert isinstance(row["count"], int) and row["count"] >= 0
            assert row["mean_risk"] is None or 0 <= row["mean_risk"] <= 100
            for name in ("reject_rate", "caught_rate", "caught_subtle", "caught_obvious"):
                assert _share_or_none(row[name]), (doc_type, row)

        assert section["variations"]
        for row in section["variations"]:
            assert 1 <= row["count"] <= m["genuine"]
            assert all(_probability(row[k]) for k in ("reject_rate", "flagged_rate", "anomalous_rate"))
        for reason in section["genuine_reject_reasons"]:
            assert isinstance(reason["code"], str) and reason["code"]
            assert 1 <= reason["count"] and _probability(reason["share_of_rejected"])
        escalated = sum(row["count"] for row in section["genuine_escalate_rules"])
        assert escalated == round(m["genuine_escalate_rate"] * m["genuine"])
        assert all(row["rule"] != "not given" for row in section["genuine_escalate_rules"])
        for row in section["genuine_hard_reasons"]:
            assert 1 <= row["count"] <= m["genuine"] and _probability(row["share_of_genuine"])
        assert section["server"]["model_version"]

    text = run_quality.markdown(report)
    assert text.startswith("# Quality on independent documents")
    for heading in ("## Summary", "## Per type", "## Reproducing"):
        assert heading in text
    for doc_type in TYPES:
        assert f"### {doc_type}" in text
        assert f"| {doc_type} |" in text  # its summary row
    assert text.count("Per fraud pattern") == len(TYPES)
    assert text.count("Reason codes most often given on genuine documents that were REJECTed") == len(TYPES)
    assert text.count("Genuine variations that draw the most flags") == len(TYPES)
    assert text.count("Why genuine documents were ESCALATEd") == len(TYPES)
    assert text.count("Hard reasons given on genuine documents") == len(TYPES)
