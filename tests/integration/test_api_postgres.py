"""The whole API on PostgreSQL: analyze, review, queue."""

from __future__ import annotations

import pytest

from support.app import make_config

pytestmark = pytest.mark.postgres


def test_analyze_review_and_queue_on_postgres(models_dir, postgres_url):
    from api_server import create_app

    app = create_app(make_config(models_dir, postgres_url))
    client = app.test_client()
    batch = app.extensions["fraud_detection"].types["check"].generator.generate(6, 8)
    ids = []
    for document in batch.documents:
        response = client.post("/api/checks/analyze", json=document)
        assert response.status_code == 200 and response.json["stored"] is True
        ids.append(response.json["document_id"])
    assert client.post(f"/api/checks/{ids[0]}/review", json={"decision": "REJECT", "reviewer": "r"}).status_code == 200
    listed = client.get("/api/checks?limit=10").json
    assert [i["document_id"] for i in listed["items"]] == ids[::-1]
    assert client.get(f"/api/checks/{ids[0]}").json["reviewer_decision"] == "REJECT"
    assert client.get("/readyz").json["database"] is True
    app.extensions["fraud_detection"].store.close()
