"""Hand-written hostile input on every JSON route, every document type and every text field.

Whatever arrives, the answer is a 200 or a 4xx JSON error naming the field, never a 500:
deep nesting, numbers beyond a float (1e400, a 1000-digit integer), NaN and Infinity,
strings in number fields, 10 MB bodies (chunked too), path traversal in version names and
ids, and unicode (RTL marks, emoji, NUL, unpaired surrogates) in every text field. Text a
database cannot store (NUL, unpaired surrogates) is refused up front, so it can neither fail
a PostgreSQL write nor block the outbox behind it. test_api.py holds the basic cases.
"""

# Hostile bodies are built byte by byte with %-formatting on purpose:
# ruff: noqa: UP031
from __future__ import annotations

import io
import json

import pytest

from document_types import DOCUMENT_TYPES
from models.model_store import ModelStore
from support.api import amount_fields, error_fields, text_fields
from support.app import AUTH, TOKEN, make_config

TYPES = list(DOCUMENT_TYPES.values())
BIG_INT = "1" + "0" * 1000  # 10**1000 as a JSON literal


@pytest.fixture
def app(models_dir, tmp_path):
    from api_server import create_app

    app = create_app(make_config(models_dir, f"sqlite:///{tmp_path}/docs.db", ADMIN_API_TOKEN=TOKEN))
    yield app
    app.extensions["fraud_detection"].store.close()


@pytest.fixture
def document_id(client):
    return client.post("/api/paystubs/analyze", json={"employee_name": "Maria Garcia", "gross_pay": 100}).json[
        "document_id"
    ]


def send(client, method, path, raw=None, headers=None, **kwargs):
    """One request with a raw body; asserts the contract every answer keeps: JSON, and no 5xx."""
    if raw is not None:
        kwargs.update(data=raw if isinstance(raw, (bytes, str)) else json.dumps(raw), content_type="application/json")
    response = client.open(path, method=method, headers=headers or {}, **kwargs)
    assert response.status_code < 500, (path, str(raw)[:200], response.get_data(as_text=True)[:500])
    assert response.is_json, (path, response.data[:200])
    return response


def assert_refused(response, *fields, status=400):
    assert response.status_code == status, response.json
    named = error_fields(response)
    assert set(fields) <= named, (fields, response.json)
    assert response.json["request_id"] == response.headers["X-Request-ID"]


def json_routes(document_id):
    """(path, headers, a field of its body) for every route that reads a JSON body."""
    routes = [(f"/api/{t.slug}/analyze", {}, text_fields(t)[0]) for t in TYPES]
    routes.append((f"/api/paystubs/{document_id}/review", {}, "reviewer"))
    routes.append(("/api/paystubs/rollback", AUTH, "version"))
    return routes


def nested(depth: int, leaf="x", kind="list"):
    value = leaf
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


# --- nesting ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_deep_nesting_on_every_json_route(client, document_id, kind):
    for path, headers, field in json_routes(document_id):
        base = {"decision": "REJECT"} if path.endswith("/review") else {}
        # Just inside the limit: the field's type is wrong, and the error names it.
        assert_refused(send(client, "POST", path, {**base, field: nested(30, kind=kind)}, headers), field)
        # Past the limit, and far past it (Python's own recursion limit): refused before validation.
        assert_refused(send(client, "POST", path, {**base, field: nested(40, kind=kind)}, headers), "body")
        opener, closer = ("[", "]") if kind == "list" else ('{"k":', "}")
        raw = '{"%s": %s1%s}' % (field, opener * 100_000, closer * 100_000)
        assert_refused(send(client, "POST", path, raw, headers), "body")


def test_deep_nesting_inside_bank_statement_transactions(client):
    body = {"transactions": [{"amount": 1, "description": nested(28)}]}
    assert_refused(send(client, "POST", "/api/bank-statements/analyze", body), "transactions.0.description")
    body = {"transactions": [{"amount": 1, "memo": nested(40, kind="dict")}]}
    assert_refused(send(client, "POST", "/api/bank-statements/analyze", body), "body")


# --- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("doc_type", TYPES, ids=lambda t: t.name)
def test_huge_numbers_in_every_amount_field(client, doc_type):
    for field in amount_fields(doc_type) + ["text_quality"]:
        for literal in ("1e400", "-1e400", BIG_INT, "-" + BIG_INT, "1e308", "1e13"):
            response = send(client, "POST", f"/api/{doc_type.slug}/analyze", '{"%s": %s}' % (field, literal))
            assert_refused(response, field)
        # Tiny is fine: it reads as zero.
        assert send(client, "POST", f"/api/{doc_type.slug}/analyze", '{"%s": 1e-400}' % field).status_code == 200


@pytest.mark.parametrize("doc_type", TYPES, ids=lambda t: t.name)
def test_huge_numbers_in_text_fields(client, doc_type):
    for field in text_fields(doc_type):
        for literal in ("1e400", BIG_INT):
            assert_refused(
                send(client, "POST", f"/api/{doc_type.slug}/analyze", '{"%s": %s}' % (field, literal)), field
            )


def test_huge_numbers_where_the_schema_does_not_look(client, document_id):
    # Inside a transaction, under a key the schema ignores: 1e400 would be stored as Infinity, which
    # is not JSON and which PostgreSQL's jsonb refuses.
    raw = '{"transactions": [{"amount": 5, "balance": 1, "note": 1e400}]}'
    assert_refused(send(client, "POST", "/api/bank-statements/analyze", raw), "transactions.0.note")
    assert_refused(
        send(client, "POST", "/api/bank-statements/analyze", '{"transactions": [{"amount": %s}]}' % BIG_INT),
        "transactions.0.amount",
    )
    assert_refused(send(client, "POST", "/api/paystubs/analyze", '{"gross_pay": 1, "bonus": -1e400}'), "bonus")
    review = f"/api/paystubs/{document_id}/review"
    assert_refused(send(client, "POST", review, '{"decision": "REJECT", "reviewer": %s}' % BIG_INT), "reviewer")
    assert_refused(send(client, "POST", review, '{"decision": 1e400, "reviewer": "ana"}'), "decision")
    assert_refused(send(client, "POST", "/api/paystubs/rollback", '{"version": 1e400}', AUTH), "version")
    for limit in ("1e400", BIG_INT, "-" + BIG_INT, "inf", "nan"):
        assert_refused(send(client, "GET", f"/api/paystubs?limit={limit}"), "limit")
    assert_refused(send(client, "GET", "/api/paystubs?before=99999999-12-31"), "before")


def test_identifiers_given_as_huge_integers_are_held_to_the_text_limit(client):
    response = send(client, "POST", "/api/checks/analyze", '{"check_number": %s}' % BIG_INT)
    assert_refused(response, "check_number")
    assert send(client, "POST", "/api/checks/analyze", '{"check_number": 1042}').status_code == 200


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_on_every_json_route(client, document_id, literal):
    for path, headers, field in json_routes(document_id):
        assert_refused(send(client, "POST", path, '{"%s": %s}' % (field, literal), headers), "body")
    for doc_type in TYPES:
        for field in amount_fields(doc_type)[:2] + ["text_quality"]:
            raw = '{"%s": [1, %s]}' % (field, literal)
            assert_refused(send(client, "POST", f"/api/{doc_type.slug}/analyze", raw), "body")


@pytest.mark.parametrize("doc_type", TYPES, ids=lambda t: t.name)
def test_strings_in_number_fields(client, doc_type):
    bad = ["abc", "NaN", "Infinity", "-inf", "1e5", "0x10", "--5", "$", "12.34.56", "1,23", "5 dollars", "½"]
    for field in amount_fields(doc_type):
        for value in bad:
            assert_refused(send(client, "POST", f"/api/{doc_type.slug}/analyze", {field: value}), field)
    for value in ["nan", "inf", "-0.5", "1.5", "1_000", "high"]:
        assert_refused(send(client, "POST", f"/api/{doc_type.slug}/analyze", {"text_quality": value}), "text_quality")
    for value in ["0.9", " 0.9 ", ""]:  # numeric strings and blanks (not extracted) are fine
        assert send(client, "POST", f"/api/{doc_type.slug}/analyze", {"text_quality": value}).status_code == 200


def test_transaction_amounts_must_be_amounts(client):
    body = {"transactions": [{"amount": "NaN"}, {"amount": "1e400"}, {"balance": [1]}, {"date": 20261001}]}
    response = send(client, "POST", "/api/bank-statements/analyze", body)
    assert_refused(
        response, "transactions.0.amount", "transactions.1.amount", "transactions.2.balance", "transactions.3.date"
    )


# --- size ------------------------------------------------------------------------------


def test_ten_megabyte_bodies_are_413_on_every_json_route(client, document_id):
    ten_mb = json.dumps({"company_name": "x" * 10_000_000})
    for path, headers, _ in json_routes(document_id):
        assert_refused(send(client, "POST", path, ten_mb, headers), "body", status=413)
        # Chunked, so there is no Content-Length to refuse up front: still 413 once the limit is read.
        chunked = send(
            client,
            "POST",
            path,
            headers={**headers, "Transfer-Encoding": "chunked"},
            input_stream=io.BytesIO(ten_mb.encode()),
            content_type="application/json",
            environ_overrides={"wsgi.input_terminated": True},
        )
        assert_refused(chunked, "body", status=413)


def test_a_body_of_many_unknown_keys_gets_a_bounded_answer(client):
    """75,000 short unknown keys fit in 1 MB; one warning each would store and list megabytes per document."""
    body = {f"k{i}": 0 for i in range(75_000)}
    body["gross_pay"] = 10
    response = send(client, "POST", "/api/paystubs/analyze", body)
    assert response.status_code == 200
    warnings = response.json["warnings"]
    assert len(warnings) == 21 and warnings[-1] == "74980 more unknown fields ignored"
    assert len(response.data) < 10_000


# --- path traversal --------------------------------------------------------------------

TRAVERSAL_VERSIONS = [
    "../",
    "../../check/ml/models",
    "..%2f..%2fcheck",
    "%2e%2e%2f%2e%2e%2f",
    "..\\..\\check",
    "/etc/passwd",
    "{active}/../../check",
    "{active}/",
    "./{active}",
    "{active}\n",
    "{active}\x00",
    "{active} ",
    " {active}",
    "２０２６１１２２_０７３９２３",
    "{active}.json",
    "..",
    ".",
    "",
    "~",
    "{active}/../{active}",
]


def test_path_traversal_in_rollback_version_names(client, app):
    store = ModelStore(app.config["FRAUD_CONFIG"].models_dir("paystub"), "paystub")
    active = store.active_version()
    before = sorted(p.name for p in store.directory.parent.rglob("*"))
    for template in TRAVERSAL_VERSIONS:
        version = template.format(active=active)
        response = send(client, "POST", "/api/paystubs/rollback", {"version": version}, AUTH)
        assert_refused(response, "version")
        assert store.active_version() == active
    assert sorted(p.name for p in store.directory.parent.rglob("*")) == before  # nothing written anywhere


@pytest.mark.parametrize(
    "path",
    [
        "/api/paystubs/..%2f..%2fcheck/models",
        "/api/paystubs/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/api/%2e%2e/paystubs/models",
        "/api/paystubs/../checks/models",
        "/api/paystubs/%2e%2e/review",
        "/api/retraining/jobs/..%2f..%2f..%2fetc%2fpasswd",
        "/api/retraining/jobs/%2e%2e",
        "/api/paystubs/..%5c..%5cwin.ini",
        "/api/paystubs/%252e%252e%252f",
    ],
)
def test_path_traversal_in_ids(client, path):
    response = send(client, "GET", path, headers=AUTH)
    assert response.status_code in (404, 405), response.json
    assert error_fields(response) & {"document_id", "job_id", "request"}


def test_rollback_reads_a_chunked_body(client, app):
    """A chunked body has no Content-Length; the named version must still be the one activated."""
    response = send(
        client,
        "POST",
        "/api/paystubs/rollback",
        headers={**AUTH, "Transfer-Encoding": "chunked"},
        input_stream=io.BytesIO(b'{"version": "20000101_000000"}'),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_refused(response, "version", status=404)  # not the 409 of "no previous version"
    assert send(client, "POST", "/api/paystubs/rollback", headers=AUTH).status_code == 409  # no body at all
    assert send(client, "POST", "/api/paystubs/rollback", " \n", AUTH).status_code == 409


# --- unicode ---------------------------------------------------------------------------

STORABLE = [
    "\u202eevil\u202c",
    "\u200f\u05de\u05e8\u05d9\u05d4 \u05d2\u05e8\u05e1\u05d9\u05d4",
    "\u0645\u062d\u0645\u062f \u0639\u0644\u064a",
    "\U0001f4b8\U0001f3e6",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "e\u0301\u0301\u0301\u0301",
    "\ufeffBOM",
    "\u2066isolate\u2069",
    "\u0007bell\u001b[31m",
    "\uffff\U0010ffff",
    "Z\u0335\u0321a\u0337\u031bl\u0336go",
]
UNSTORABLE = ["a\x00b", "\x00", "\ud800", "x\udfff", "\udc00\ud800"]  # NUL; unpaired surrogates


def escaped(body) -> str:
    """JSON text with every non-ASCII character as a \\u escape, the way lone surrogates travel."""
    return json.dumps(body, ensure_ascii=True)


@pytest.mark.parametrize("doc_type", TYPES, ids=lambda t: t.name)
def test_unicode_in_every_text_field(client, doc_type):
    for field in text_fields(doc_type):
        for value in STORABLE:
            response = send(client, "POST", f"/api/{doc_type.slug}/analyze", escaped({field: value}))
            assert response.status_code == 200, (field, value, response.json)
            stored = send(client, "GET", f"/api/{doc_type.slug}/{response.json['document_id']}").json
            assert stored["raw_fields"][field] == value
        for value in UNSTORABLE:
            assert_refused(send(client, "POST", f"/api/{doc_type.slug}/analyze", escaped({field: value})), field)


def test_unicode_in_transactions_and_unknown_fields(client):
    body = {"transactions": [{"amount": 5, "description": value} for value in STORABLE]}
    response = send(client, "POST", "/api/bank-statements/analyze", escaped(body))
    assert response.status_code == 200
    stored = send(client, "GET", f"/api/bank-statements/{response.json['document_id']}").json
    assert [t["description"] for t in stored["raw_fields"]["transactions"]] == STORABLE
    for value in UNSTORABLE:
        body = {"transactions": [{"amount": 5}, {"amount": 1, "description": value}]}
        assert_refused(
            send(client, "POST", "/api/bank-statements/analyze", escaped(body)), "transactions.1.description"
        )
        body = {"transactions": [{"amount": 5, "ignored": value}]}
        assert_refused(send(client, "POST", "/api/bank-statements/analyze", escaped(body)), "transactions.0.ignored")
        # An unknown field's name, or value, that cannot be stored: named with the name escaped.
        response = send(client, "POST", "/api/paystubs/analyze", escaped({"gross_pay": 1, value: 1}))
        assert response.status_code == 400 and "\\u" in next(iter(error_fields(response)))
        assert_refused(
            send(client, "POST", "/api/paystubs/analyze", escaped({"gross_pay": 1, "extra": value})), "extra"
        )
    for value in STORABLE:  # storable names of unknown fields are ignored with a warning, as ever
        response = send(client, "POST", "/api/paystubs/analyze", escaped({"gross_pay": 1, value: 1}))
        assert response.status_code == 200 and response.json["warnings"]


def test_unicode_in_reviews(client, document_id):
    path = f"/api/paystubs/{document_id}/review"
    for value in STORABLE:
        response = send(client, "POST", path, escaped({"decision": "REJECT", "reviewer": value, "notes": value}))
        assert response.status_code == 200, response.json
        assert response.json["reviewer"] == value and response.json["review_notes"] == value
    for value in UNSTORABLE:
        assert_refused(send(client, "POST", path, escaped({"decision": "REJECT", "reviewer": value})), "reviewer")
        assert_refused(
            send(client, "POST", path, escaped({"decision": "REJECT", "reviewer": "a", "notes": value})), "notes"
        )
        assert_refused(send(client, "POST", path, escaped({"decision": value, "reviewer": "a"})), "decision")
    stored = send(client, "GET", f"/api/paystubs/{document_id}").json
    assert stored["reviewer"] == STORABLE[-1]  # the refused reviews changed nothing


def test_unicode_in_version_names_ids_and_query_strings(client, document_id):
    for value in STORABLE + UNSTORABLE:
        assert_refused(send(client, "POST", "/api/paystubs/rollback", escaped({"version": value}), AUTH), "version")
    for quoted in ("a%00b", "%00", "%E2%80%AEevil", "%F0%9F%92%B8", "%ED%A0%80", "%FF%FE"):
        response = send(client, "GET", f"/api/paystubs/{quoted}")
        assert response.status_code in (400, 404) and error_fields(response) == {"document_id"}
        response = send(client, "POST", f"/api/paystubs/{quoted}/review", {"decision": "REJECT", "reviewer": "a"})
        assert response.status_code in (400, 404) and error_fields(response) == {"document_id"}
        response = send(client, "GET", f"/api/retraining/jobs/{quoted}", headers=AUTH)
        assert response.status_code in (400, 404) and error_fields(response) == {"job_id"}
        response = send(client, "GET", f"/api/paystubs?recommendation={quoted}")
        assert_refused(response, "recommendation")
        response = send(client, "GET", f"/api/paystubs?{quoted}=1")
        assert response.status_code == 400
    assert_refused(send(client, "GET", "/api/paystubs/a%00b"), "document_id")
    assert_refused(send(client, "GET", "/api/retraining/jobs/a%00b", headers=AUTH), "job_id")


def test_a_request_id_with_a_newline_is_replaced_not_echoed(client):
    for supplied in ("abc\n", "abc\r\nSet-Cookie: x=1", "a" * 65, "a b", "\u202eabc"):
        response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": supplied})
        assert response.status_code == 200 and len(response.headers["X-Request-ID"]) == 16
        assert "\n" not in response.headers["X-Request-ID"]


# --- PostgreSQL: hostile text never reaches the database -----------------------------------


@pytest.mark.postgres
def test_unstorable_text_neither_fails_a_postgres_write_nor_blocks_the_outbox(models_dir, postgres_url):
    from api_server import create_app

    app = create_app(make_config(models_dir, postgres_url, ADMIN_API_TOKEN=TOKEN))
    client = app.test_client()
    try:
        hostile = [
            {"employee_name": "a\x00b"},
            {"employee_name": "\ud800"},
            {"gross_pay": 1, "\x00": 1},
            {"gross_pay": 1, "bonus": "\udfff"},
        ]
        for body in hostile:
            assert send(client, "POST", "/api/paystubs/analyze", escaped(body)).status_code == 400
        raw = '{"transactions": [{"amount": 5, "note": 1e400}, {"amount": 1, "x": "\\u0000"}]}'
        assert send(client, "POST", "/api/bank-statements/analyze", raw).status_code == 400
        for value in STORABLE:
            response = send(client, "POST", "/api/paystubs/analyze", escaped({"employee_name": value, "gross_pay": 1}))
            assert response.status_code == 200 and response.json["stored"] is True, response.json
            stored = send(client, "GET", f"/api/paystubs/{response.json['document_id']}").json
            assert stored["raw_fields"]["employee_name"] == value
        document_id = response.json["document_id"]
        assert send(client, "GET", "/api/paystubs/a%00b").status_code == 400  # was a 503 from the database
        assert (
            send(client, "POST", "/api/paystubs/a%00b/review", {"decision": "REJECT", "reviewer": "a"}).status_code
            == 400
        )
        assert send(client, "GET", "/api/retraining/jobs/a%00b", headers=AUTH).status_code == 400  # was a 500
        review = escaped({"decision": "REJECT", "reviewer": "a\x00"})
        assert send(client, "POST", f"/api/paystubs/{document_id}/review", review).status_code == 400
        assert app.extensions["fraud_detection"].store.outbox.pending() == 0
    finally:
        app.extensions["fraud_detection"].store.close()


@pytest.mark.parametrize(
    "raw",
    [
        '{"employee_name": "Ana \ud800 Ruiz", "gross_pay": 1}'.encode("utf-8", "surrogatepass"),  # raw surrogate bytes
        '{"employee_name": "Ana \\u0000 Ruiz", "gross_pay": 1}'.encode("utf-16"),  # an escaped NUL in a UTF-16 body
    ],
    ids=["utf8-surrogate-bytes", "utf16-escaped-nul"],
)
def test_unstorable_text_in_any_encoding_is_refused(client, raw):
    response = client.post("/api/paystubs/analyze", data=raw, content_type="application/json")
    assert response.status_code == 400, response.json
    assert response.json["details"][0]["field"] == "employee_name"
