"""Logs carry no document contents, and every error response can be found in them by its request id.

Realistic API traffic for all four types (analyses with names, routing and account numbers;
reviews; bad input; admin calls; a retrain on the reviewed documents; a store outage; an
unexpected exception; access-logged requests through a real WSGI server) runs with every
logger at DEBUG. Then no captured line, from caplog or from the app's own root handler,
may contain a routing number, an account number, a name, any other text value of a
document, a review note or the admin token; and every error response's request id is in
its X-Request-ID header and in a log line.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import threading

import pytest

from document_types import DOCUMENT_TYPES
from domain.records import LabelQuery
from support.api import amount_fields, text_fields
from support.app import AUTH, TOKEN, make_config
from support.held_retraining import hold_retraining_processes
from support.retraining import small_config

HAND_WRITTEN = {
    "paystub": {
        "company_name": "Quillfeather Logistics",
        "company_address": "4471 Wrenfield Ave, Tulsa, OK",
        "employee_name": "Maria Okonkwo-Garcia",
        "employee_id": "E7781234",
        "pay_date": "2026-10-03",
        "gross_pay": "$3,210.55",
        "net_pay": 2345.26,
        "federal_tax": 385.27,
        "state_tax": 128.42,
        "social_security": 199.05,
        "medicare": 46.55,
        "ytd_gross": 57789.9,
        "ytd_net": 42214.68,
    },
    "check": {
        "bank_name": "First Harbourview Bank",
        "routing_number": "021000021",
        "account_number": "4417123456789",
        "check_number": "1042",
        "payer_name": "Jameson Whitfield",
        "payer_address": "18 Larkspur Ct, Reno, NV",
        "payee_name": "Acme Plumbing Brothers",
        "amount_numeric": "$1,250.00",
        "amount_written": "One Thousand Two Hundred Fifty and 00/100 Dollars",
        "check_date": "2026-11-10",
        "signature_present": True,
        "memo": "Invoice 88231 kitchen",
        "micr_line": "⑆021000021⑆ 4417123456789⑈ 1042",
    },
    "money_order": {
        "issuer": "USPS",
        "serial_number": "70931158203",
        "amount": 450.0,
        "amount_written": "Four Hundred Fifty and 00/100",
        "purchaser_name": "Linda Brownstone-Ruiz",
        "purchaser_address": "902 Quarry Hill Rd, Boise, ID",
        "payee_name": "Oakhaven Apartments LLC",
        "issue_date": "2026-11-15",
    },
    "bank_statement": {
        "bank_name": "Lakeside Credit Union",
        "account_holder": "Davide Kimura",
        "account_number": "000123456789",
        "statement_start": "2026-10-01",
        "statement_end": "2026-10-31",
        "opening_balance": 1523.17,
        "closing_balance": 2380.54,
        "total_deposits": 2143.56,
        "total_withdrawals": 1286.19,
        "transactions": [
            {
                "date": "2026-10-02",
                "description": "PAYROLL QUILLFEATHER LOGISTICS",
                "amount": 2143.56,
                "balance": 3666.73,
            },
            {"date": "2026-10-05", "description": "RENT OAKHAVEN APTS 4471", "amount": -1237.40, "balance": 2429.33},
            {"date": "2026-10-09", "description": "ZELLE TO MARIA OKONKWO", "amount": -48.79, "balance": 2380.54},
        ],
    },
}
NOTE = "Called Maria Okonkwo-Garcia at 555-0199; account 4417123456789 confirmed by Jameson Whitfield"


SERVICE_WORDS = {"Internal"}


def secrets_of(doc_type, document) -> set[str]:
    """Every text value of a document (names, ids, routing and account numbers, addresses, memos)."""
    values = {document.get(field) for field in text_fields(doc_type)}
    values |= {t.get("description") for t in document.get("transactions") or []}
    values = {str(v) for v in values if v is not None and len(str(v)) >= 6}
    # The digit runs too, so "4417123456789" is caught inside a MICR line or a message.
    parts = {part for v in values for part in v.replace("⑆", " ").replace("⑈", " ").split() if len(part) >= 8}
    # A memo's word such as "Internal" is also a word of the service's own messages ("Internal error").
    return (values | parts) - SERVICE_WORDS


class Capture:
    """caplog's records plus the formatted output of the app's own root handler."""

    def __init__(self, caplog):
        self.caplog = caplog
        self.stream = io.StringIO()
        self.handler = next(h for h in logging.getLogger().handlers if getattr(h, "_fraud_api", False))
        self.previous = self.handler.setStream(self.stream)

    def lines(self) -> list[str]:
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        records = [formatter.format(record) for record in self.caplog.records]
        return records + self.stream.getvalue().splitlines()

    def close(self):
        self.handler.setStream(self.previous)


@pytest.fixture
def scenario_app(models_dir, tmp_path, monkeypatch):
    from api_server import create_app

    release = hold_retraining_processes(monkeypatch)
    app = create_app(
        make_config(
            models_dir,
            f"sqlite:///{tmp_path}/docs.db",
            ADMIN_API_TOKEN=TOKEN,
            RETRAINING_CONFIG_PATH=small_config(tmp_path),
            LOG_LEVEL="DEBUG",
        )
    )
    yield app
    release.set()
    app.extensions["fraud_detection"].store.close()


def served(app):
    """The app behind werkzeug's real WSGI server, whose access log goes through the `werkzeug` logger."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def http_call(server, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    connection.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), payload


def test_logs_hold_no_document_contents_and_errors_carry_their_request_id(scenario_app, caplog, monkeypatch, tmp_path):
    app, client = scenario_app, scenario_app.test_client()
    caplog.set_level(logging.DEBUG)  # every logger, including SQLAlchemy's and werkzeug's
    capture = Capture(caplog)
    secrets: set[str] = {TOKEN, NOTE}
    errors: list[tuple[str, int]] = []  # (request id, status) of every error response

    def call(method, path, expect=None, **kwargs):
        response = client.open(path, method=method, **kwargs)
        assert response.status_code < 500 or expect == response.status_code, (
            path,
            response.get_data(as_text=True)[:300],
        )
        if expect is not None:
            assert response.status_code == expect, (path, response.get_data(as_text=True)[:300])
        if response.status_code >= 400 and response.is_json and "request_id" in response.json:
            assert response.json["request_id"] == response.headers["X-Request-ID"]
            errors.append((response.json["request_id"], response.status_code))
        return response

    try:
        ids = {}
        for name, doc_type in DOCUMENT_TYPES.items():
            documents = [HAND_WRITTEN[name], *doc_type.generator.generate(6, 77, fraud_rate=0.5).documents]
            for document in documents:
                secrets |= secrets_of(doc_type, document)
                body = call("POST", f"/api/{doc_type.slug}/analyze", 200, json=document).json
                ids.setdefault(name, []).append(body["document_id"])
            slug, first = doc_type.slug, ids[name][0]
            call(
                "POST",
                f"/api/{slug}/{first}/review",
                200,
                json={"decision": "REJECT", "reviewer": "Ana Reviewer", "notes": NOTE},
            )
            for other in ids[name][1:]:
                call("POST", f"/api/{slug}/{other}/review", 200, json={"decision": "APPROVE", "reviewer": "Ben Q"})
            call("GET", f"/api/{slug}/{first}", 200)
            call("GET", f"/api/{slug}?recommendation=REJECT&reviewed=true&limit=5", 200)
            call("GET", f"/api/{slug}/models", 200)
            # Bad input, each error quoting document values back to the client (never into the log).
            field = text_fields(doc_type)[0]
            secret = HAND_WRITTEN[name][field]
            call("POST", f"/api/{slug}/analyze", 400, json={field: {"name": secret}})
            call("POST", f"/api/{slug}/analyze", 400, json={"text_quality": secret, field: secret})
            amount = amount_fields(doc_type)[0]
            call("POST", f"/api/{slug}/analyze", 400, json={amount: f"{secret} owes 12"})
            call(
                "POST",
                f"/api/{slug}/analyze",
                400,
                data=json.dumps(HAND_WRITTEN[name])[:-9],
                content_type="application/json",
            )
            call(
                "POST",
                f"/api/{slug}/analyze",
                400,
                data=json.dumps({field: secret + "\x00"}),
                content_type="application/json",
            )
            call("POST", f"/api/{slug}/analyze", 415, data=json.dumps(HAND_WRITTEN[name]), content_type="text/plain")
            call("POST", f"/api/{slug}/analyze", 413, json={field: secret + "x" * 1_100_000})
            call(
                "POST",
                f"/api/{slug}/{first}/review",
                400,
                json={"decision": "MAYBE", "reviewer": secret, "notes": NOTE},
            )
            call("GET", f"/api/{slug}/{secret.replace(' ', '-')}", 404)
            call("GET", f"/api/{slug}?colour={secret.replace(' ', '+')}", 400)
        secrets |= {"Ana Reviewer"}
        secrets |= {"4417123456789", "021000021", "000123456789"}

        # Admin calls, right and wrong.
        job_id = call("POST", "/api/checks/retrain-model", 202, headers=AUTH).json["job_id"]
        call("POST", "/api/checks/retrain-model", 409, headers=AUTH)
        call("GET", f"/api/retraining/jobs/{job_id}", 200, headers=AUTH)
        call("GET", "/api/retraining/jobs/nope", 404, headers=AUTH)
        call("GET", "/api/retraining/status", 200, headers=AUTH)
        call("POST", "/api/paystubs/rollback", 409, headers=AUTH)
        call("POST", "/api/paystubs/rollback", 404, headers=AUTH, json={"version": "20000101_000000"})
        call("POST", "/api/paystubs/rollback", 400, headers=AUTH, json={"version": "../Maria Okonkwo-Garcia"})
        call("GET", "/api/retraining/status", 401, headers={"Authorization": f"Bearer {TOKEN[:-1]}"})
        call("GET", "/api/retraining/status", 401)

        # A retrain on the reviewed documents, in process so its logs are captured too.
        from training.automated_retraining import DocumentModelRetrainer
        from training.retraining_config import load_config

        config = load_config(small_config(tmp_path, min_real_samples_for_hybrid=5))
        store = app.extensions["fraud_detection"].store
        assert store.count_labelled("checks", LabelQuery(min_confidence=0.99)) >= 5
        result = DocumentModelRetrainer(
            "check", store=store, app_config=app.config["FRAUD_CONFIG"], config=config
        ).retrain()
        assert result["data_source"] == "hybrid", result

        # Access-logged requests through a real server (werkzeug's request log).
        server = served(app)
        try:
            status, headers, _ = http_call(server, "POST", "/api/checks/analyze", HAND_WRITTEN["check"])
            assert status == 200
            status, headers, payload = http_call(server, "GET", f"/api/checks/{ids['check'][0]}")
            assert status == 200
            status, headers, payload = http_call(
                server, "POST", "/api/checks/analyze", {"account_number": 4417123456789}
            )
            assert status == 400 and headers["X-Request-ID"] == json.loads(payload)["request_id"]
            errors.append((headers["X-Request-ID"], status))
        finally:
            server.shutdown()
        assert any(r.name == "werkzeug" and "/api/checks/analyze" in r.getMessage() for r in caplog.records)

        # The store goes away: analyses are kept in the outbox, reads answer 503.
        sql = store.store
        with sql.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE paystubs RENAME TO paystubs_away")
        assert call("POST", "/api/paystubs/analyze", 200, json=HAND_WRITTEN["paystub"]).json["stored"] is False
        call("GET", "/api/paystubs?limit=3", 503)
        call("GET", f"/api/paystubs/{ids['paystub'][0]}", 503)
        call(
            "POST",
            f"/api/paystubs/{ids['paystub'][0]}/review",
            503,
            json={"decision": "REJECT", "reviewer": "x", "notes": NOTE},
        )
        with sql.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE paystubs_away RENAME TO paystubs")
        assert store.flush().sent == 1

        # An unexpected exception whose message quotes the document.
        detector = app.extensions["fraud_detection"].detectors["check"]

        def broken(fields):
            raise ValueError(f"cannot score account {fields.account_number} of {fields.payer_name}")

        monkeypatch.setattr(detector, "score", broken)
        call("POST", "/api/checks/analyze", 500, json=HAND_WRITTEN["check"])
    finally:
        capture.close()

    lines = capture.lines()
    assert len(lines) > 100
    leaks = [(secret, line[:300]) for line in lines for secret in secrets if secret in line]
    assert not leaks, leaks[:20]
    # Every error response is in the log, under its request id (the app handler's format carries it).
    handler_lines = capture.stream.getvalue()
    missing = [(rid, status) for rid, status in errors if rid not in handler_lines]
    assert not missing, missing
    assert len(errors) >= 50
    print(
        f"\nlog privacy: {len(lines)} log lines checked for {len(secrets)} secret values; {len(errors)} error responses"
    )


def test_the_supabase_key_stays_out_of_debug_logs(caplog):
    """supabase-py's HTTP/2 client sends the service-role key in an `apikey` header, which hpack logs
    at DEBUG; the store keeps hpack quiet, whatever LOG_LEVEL says."""
    h2_connection = pytest.importorskip("h2.connection")
    import h2.config

    import store.supabase  # noqa: F401  (importing the store is what quiets hpack)

    key = "sb-service-role-" + "k" * 40
    caplog.set_level(logging.DEBUG)
    connection = h2_connection.H2Connection(h2.config.H2Configuration(client_side=True))
    connection.initiate_connection()
    connection.send_headers(
        1,
        [
            (":method", "GET"),
            (":path", "/rest/v1/paystubs"),
            (":scheme", "https"),
            (":authority", "project.supabase.co"),
            ("apikey", key),
            ("authorization", f"Bearer {key}"),
        ],
    )
    assert key not in caplog.text
    logging.getLogger("hpack").setLevel(logging.DEBUG)  # the control: unguarded, hpack does log it
    try:
        connection.send_headers(
            3,
            [
                (":method", "GET"),
                (":path", "/rest/v1/checks"),
                (":scheme", "https"),
                (":authority", "project.supabase.co"),
                ("apikey", key),
            ],
        )
        assert key in caplog.text
    finally:
        logging.getLogger("hpack").setLevel(logging.INFO)
