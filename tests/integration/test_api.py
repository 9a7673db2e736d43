"""The HTTP API over Flask's test client: every type end to end, bad input, review queue, metadata."""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate as validate_openapi

from document_types import DOCUMENT_TYPES
from store.document_store import StoreUnavailable
from support.api import PAYSTUB, error_fields
from support.app import make_config
from web.schemas import (
    AnalysisList,
    AnalysisResponse,
    ModelsResponse,
    ReadinessResponse,
    ReviewResponse,
    StoredAnalysis,
)

TYPES = list(DOCUMENT_TYPES.values())
FORGED_PAYSTUB = dict(
    PAYSTUB,
    gross_pay=3000.0,
    net_pay=3600.0,
    social_security=40.0,
    medicare=150.0,
    ytd_gross=1200.0,
    pay_date="2027-03-01",
    text_quality=0.41,
    federal_tax=None,
)


def analyze(client, slug, body, **kwargs):
    return client.post(f"/api/{slug}/analyze", json=body, **kwargs)


@pytest.mark.parametrize("doc_type", TYPES, ids=lambda t: t.name)
def test_every_type_is_scored_stored_and_read_back(client, doc_type):
    document = doc_type.generator.generate(1, 5, fraud_rate=0.0).documents[0]
    response = analyze(client, doc_type.slug, document)
    assert response.status_code == 200, response.json
    body = AnalysisResponse.model_validate(response.json)
    assert body.document_type == doc_type.name and body.stored
    assert body.model_version == client.application.extensions["fraud_detection"].detectors[doc_type.name].model_version
    assert set(body.model_scores) == {"random_forest", "xgboost"}
    stored = StoredAnalysis.model_validate(client.get(f"/api/{doc_type.slug}/{body.document_id}").json)
    assert stored.raw_fields == json.loads(json.dumps(document))
    assert stored.risk_score == body.risk_score and stored.ai_recommendation == body.recommendation
    assert set(stored.features) == set(doc_type.extractor.feature_names)


@pytest.mark.parametrize("doc_type", TYPES, ids=lambda t: t.name)
def test_fraudulent_and_genuine_documents_land_on_the_right_side(client, doc_type):
    batch = doc_type.generator.generate(120, 2024)  # a seed the models were not trained on
    genuine, unusual_genuine, fraud = [], [], []
    for document, label, patterns in zip(batch.documents, batch.labels, batch.patterns):
        result = analyze(client, doc_type.slug, document).json
        if label == 0:
            (unusual_genuine if result["anomaly"]["is_anomalous"] else genuine).append(result)
        elif len(patterns) >= 2:
            fraud.append(result)
    assert genuine and fraud
    # The anomaly threshold is the 95th percentile of genuine training documents: about 1 in 20 genuine
    # documents is unusual, and goes to a reviewer (ESCALATE, with the reason) rather than being approved.
    assert len(unusual_genuine) / (len(genuine) + len(unusual_genuine)) <= 0.15
    for result in unusual_genuine:
        assert result["recommendation"] != "APPROVE" or not client.application.config["FRAUD_CONFIG"].ANOMALY_ESCALATES
        assert "ANOMALOUS_DOCUMENT" in {r["code"] for r in result["reasons"]}
    recommendations = [r["recommendation"] for r in genuine + unusual_genuine]
    assert recommendations.count("REJECT") == 0
    # Genuine documents OCR left incomplete (about 6%) are escalated to ask for the missing fields.
    assert [r["recommendation"] for r in genuine].count("APPROVE") / len(genuine) >= 0.85
    for result in genuine:
        if result["recommendation"] == "ESCALATE":
            codes = {r["code"] for r in result["reasons"]}
            assert "INCOMPLETE_DOCUMENT" in codes or result["risk_score"] >= result["decision"]["escalate_threshold"]
    assert sum(r["recommendation"] != "APPROVE" for r in fraud) / len(fraud) >= 0.95
    # No REJECT without hard evidence (docs/decisions.md); most forgeries leave some.
    rejected = [r for r in fraud if r["recommendation"] == "REJECT"]
    assert all(any(reason["severity"] == "hard" for reason in r["reasons"]) for r in rejected)
    assert len(rejected) / len(fraud) >= 0.6


def test_hand_written_paystubs(client):
    genuine = analyze(client, "paystubs", PAYSTUB).json
    forged = analyze(client, "paystubs", FORGED_PAYSTUB).json
    assert genuine["recommendation"] == "APPROVE" and genuine["risk_level"] == "LOW"
    assert forged["recommendation"] == "REJECT" and forged["risk_level"] == "HIGH"
    codes = {r["code"] for r in forged["reasons"]}
    assert {
        "NET_EXCEEDS_GROSS",
        "YTD_BELOW_CURRENT",
        "PAY_DATE_IN_FUTURE",
        "LOW_TEXT_QUALITY",
        "SOCIAL_SECURITY_BELOW_STATUTORY_RATE",
        "MEDICARE_ABOVE_STATUTORY_RATE",
    } <= codes
    assert forged["top_features"] and 0 <= forged["confidence_score"] <= 1


def test_missing_fields_are_a_signal_not_an_error(client):
    response = analyze(client, "paystubs", {"gross_pay": 5000, "net_pay": None})
    assert response.status_code == 200
    missing = next(r for r in response.json["reasons"] if r["code"] == "INCOMPLETE_DOCUMENT")
    assert missing["message"].startswith("6 key field(s) missing")


def test_unknown_fields_are_ignored_with_a_warning(client):
    response = analyze(client, "paystubs", dict(PAYSTUB, bonus="yes", shoe_size=44))
    assert response.status_code == 200
    assert response.json["warnings"] == ["Unknown field ignored: bonus", "Unknown field ignored: shoe_size"]
    stored = client.get(f"/api/paystubs/{response.json['document_id']}").json
    assert "bonus" not in stored["raw_fields"]


@pytest.mark.parametrize(
    "body, fields",
    [
        (
            {"gross_pay": "abc", "pay_date": "31/31/2026", "text_quality": 3, "company_name": 12},
            {"gross_pay", "pay_date", "text_quality", "company_name"},
        ),
        ({"gross_pay": True}, {"gross_pay"}),
        ({"net_pay": [1, 2]}, {"net_pay"}),
        ({"employee_name": {"first": "x"}}, {"employee_name"}),
        ({"gross_pay": 1e300 * 10}, {"gross_pay"}),
        ({"gross_pay": 10**30}, {"gross_pay"}),
        ({"company_name": "x" * 5000}, {"company_name"}),
        ([PAYSTUB], {"body"}),
        ("just a string", {"body"}),
        (None, {"body"}),
        ({}, {"body"}),
        ({"not_a_field": 1}, {"body"}),
    ],
)
def test_bad_documents_get_400_naming_every_field(client, body, fields):
    response = client.post("/api/paystubs/analyze", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert error_fields(response) == fields


def test_routing_number_as_json_number_is_refused(client):
    response = analyze(client, "checks", {"routing_number": 21000021, "amount_numeric": 10})
    assert response.status_code == 400 and error_fields(response) == {"routing_number"}


def test_bad_transaction_is_named_by_its_path(client):
    response = analyze(client, "bank-statements", {"transactions": [{"amount": 5}, {"amount": "lots"}]})
    assert response.status_code == 400 and error_fields(response) == {"transactions.1.amount"}


@pytest.mark.parametrize(
    "raw, content_type, status",
    [
        ('{"gross_pay": NaN}', "application/json", 400),
        ('{"gross_pay": Infinity}', "application/json", 400),
        ('{"gross_pay": 1', "application/json", 400),
        (b'\xff\xfe{"a"', "application/json", 400),
        ("[" * 100000 + "]" * 100000, "application/json", 400),
        ('{"a":' * 40 + "1" + "}" * 40, "application/json", 400),
        ("gross_pay=1", "application/x-www-form-urlencoded", 415),
        ('{"gross_pay": 1}', "text/plain", 415),
    ],
)
def test_malformed_bodies(client, raw, content_type, status):
    response = client.post("/api/paystubs/analyze", data=raw, content_type=content_type)
    assert response.status_code == status
    assert error_fields(response)


def test_body_over_the_size_limit_is_413_json(models_dir, tmp_path):
    from api_server import create_app

    app = create_app(make_config(models_dir, f"sqlite:///{tmp_path}/d.db", MAX_CONTENT_LENGTH=2048))
    response = app.test_client().post(
        "/api/paystubs/analyze", data=json.dumps({"company_name": "x" * 4000}), content_type="application/json"
    )
    assert response.status_code == 413 and error_fields(response) == {"body"}


def test_unknown_type_and_route_are_json_404(client):
    for path in ("/api/payslips/analyze", "/api/paystubs/nope", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404 and response.is_json


def test_wrong_method_is_json_405(client):
    response = client.put("/api/paystubs/analyze", json={})
    assert response.status_code == 405 and response.is_json


def test_storage_failure_still_answers_with_stored_false(client, monkeypatch):
    store = client.application.extensions["fraud_detection"].store

    def broken(*_args, **_kwargs):
        raise StoreUnavailable("database is away")

    monkeypatch.setattr(store, "save_analysis", broken)
    response = analyze(client, "paystubs", PAYSTUB)
    assert response.status_code == 200
    assert response.json["stored"] is False and response.json["risk_score"] >= 0


def test_review_is_recorded_and_queryable_as_a_label(client):
    document_id = analyze(client, "paystubs", FORGED_PAYSTUB).json["document_id"]
    response = client.post(f"/api/paystubs/{document_id}/review", json={"decision": "REJECT", "reviewer": "ana"})
    assert response.status_code == 200
    body = ReviewResponse.model_validate(response.json)
    assert body.reviewer_decision == "REJECT" and body.reviewer == "ana" and body.reviewed_at is not None
    # A later review replaces the earlier one.
    client.post(f"/api/paystubs/{document_id}/review", json={"decision": "APPROVE", "reviewer": "ben", "notes": "ok"})
    stored = client.get(f"/api/paystubs/{document_id}").json
    assert (stored["reviewer_decision"], stored["reviewer"], stored["review_notes"]) == ("APPROVE", "ben", "ok")
    store = client.application.extensions["fraud_detection"].store
    from domain.records import LabelQuery

    labels = {r.document_id: r.label for r in store.labelled_documents("paystubs", LabelQuery(min_confidence=0.99))}
    assert labels[document_id] == "APPROVE"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"decision": "ESCALATE", "reviewer": "ana"}, "decision"),
        ({"decision": "approve", "reviewer": "ana"}, "decision"),
        ({"decision": "REJECT"}, "reviewer"),
        ({"decision": "REJECT", "reviewer": ""}, "reviewer"),
        ({"decision": "REJECT", "reviewer": 7}, "reviewer"),
        ({"decision": "REJECT", "reviewer": "a", "extra": 1}, "extra"),
    ],
)
def test_bad_reviews_are_400(client, body, field):
    document_id = analyze(client, "paystubs", PAYSTUB).json["document_id"]
    response = client.post(f"/api/paystubs/{document_id}/review", json=body)
    assert response.status_code == 400 and field in error_fields(response)


def test_review_of_unknown_document_is_404(client):
    response = client.post("/api/paystubs/doesnotexist/review", json={"decision": "REJECT", "reviewer": "a"})
    assert response.status_code == 404 and error_fields(response) == {"document_id"}


def test_review_queue_lists_newest_first_with_filters_and_pages(client):
    ids = [analyze(client, "paystubs", FORGED_PAYSTUB).json["document_id"] for _ in range(5)]
    approved = analyze(client, "paystubs", PAYSTUB).json["document_id"]
    page = AnalysisList.model_validate(client.get("/api/paystubs?recommendation=REJECT&limit=3").json)
    assert [i.document_id for i in page.items] == ids[::-1][:3]
    assert page.next_before is not None
    rest = client.get(
        "/api/paystubs", query_string={"recommendation": "REJECT", "limit": 3, "before": page.next_before.isoformat()}
    ).json
    assert [i["document_id"] for i in rest["items"]] == ids[::-1][3:] and rest["next_before"] is None
    client.post(f"/api/paystubs/{ids[0]}/review", json={"decision": "REJECT", "reviewer": "a"})
    unreviewed = client.get("/api/paystubs?recommendation=REJECT&reviewed=false").json["items"]
    assert ids[0] not in [i["document_id"] for i in unreviewed] and len(unreviewed) == 4
    assert [i["document_id"] for i in client.get("/api/paystubs?recommendation=APPROVE").json["items"]] == [approved]
    assert client.get("/api/checks").json["count"] == 0


@pytest.mark.parametrize(
    "query, field",
    [
        ("recommendation=MAYBE", "recommendation"),
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("limit=ten", "limit"),
        ("before=yesterday", "before"),
        ("reviewed=perhaps", "reviewed"),
        ("colour=red", "colour"),
    ],
)
def test_bad_list_parameters_are_400(client, query, field):
    response = client.get(f"/api/paystubs?{query}")
    assert response.status_code == 400 and field in error_fields(response)


def test_models_endpoint_shows_versions_and_metrics(client):
    body = ModelsResponse.model_validate(client.get("/api/checks/models").json)
    assert body.active_version == body.loaded_version
    active = [v for v in body.versions if v.active]
    assert len(active) == 1 and active[0].valid and active[0].metrics["roc_auc"] > 0.9


def test_health_and_readiness(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = ReadinessResponse.model_validate(client.get("/readyz").json)
    assert ready.status == "ready" and all(ready.models.values()) and ready.database


def test_not_ready_without_a_model(models_dir, tmp_path):
    import shutil

    from api_server import create_app

    shutil.rmtree(models_dir / "money_order")
    app = create_app(make_config(models_dir, f"sqlite:///{tmp_path}/d.db"))
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["models"]["money_order"] is None
    scored = analyze(client, "money-orders", {"amount": 100})
    assert scored.status_code == 503 and scored.is_json
    assert analyze(client, "paystubs", PAYSTUB).status_code == 200


def test_openapi_document_is_valid_and_matches_the_routes(client):
    document = client.get("/openapi.json").json
    validate_openapi(document)
    app = client.application
    slugs = [t.slug for t in TYPES]
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            expanded = [path.replace("<doctype:doc_type>", s) for s in slugs] if "<doctype" in path else [path]
            served |= {(p, method.lower()) for p in expanded}
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert served == documented
    for doc_type in TYPES:  # each type's analyze route takes that type's fields
        request = document["paths"][f"/api/{doc_type.slug}/analyze"]["post"]["requestBody"]
        assert request["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{doc_type.schema.__name__}"
        }


def test_cors_allows_configured_origins_only(client):
    allowed = client.get("/api/paystubs", headers={"Origin": "http://localhost:5173"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "http://localhost:5173"
    refused = client.get("/api/paystubs", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers
    preflight = client.options(
        "/api/paystubs/analyze",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.headers.get("Access-Control-Allow-Origin") == "http://localhost:3000"
    assert "POST" in preflight.headers.get("Access-Control-Allow-Methods", "")
    # Not a browser (no Origin): no CORS headers at all, rather than every allowed origin at once.
    assert not any(name.startswith("Access-Control-") for name in client.get("/api/paystubs").headers.keys())


def test_request_id_is_echoed_and_in_errors(client):
    response = client.post("/api/paystubs/analyze", json=[], headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123" and response.json["request_id"] == "abc-123"
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 16


def test_a_json_answer_reaches_the_wsgi_server_as_one_buffer_and_a_stream_stays_a_stream(app):
    from flask import Response
    from werkzeug.test import EnvironBuilder

    closed = []

    def streamed():
        response = Response(iter([b"a", b"b"]), mimetype="text/plain")
        response.call_on_close(lambda: closed.append("stream"))
        return response

    app.add_url_rule("/_stream", "stream", streamed)
    started = []

    def call(path, **kwargs):
        environ = EnvironBuilder(path=path, **kwargs).get_environ()
        return app(environ, lambda status, headers, exc_info=None: started.append(status))

    body = call("/api/paystubs/analyze", method="POST", json=PAYSTUB)
    assert isinstance(body, list) and len(body) == 1 and started[-1] == "200 OK"
    assert json.loads(body[0])["document_type"] == "paystub"
    stream = call("/_stream")
    assert not isinstance(stream, list) and closed == []
    assert b"".join(stream) == b"ab"
    stream.close()
    assert closed == ["stream"]
