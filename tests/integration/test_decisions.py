"""Decisions through the API: evidence on every reason, missing data escalated, thresholds shown, signed features."""

from __future__ import annotations

import numpy as np
import pytest

from document_types import DOCUMENT_TYPES
from support.api import PAYSTUB  # a genuine, complete paystub

TYPES = list(DOCUMENT_TYPES.values())
ZERO_FEDERAL_TAX = dict(PAYSTUB, federal_tax=0.0, net_pay=2730.53, ytd_net=49149.60)  # an exempt employee
HEAVY_FEDERAL_TAX = dict(  # 88% federal tax and nothing left: no genuine stub looks like this
    PAYSTUB, federal_tax=2825.28, state_tax=128.42, social_security=199.05, medicare=46.55, other_deductions=11.25
)
HEAVY_FEDERAL_TAX["net_pay"] = 0.0


def analyze(client, slug, body):
    response = client.post(f"/api/{slug}/analyze", json=body)
    assert response.status_code == 200, response.json
    return response.json


def test_ocr_dropping_the_pay_period_escalates_and_asks_for_it(client):
    result = analyze(client, "paystubs", dict(PAYSTUB, pay_period_start=None, pay_period_end=""))
    assert result["recommendation"] == "ESCALATE"
    incomplete = next(r for r in result["reasons"] if r["code"] == "INCOMPLETE_DOCUMENT")
    assert incomplete["severity"] == "soft"
    assert incomplete["fields"] == ["pay_period_start", "pay_period_end"]
    assert "ask the applicant for: pay_period_start, pay_period_end" in incomplete["message"]


@pytest.mark.parametrize("doc_type", TYPES, ids=lambda t: t.name)
def test_a_document_with_every_key_field_missing_is_escalated_never_rejected(client, doc_type):
    result = analyze(client, doc_type.slug, {"text_quality": 0.9})
    assert result["recommendation"] == "ESCALATE"
    incomplete = next(r for r in result["reasons"] if r["code"] == "INCOMPLETE_DOCUMENT")
    # The key fields, and any a type asks for when nothing else on the document stands in for them.
    assert incomplete["fields"][: len(doc_type.schema.key_fields)] == list(doc_type.schema.key_fields)


@pytest.mark.parametrize("doc_type", TYPES, ids=lambda t: t.name)
def test_every_reason_carries_its_evidence_and_every_reject_a_hard_reason(client, doc_type):
    batch = doc_type.generator.generate(60, 606, fraud_rate=0.7)
    rejected = 0
    for document in batch.documents:
        result = analyze(client, doc_type.slug, document)
        for reason in result["reasons"]:
            assert set(reason) == {"code", "severity", "message", "fields", "expected", "actual"}
            assert reason["severity"] in ("hard", "soft", "info") and isinstance(reason["fields"], list)
        decision = result["decision"]
        assert decision["escalate_threshold"] < decision["reject_threshold"] and decision["rule"]
        if result["recommendation"] == "REJECT":
            rejected += 1
            assert any(reason["severity"] == "hard" for reason in result["reasons"]), result["reasons"]
            assert result["risk_score"] >= decision["reject_threshold"] or "decisive" in decision["rule"]
    assert rejected > 0


def test_models_show_the_threshold_table_and_the_thresholds_in_force(client):
    body = client.get("/api/paystubs/models").json
    active = next(v for v in body["versions"] if v["active"])
    table = active["thresholds"]["table"]
    assert [row["threshold"] for row in table] == [float(t) for t in range(1, 101)]
    rates = [row["false_positive_rate"] for row in table]
    assert all(a >= b for a, b in zip(rates, rates[1:]))  # fewer genuine documents above a higher threshold
    assert active["thresholds"]["targets"] == {"max_false_reject_rate": 0.01, "max_escalate_rate": 0.05}
    assert set(active["thresholds"]["chosen"]) == {"escalate", "reject"}
    assert active["calibration"]["method"] == "sigmoid"
    policy = body["policy"]
    assert body["thresholds"]["reject"] >= policy["min_thresholds"]["reject"]
    assert body["thresholds_from"] == "version targets"
    assert "DEDUCTIONS_DO_NOT_ADD_UP" in policy["hard_reasons"]
    result = analyze(client, "paystubs", PAYSTUB)
    assert result["decision"]["reject_threshold"] == body["thresholds"]["reject"]
    assert result["decision"]["escalate_threshold"] == body["thresholds"]["escalate"]


def test_top_features_are_signed_contributions_to_the_model_score(client):
    detector = client.application.extensions["fraud_detection"].detectors["paystub"]
    loaded = detector.current
    forged = dict(PAYSTUB, net_pay=3900.0, ytd_gross=1200.0)
    result = analyze(client, "paystubs", forged)
    features = result["top_features"]
    assert features
    assert [abs(f["contribution"]) for f in features] == sorted(
        (abs(f["contribution"]) for f in features), reverse=True
    )
    stored = client.get(f"/api/paystubs/{result['document_id']}").json["features"]
    row = np.array([[stored[name] for name in loaded.feature_names]], dtype=np.float32)
    for feature in features:
        what_if = row.copy()
        j = loaded.feature_names.index(feature["feature"])
        what_if[0, j] = loaded.typical[j]
        expected = result["decision"]["model_score"] - float(loaded.ensemble.predict(what_if)[0])
        assert feature["contribution"] == pytest.approx(expected, abs=0.02)
        assert feature["towards"] == ("fraud" if feature["contribution"] > 0 else "genuine")


def test_the_same_document_gets_the_same_decision_alone_and_in_a_batch(client):
    for document in (ZERO_FEDERAL_TAX, HEAVY_FEDERAL_TAX):
        alone = analyze(client, "paystubs", document)
        others = DOCUMENT_TYPES["paystub"].generator.generate(20, 5).documents
        response = client.post("/api/paystubs/analyze-batch", json=[*others[:10], document, *others[10:]])
        in_batch = response.json["results"][10]
        assert (in_batch["risk_score"], in_batch["recommendation"]) == (alone["risk_score"], alone["recommendation"])


def test_heavy_federal_tax_with_nothing_left_is_hard_evidence_never_approved(client):
    result = analyze(client, "paystubs", HEAVY_FEDERAL_TAX)
    assert result["recommendation"] in ("ESCALATE", "REJECT")
    implausible = next(r for r in result["reasons"] if r["code"] == "FEDERAL_TAX_IMPLAUSIBLE")
    assert implausible["severity"] == "hard" and "federal_tax" in implausible["fields"]
    assert implausible["actual"] is not None and implausible["expected"] is not None


def test_zero_federal_tax_is_soft_evidence_only(client):
    result = analyze(client, "paystubs", ZERO_FEDERAL_TAX)
    assert result["recommendation"] != "REJECT"
    assert {r["code"] for r in result["reasons"]} == {"NO_FEDERAL_TAX"}
    no_tax = next(r for r in result["reasons"] if r["code"] == "NO_FEDERAL_TAX")
    assert no_tax["severity"] == "soft" and no_tax["fields"] == ["federal_tax"]
