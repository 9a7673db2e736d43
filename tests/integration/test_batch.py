"""Batch analysis: spreadsheet and JSON uploads, their checks and limits, storing, and the CLI."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from openpyxl import Workbook

from document_types import DOCUMENT_TYPES
from domain.records import ListQuery
from store.document_store import StoreUnavailable
from support.app import make_config
from web.schemas import BatchResponse

PAYSTUB = DOCUMENT_TYPES["paystub"]
COLUMNS = list(PAYSTUB.schema.model_fields)


def documents(n: int = 40, seed: int = 8) -> list[dict]:
    return PAYSTUB.generator.generate(n, seed).documents


def to_csv(rows: list[dict], columns: list[str] = COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def to_xlsx(rows: list[dict], columns: list[str] = COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, slug: str = "paystubs", name: str = "upload.csv", query: str = ""):
    return client.post(f"/api/{slug}/analyze-batch{query}", data={"file": (io.BytesIO(data), name)})


def scores(body: dict) -> list[tuple]:
    return [
        (r["row"], r["status"], r.get("risk_score"), r.get("recommendation"), (r.get("anomaly") or {}).get("score"))
        for r in body["results"]
    ]


def test_csv_xlsx_and_json_give_the_same_results(client):
    rows = documents()
    from_csv = upload(client, to_csv(rows))
    from_xlsx = upload(client, to_xlsx(rows), name="upload.xlsx")
    from_json = client.post("/api/paystubs/analyze-batch", json=rows)
    for response in (from_csv, from_xlsx, from_json):
        assert response.status_code == 200, response.json
        BatchResponse.model_validate(response.json)
    assert scores(from_csv.json) == scores(from_xlsx.json) == scores(from_json.json)
    assert [r["row"] for r in from_csv.json["results"]] == list(range(1, len(rows) + 1))
    # The same as scoring each document on its own.
    single = [client.post("/api/paystubs/analyze", json=doc).json for doc in rows[:5]]
    assert [s["risk_score"] for s in single] == [r["risk_score"] for r in from_csv.json["results"][:5]]
    assert [s["anomaly"] for s in single] == [r["anomaly"] for r in from_csv.json["results"][:5]]


def test_summary_counts_and_worst_rows(client):
    body = upload(client, to_csv(documents(60, 3))).json
    summary, results = body["summary"], body["results"]
    assert summary["rows"] == summary["scored"] == 60 and summary["errors"] == 0
    assert sum(summary["by_recommendation"].values()) == sum(summary["by_risk_level"].values()) == 60
    for recommendation, count in summary["by_recommendation"].items():
        assert count == sum(r["recommendation"] == recommendation for r in results)
    worst = [w["risk_score"] for w in summary["worst_rows"]]
    assert worst == sorted(worst, reverse=True) and worst[0] == max(r["risk_score"] for r in results)
    assert summary["anomalous_rows"] == [r["row"] for r in results if r["anomaly"]["is_anomalous"]]
    assert body["model_version"] == client.application.extensions["fraud_detection"].detectors["paystub"].model_version


def test_wrong_columns_are_refused_before_anything_is_scored(client, monkeypatch):
    detector = client.application.extensions["fraud_detection"].detectors["paystub"]
    monkeypatch.setattr(detector, "score_extractions", lambda *a, **k: pytest.fail("scored a rejected file"))
    checks = DOCUMENT_TYPES["check"].generator.generate(5, 1).documents
    response = upload(client, to_csv(checks, list(DOCUMENT_TYPES["check"].schema.model_fields)))
    assert response.status_code == 400
    details = {(d["field"], d["message"].split(":")[0]) for d in response.json["details"]}
    assert ("routing_number", "unknown column") in details and ("payee_name", "unknown column") in details
    assert ("gross_pay", "missing column") in details and ("net_pay", "missing column") in details
    # One unknown column is enough; the identifying columns alone are enough to pass.
    extra = upload(client, to_csv(documents(3), COLUMNS + ["favourite_colour"]))
    assert extra.status_code == 400 and [d["field"] for d in extra.json["details"]] == ["favourite_colour"]
    bare = to_csv([{"gross_pay": 1000, "net_pay": 800}], ["gross_pay", "net_pay"])
    monkeypatch.undo()
    assert upload(client, bare).status_code == 200


def test_column_names_as_people_write_them(client):
    rows = documents(3)
    header = [c.replace("_", " ").title() for c in COLUMNS]  # "Gross Pay"
    data = to_csv([{h: row.get(c) for h, c in zip(header, COLUMNS)} for row in rows], header)
    assert scores(upload(client, data).json) == scores(upload(client, to_csv(rows)).json)


def test_unreadable_rows_are_reported_in_place_and_the_rest_scored(client):
    rows = documents(6)
    rows[1] = {**rows[1], "gross_pay": "twelve hundred"}
    rows[4] = {**rows[4], "pay_date": "31/31/2026", "text_quality": "7"}
    body = upload(client, to_csv(rows)).json
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["scored", "error", "scored", "scored", "error", "scored"]
    assert [e["field"] for e in body["results"][1]["errors"]] == ["gross_pay"]
    assert {e["field"] for e in body["results"][4]["errors"]} == {"pay_date", "text_quality"}
    assert body["summary"]["error_rows"] == [2, 5] and body["summary"]["scored"] == 4


def test_blank_lines_are_skipped_but_row_numbers_stay_those_of_the_file(client):
    data = to_csv(documents(2)).replace(b"\r\n", b"\r\n\r\n", 2)  # a blank line after the header and row 1
    body = upload(client, data).json
    assert [r["row"] for r in body["results"]] == [2, 4]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        ((b"gross_pay,net_pay\r\n"), "no documents"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "neither CSV nor XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "xlsx or .csv"),
        (b"PK\x03\x04 not really a zip", "readable XLSX"),
        ("gross_pay,net_pay\r\n\u00e9".encode("latin-1"), "UTF-8"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(client, data, message):
    response = upload(client, data)
    assert response.status_code == 400
    assert message.lower() in response.json["error"].lower()
    assert response.json["details"][0]["field"] == "file"


def test_a_zip_bomb_workbook_is_refused_unopened(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 200_000_000)  # 200 MB of zeros, ~200 KB zipped
    response = upload(client, buffer.getvalue(), name="bomb.xlsx")
    assert response.status_code == 400 and "zip bomb" in response.json["error"]


def test_a_csv_with_a_million_columns_is_refused(client):
    data = ("gross_pay,net_pay," + ",".join(f"c{i}" for i in range(1_000_000)) + "\r\n1,2\r\n").encode()
    response = upload(client, data)
    assert response.status_code == 400 and "columns" in response.json["error"]


def test_size_and_row_limits_answer_413(models_dir, tmp_path):
    from api_server import create_app

    app = create_app(
        make_config(models_dir, f"sqlite:///{tmp_path / 'db.sqlite'}", BATCH_MAX_BYTES=20_000, BATCH_MAX_ROWS=10)
    )
    client = app.test_client()
    too_big = upload(client, to_csv(documents(200)))
    assert too_big.status_code == 413 and "20,000 bytes" in too_big.json["error"]
    too_many = upload(client, to_csv(documents(11)))
    assert too_many.status_code == 413 and "more than 10" in too_many.json["error"]
    assert client.post("/api/paystubs/analyze-batch", json=documents(11)).status_code == 413
    assert upload(client, to_csv(documents(10))).status_code == 200
    # Sent chunked (no Content-Length), a body over the limit is refused, not cut short and scored.
    chunked = client.post(
        "/api/paystubs/analyze-batch",
        input_stream=io.BytesIO(to_csv(documents(200))),
        headers={"Content-Type": "text/csv", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert chunked.status_code == 413
    # The single-document limit is unchanged by the batch limit.
    assert (
        client.post(
            "/api/paystubs/analyze", data=b"{" + b" " * 2_000_000 + b"}", content_type="application/json"
        ).status_code
        == 413
    )
    app.extensions["fraud_detection"].store.close()


def test_request_shape_errors(client):
    no_file = client.post("/api/paystubs/analyze-batch", data={"other": "x"}, content_type="multipart/form-data")
    assert no_file.status_code == 400 and no_file.json["details"][0]["field"] == "file"
    response = client.post("/api/paystubs/analyze-batch", data="x", content_type="text/plain")
    assert response.status_code == 415
    response = upload(client, to_csv(documents(2)), query="?store=perhaps")
    assert response.status_code == 400 and response.json["details"][0]["field"] == "store"
    response = client.post("/api/paystubs/analyze-batch", json={"gross_pay": 1})
    assert response.status_code == 400 and "array" in response.json["error"]
    raw = client.post("/api/paystubs/analyze-batch", data=to_csv(documents(2)), content_type="text/csv")
    assert raw.status_code == 200 and raw.json["summary"]["scored"] == 2


def test_stored_batches_join_the_review_queue(client):
    store = client.application.extensions["fraud_detection"].store
    unstored = upload(client, to_csv(documents(5)))
    assert unstored.json["stored"] is False and all(r["document_id"] is None for r in unstored.json["results"])
    assert store.list_analyses("paystubs", ListQuery(limit=100)) == []
    body = upload(client, to_csv(documents(5)), query="?store=true").json
    assert body["stored"] is True
    ids = [r["document_id"] for r in body["results"]]
    queue = client.get("/api/paystubs?limit=100").json["items"]
    assert sorted(item["document_id"] for item in queue) == sorted(ids)
    stored = client.get(f"/api/paystubs/{ids[0]}").json
    assert stored["batch_id"] == body["batch_id"] and stored["risk_score"] == body["results"][0]["risk_score"]
    assert stored["anomaly"] == body["results"][0]["anomaly"]
    review = client.post(f"/api/paystubs/{ids[0]}/review", json={"decision": "REJECT", "reviewer": "ana"})
    assert review.status_code == 200


def test_store_flag_as_a_form_field(client):
    response = client.post(
        "/api/paystubs/analyze-batch", data={"file": (io.BytesIO(to_csv(documents(2))), "a.csv"), "store": "true"}
    )
    assert response.json["stored"] is True


def test_a_store_outage_keeps_the_batch_in_the_outbox(client):
    store = client.application.extensions["fraud_detection"].store

    def down(*_args, **_kwargs):
        raise StoreUnavailable("database is away")

    inner = store.store.save_analyses
    store.store.save_analyses = down
    body = upload(client, to_csv(documents(4)), query="?store=true").json
    assert body["stored"] is False and "kept locally" in body["warnings"][0]
    assert store.outbox.pending() == 4
    store.store.save_analyses = inner
    assert store.flush().sent == 4
    for row in body["results"]:
        assert client.get(f"/api/paystubs/{row['document_id']}").status_code == 200


@pytest.mark.parametrize("bad_cell", [False, True])
def test_bank_statement_transactions_in_a_cell(client, bad_cell):
    doc_type = DOCUMENT_TYPES["bank_statement"]
    rows = doc_type.generator.generate(3, 4).documents
    columns = list(doc_type.schema.model_fields)
    cells = [{**row, "transactions": json.dumps(row.get("transactions"))} for row in rows]
    if bad_cell:
        cells[1]["transactions"] = "[{not json"
    body = upload(client, to_csv(cells, columns), slug="bank-statements").json
    single = [client.post("/api/bank-statements/analyze", json=row).json for row in rows]
    if bad_cell:
        assert body["results"][1]["status"] == "error"
        assert body["results"][1]["errors"][0]["field"] == "transactions"
    else:
        assert [r["risk_score"] for r in body["results"]] == [s["risk_score"] for s in single]


def test_a_routing_number_stored_as_a_number_in_excel_is_an_error_not_a_guess(client):
    doc_type = DOCUMENT_TYPES["check"]
    columns = list(doc_type.schema.model_fields)
    rows = doc_type.generator.generate(2, 6).documents
    rows[0] = {**rows[0], "routing_number": 21000021}  # 021000021 typed into a number cell
    body = upload(client, to_xlsx(rows, columns), slug="checks", name="checks.xlsx").json
    assert body["results"][0]["status"] == "error"
    assert body["results"][0]["errors"][0]["field"] == "routing_number"
    assert "leading zeros" in body["results"][0]["errors"][0]["message"]
    assert body["results"][1]["status"] == "scored"


def test_the_upload_is_scored_by_the_loaded_models_and_never_trains(client, models_dir, monkeypatch):
    from training.anomaly_fitting import AnomalyKind
    from training.ensemble import FraudEnsemble

    def no_training(*_args, **_kwargs):
        raise AssertionError("an upload must not train")

    for kind in AnomalyKind.__subclasses__():
        monkeypatch.setattr(kind, "fit", no_training)
    monkeypatch.setattr(FraudEnsemble, "fit", no_training)
    before = sorted(p.name for p in models_dir.rglob("*"))
    body = upload(client, to_xlsx(documents(30)), name="a.xlsx").json
    assert body["summary"]["scored"] == 30
    assert sorted(p.name for p in models_dir.rglob("*")) == before


def test_cli_writes_results_beside_the_input(app, tmp_path):
    rows = documents(25)
    rows[3] = {**rows[3], "net_pay": "lots"}
    source = tmp_path / "uploads.xlsx"
    source.write_bytes(to_xlsx(rows))
    result = app.test_cli_runner().invoke(args=["analyze", str(source), "--type", "paystub"])
    assert result.exit_code == 0, result.output
    written = list(csv.DictReader((tmp_path / "uploads.results.csv").open()))
    api = upload(app.test_client(), to_csv(rows)).json["results"]
    assert [r["status"] for r in written] == [r["status"] for r in api]
    assert [float(r["risk_score"]) for r in written if r["status"] == "scored"] == [
        r["risk_score"] for r in api if r["status"] == "scored"
    ]
    assert written[3]["errors"].startswith("net_pay:")
    assert "25 rows, 24 scored, 1 unreadable" in result.output


def test_cli_refuses_a_file_of_another_type(app, tmp_path):
    source = tmp_path / "checks.csv"
    checks = DOCUMENT_TYPES["check"].generator.generate(3, 1).documents
    source.write_bytes(to_csv(checks, list(DOCUMENT_TYPES["check"].schema.model_fields)))
    result = app.test_cli_runner().invoke(
        args=["analyze", str(source), "--type", "paystub", "--out", str(tmp_path / "out.csv")]
    )
    assert result.exit_code != 0 and "routing_number: unknown column" in result.output
    assert not (tmp_path / "out.csv").exists()
