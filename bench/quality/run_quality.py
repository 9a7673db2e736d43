"""The out-of-distribution quality report: the service scored on documents its training code did not write.

    .venv/bin/python bench/quality/run_quality.py [--n 3000] [--seed 15] [--types paystub,check]
                                                  [--url http://host:port] [--no-docs] [--check]

Generates `--n` labelled documents per type with bench/quality/generator.py (30% fraud), starts the
production server on loopback on a temporary database, outbox and model directory with freshly
trained baselines (bench/harness.py's Service), or uses the server at `--url`, and sends them
through POST /api/<slug>/analyze-batch as JSON arrays (a chunk the batch route refuses as a whole
goes document by document through /analyze). Per type it measures the ROC-AUC of risk_score
(overall, and for subtle and for obvious fraud, each against all genuine documents), the share of
genuine documents REJECTed, ESCALATEd and flagged anomalous, the recall of fraud as REJECT or
ESCALATE, a table per fraud pattern, the genuine variations that draw flags, and the reason codes
most often given on genuine documents that were REJECTed. Compares against the budgets, prints the
tables, and writes docs/quality.md (unless --no-docs) and bench/results/quality.json.

The exit code is 0 even when budgets are missed (this is a report); with --check a missed budget
exits 1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from statistics import fmean
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parents[1]
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from sklearn.metrics import roc_auc_score  # noqa: E402

from harness import ROOT, SLUGS, Service, machine, markdown_table, utc_now, write_json  # noqa: E402
from quality.common import Case  # noqa: E402
from quality.generator import GENUINE_VARIATIONS, TYPES, generate, patterns  # noqa: E402

DOCS_PATH = ROOT / "docs" / "quality.md"
RESULTS_NAME = "quality.json"
DEFAULT_N, DEFAULT_SEED, DEFAULT_FRAUD_RATE = 3000, 15, 0.3
CHUNK_ROWS, CHUNK_BYTES = 500, 4_000_000  # well under BATCH_MAX_ROWS and BATCH_MAX_BYTES
TOP_REASONS = 10
# (metric, comparison, threshold, what it means, column title)
BUDGETS = (
    ("roc_auc", ">=", 0.97, "ROC-AUC of risk_score, all fraud against all genuine", "ROC-AUC"),
    ("genuine_reject_rate", "<=", 0.01, "genuine documents REJECTed", "genuine REJECT"),
    ("genuine_escalate_rate", "<=", 0.10, "genuine documents ESCALATEd", "genuine ESCALATE"),
    ("fraud_recall", ">=", 0.95, "fraud caught: REJECT or ESCALATE", "fraud caught"),
    ("genuine_anomalous_rate", "<=", 0.10, "genuine documents flagged anomalous", "genuine anomalous"),
)
FLAGGED = ("REJECT", "ESCALATE")

# (status, JSON answer) of one POST with a JSON body
Poster = Callable[[str, object], tuple[int, object]]


# sending ---------------------------------------------------------------------------------------


def http_poster(base_url: str, timeout: float = 600) -> Poster:
    """POSTs to a server at `base_url` (http://host:port) over one keep-alive connection."""
    parts = urlsplit(base_url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"--url must be http://host:port, not {base_url!r}")
    prefix = parts.path.rstrip("/")
    state: dict = {}

    def post(path: str, body: object) -> tuple[int, object]:
        data = json.dumps(body).encode()
        for attempt in (1, 2):
            conn = state.get("conn") or http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
            state["conn"] = conn
            try:
                conn.request("POST", prefix + path, body=data, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                payload = response.read()
                return response.status, json.loads(payload) if payload else None
            except (OSError, http.client.HTTPException):
                conn.close()
                state.pop("conn", None)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    return post


def chunks(documents: Sequence[dict], rows: int = CHUNK_ROWS, size: int = CHUNK_BYTES) -> list[list[dict]]:
    """Consecutive runs of documents of at most `rows` documents and about `size` bytes of JSON."""
    out, current, current_size = [], [], 0
    for document in documents:
        length = len(json.dumps(document))
        if current and (len(current) >= rows or current_size + length > size):
            out.append(current)
            current, current_size = [], 0
        current.append(document)
        current_size += length
    if current:
        out.append(current)
    return out


def _row(answer: dict) -> dict:
    return {
        "status": "scored",
        "risk_score": answer["risk_score"],
        "recommendation": answer["recommendation"],
        "reasons": answer.get("reasons") or [],
        "anomaly": answer.get("anomaly"),
        "rule": (answer.get("decision") or {}).get("rule"),
    }


def score_cases(doc_type: str, cases: Sequence[Case], post: Poster) -> tuple[list[dict], dict]:
    """One result per case, in order: {status, risk_score, recommendation, reasons, anomaly} or
    {status: error, errors}; and what was learnt about the server (model version, requests, seconds)."""
    slug = SLUGS[doc_type]
    results: list[dict] = []
    info = {"model_version": None, "batch_requests": 0, "single_requests": 0}
    started = time.perf_counter()
    for chunk in chunks([c.document for c in cases]):
        status, answer = post(f"/api/{slug}/analyze-batch", chunk)
        info["batch_requests"] += 1
        if status == 200:
            rows = answer["results"]
            if len(rows) != len(chunk):
                raise RuntimeError(f"{doc_type}: {len(chunk)} documents sent, {len(rows)} results")
            info["model_version"] = info["model_version"] or answer.get("model_version")
            results += [
                _row(r) if r["status"] == "scored" else {"status": "error", "errors": r["errors"]} for r in rows
            ]
            continue
        if status != 400:  # a refused batch as a whole (its columns) is sent document by document
            raise RuntimeError(f"{doc_type}: analyze-batch answered HTTP {status}: {str(answer)[:300]}")
        for document in chunk:
            status, answer = post(f"/api/{slug}/analyze", document)
            info["single_requests"] += 1
            if status == 200:
                info["model_version"] = info["model_version"] or answer.get("model_version")
                results.append(_row(answer))
            elif 400 <= status < 500:
                results.append({"status": "error", "errors": (answer or {}).get("details", [])})
            else:
                raise RuntimeError(f"{doc_type}: analyze answered HTTP {status}: {str(answer)[:300]}")
    info["seconds"] = round(time.perf_counter() - started, 2)
    return results, info


# metrics (pure) --------------------------------------------------------------------------------


def auc(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    """ROC-AUC of `scores` for `labels`; None when only one class is present."""
    if len(set(labels)) < 2:
        return None
    return round(float(roc_auc_score([int(x) for x in labels], list(scores))), 4)


def share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def _anomalous(result: dict) -> bool:
    return bool((result.get("anomaly") or {}).get("is_anomalous"))


def _variation_group(tag: str) -> str:
    """ocr_dropped:pay_date and ocr_dropped:net_pay are one row of the variation table."""
    return tag.split(":", 1)[0] + ":*" if tag.startswith(("ocr_dropped:", "ocr_misread:")) else tag


def pattern_table(doc_type: str, pairs: Sequence[tuple[Case, dict]]) -> list[dict]:
    """Per fraud pattern of the type: how many documents carry it, their mean risk, the share REJECTed,
    the share REJECTed or ESCALATEd, overall and for its subtle and obvious documents."""
    rows = []
    for pattern in patterns(doc_type):
        hits = [(c, r) for c, r in pairs if pattern in c.patterns]

        def caught(level: str | None, hits=hits) -> float | None:
            return share([r["recommendation"] in FLAGGED for c, r in hits if level is None or c.subtlety == level])

        rows.append(
            {
                "pattern": pattern,
                "count": len(hits),
                "mean_risk": round(fmean(r["risk_score"] for _, r in hits), 1) if hits else None,
                "reject_rate": share([r["recommendation"] == "REJECT" for _, r in hits]),
                "caught_rate": caught(None),
                "caught_subtle": caught("subtle"),
                "caught_obvious": caught("obvious"),
            }
        )
    return rows


def variation_table(doc_type: str, genuine: Sequence[tuple[Case, dict]]) -> list[dict]:
    """Per benign variation: how many genuine documents show it and how the service treats them, most
    flagged first."""
    groups: dict[str, list[dict]] = {}
    for case, result in genuine:
        for tag in {_variation_group(t) for t in case.variation}:
            groups.setdefault(tag, []).append(result)
    order = list(GENUINE_VARIATIONS.get(doc_type, ())) + ["ocr_dropped:*", "ocr_misread:*", "ocr_poor_scan"]
    order += ["no_text_quality"]
    rows = [
        {
            "variation": tag,
            "count": len(groups[tag]),
            "reject_rate": share([r["recommendation"] == "REJECT" for r in groups[tag]]),
            "flagged_rate": share([r["recommendation"] in FLAGGED for r in groups[tag]]),
            "anomalous_rate": share([_anomalous(r) for r in groups[tag]]),
        }
        for tag in order
        if tag in groups
    ]
    return sorted(rows, key=lambda row: (-(row["flagged_rate"] or 0), row["variation"]))


def check_budgets(metrics: dict) -> list[dict]:
    out = []
    for name, op, threshold, what, _ in BUDGETS:
        measured = metrics.get(name)
        met = None if measured is None else measured >= threshold if op == ">=" else measured <= threshold
        out.append(
            {"metric": name, "what": what, "budget": _limit(name, op, threshold), "measured": measured, "met": met}
        )
    return out


def _limit(name: str, op: str, threshold: float) -> str:
    return f"{op} {threshold}" if name == "roc_auc" else f"{op} {threshold * 100:g}%"


def type_report(doc_type: str, cases: Sequence[Case], results: Sequence[dict]) -> dict:
    """Every figure of one type's section, from its cases and the service's results (same order)."""
    if len(cases) != len(results):
        raise ValueError("one result per case")
    pairs = [(c, r) for c, r in zip(cases, results) if r.get("status") == "scored"]
    genuine = [(c, r) for c, r in pairs if not c.is_fraud]
    fraud = [(c, r) for c, r in pairs if c.is_fraud]

    def auc_of(selected: Sequence[tuple[Case, dict]]) -> float | None:
        return auc([c.is_fraud for c, _ in selected], [r["risk_score"] for _, r in selected])

    metrics = {
        "documents": len(cases),
        "scored": len(pairs),
        "unscored": len(cases) - len(pairs),
        "genuine": len(genuine),
        "fraud": len(fraud),
        "fraud_subtle": sum(c.subtlety == "subtle" for c, _ in fraud),
        "fraud_obvious": sum(c.subtlety == "obvious" for c, _ in fraud),
        "roc_auc": auc_of(pairs),
        "roc_auc_subtle": auc_of(genuine + [(c, r) for c, r in fraud if c.subtlety == "subtle"]),
        "roc_auc_obvious": auc_of(genuine + [(c, r) for c, r in fraud if c.subtlety == "obvious"]),
        "genuine_reject_rate": share([r["recommendation"] == "REJECT" for _, r in genuine]),
        "genuine_escalate_rate": share([r["recommendation"] == "ESCALATE" for _, r in genuine]),
        "fraud_recall": share([r["recommendation"] in FLAGGED for _, r in fraud]),
        "genuine_anomalous_rate": share([_anomalous(r) for _, r in genuine]),
        "fraud_anomalous_rate": share([_anomalous(r) for _, r in fraud]),
        "genuine_mean_risk": round(fmean(r["risk_score"] for _, r in genuine), 1) if genuine else None,
        "fraud_mean_risk": round(fmean(r["risk_score"] for _, r in fraud), 1) if fraud else None,
    }
    rejected = [r for _, r in genuine if r["recommendation"] == "REJECT"]
    reasons = Counter(code for r in rejected for code in {x["code"] for x in r["reasons"]})
    escalated = [r for _, r in genuine if r["recommendation"] == "ESCALATE"]
    rules = Counter(r.get("rule") or "not given" for r in escalated)
    hard = Counter(x["code"] for _, r in genuine for x in r["reasons"] if x.get("severity") == "hard")
    return {
        "metrics": metrics,
        "budgets": check_budgets(metrics),
        "patterns": pattern_table(doc_type, pairs),
        "variations": variation_table(doc_type, genuine),
        "genuine_reject_reasons": [
            {"code": code, "count": count, "share_of_rejected": round(count / len(rejected), 4)}
            for code, count in reasons.most_common(TOP_REASONS)
        ],
        "genuine_escalate_rules": [
            {"rule": rule, "count": count, "share_of_genuine": round(count / len(genuine), 4)}
            for rule, count in rules.most_common()
        ],
        "genuine_hard_reasons": [
            {"code": code, "count": count, "share_of_genuine": round(count / len(genuine), 4)}
            for code, count in hard.most_common(TOP_REASONS)
        ],
        "unscored_examples": [r.get("errors") for r in results if r.get("status") != "scored"][:3],
    }


def run_report(doc_types: Sequence[str], n: int, seed: int, fraud_rate: float, post: Poster, today: date) -> dict:
    """Generate, score and measure every type in `doc_types`."""
    report: dict = {"n_per_type": n, "seed": seed, "fraud_rate": fraud_rate, "today": today.isoformat(), "types": {}}
    for doc_type in doc_types:
        cases = generate(doc_type, n, seed, fraud_rate, today=today)
        results, info = score_cases(doc_type, cases, post)
        section = type_report(doc_type, cases, results)
        section["server"] = info
        report["types"][doc_type] = section
    report["budgets_met"] = all(b["met"] for t in report["types"].values() for b in t["budgets"])
    return report


# markdown --------------------------------------------------------------------------------------


def _fmt(value, percent: bool = False) -> str:
    if value is None:
        return "n/a"
    if percent:
        return f"{value * 100:.1f}%"
    return f"{value}"


def type_section(doc_type: str, section: dict) -> list[str]:
    m = section["metrics"]
    lines = [f"### {doc_type}", ""]
    lines.append(
        f"{m['documents']} documents: {m['genuine']} genuine, {m['fraud']} fraudulent "
        f"({m['fraud_subtle']} subtle, {m['fraud_obvious']} obvious); {m['unscored']} refused by the API. "
        f"Model version `{section.get('server', {}).get('model_version')}`."
    )
    lines.append("")
    lines += markdown_table(
        ["budget", "measured", "limit", "met"],
        [
            [b["what"], _fmt(b["measured"], percent=b["metric"] != "roc_auc"), b["budget"], _met(b["met"])]
            for b in section["budgets"]
        ],
    )
    lines += markdown_table(
        ["also measured", "value"],
        [
            ["ROC-AUC, subtle fraud against genuine", _fmt(m["roc_auc_subtle"])],
            ["ROC-AUC, obvious fraud against genuine", _fmt(m["roc_auc_obvious"])],
            ["fraud flagged anomalous", _fmt(m["fraud_anomalous_rate"], True)],
            ["mean risk, genuine / fraud", f"{_fmt(m['genuine_mean_risk'])} / {_fmt(m['fraud_mean_risk'])}"],
        ],
    )
    lines += ["Per fraud pattern (caught = REJECT or ESCALATE):", ""]
    lines += markdown_table(
        ["pattern", "documents", "mean risk", "REJECT", "caught", "caught, subtle", "caught, obvious"],
        [
            [
                p["pattern"],
                p["count"],
                _fmt(p["mean_risk"]),
                _fmt(p["reject_rate"], True),
                _fmt(p["caught_rate"], True),
                _fmt(p["caught_subtle"], True),
                _fmt(p["caught_obvious"], True),
            ]
            for p in section["patterns"]
        ],
    )
    reasons = section["genuine_reject_reasons"]
    lines += ["Reason codes most often given on genuine documents that were REJECTed:", ""]
    if reasons:
        lines += markdown_table(
            ["reason code", "genuine REJECTs with it", "share of genuine REJECTs"],
            [[f"`{r['code']}`", r["count"], _fmt(r["share_of_rejected"], True)] for r in reasons],
        )
    else:
        lines += ["No genuine document was REJECTed.", ""]
    lines += ["Why genuine documents were ESCALATEd (the rule of the decision policy that decided):", ""]
    if section["genuine_escalate_rules"]:
        lines += markdown_table(
            ["rule", "genuine documents", "share of genuine"],
            [[r["rule"], r["count"], _fmt(r["share_of_genuine"], True)] for r in section["genuine_escalate_rules"]],
        )
    else:
        lines += ["No genuine document was ESCALATEd.", ""]
    lines += ["Hard reasons given on genuine documents (a genuine document should show none):", ""]
    if section["genuine_hard_reasons"]:
        lines += markdown_table(
            ["reason code", "genuine documents", "share of genuine"],
            [
                [f"`{r['code']}`", r["count"], _fmt(r["share_of_genuine"], True)]
                for r in section["genuine_hard_reasons"]
            ],
        )
    else:
        lines += ["None.", ""]
    worst = [v for v in section["variations"] if v["count"] >= 10][:12]
    lines += ["Genuine variations that draw the most flags (at least 10 documents; flagged = REJECT or ESCALATE):", ""]
    lines += markdown_table(
        ["variation", "genuine documents", "REJECT", "flagged", "anomalous"],
        [
            [
                f"`{v['variation']}`",
                v["count"],
                _fmt(v["reject_rate"], True),
                _fmt(v["flagged_rate"], True),
                _fmt(v["anomalous_rate"], True),
            ]
            for v in worst
        ],
    )
    return lines


def _met(met: bool | None) -> str:
    return "n/a" if met is None else "yes" if met else "**no**"


ABOUT = """\
The service's models are trained on the project's own synthetic generators, so a figure measured on
their documents says little about documents written any other way. This report scores the service
on documents from `bench/quality/generator.py`, an independent generator written from what real
documents look like, without reading or importing the training generators or the feature extractors.
A quality figure counts only on documents the training code did not write.

How the set is made (details in the docstrings of `bench/quality/*.py`):

- **Paystubs**: an employee's payroll run from the first pay date of the year to the stub's, in cents:
  weekly, biweekly, semi-monthly and monthly pay (pay dates off weekends; monthly pay on or before the
  period's end at some employers); hourly pay with overtime at 1.5x, salaries, bonuses withheld at the
  22% supplemental rate; Section 125 deductions lowering the Social Security and Medicare wages, 401(k)
  deferrals lowering only income-tax wages; federal withholding by the annualised percentage method
  (filing status, dependent credits, exempt employees); Social Security stopping at the year's wage
  base; the additional 0.9% Medicare above $200,000; state tax flat, by brackets or none (nine states);
  local taxes and state disability insurance in other deductions; first pay of the year (YTD equals
  the period), new hires, stubs without YTD.
- **Checks**: personal (handwritten amounts in words in the ways people write them) and business
  (printer-style words); valid ABA routing numbers (published ones and made-up ones per bank and credit
  union); MICR lines in both layouts with the E-13B symbols kept, turned into letters or punctuation, or
  lost by OCR, some with the amount encoded; new accounts with low check numbers; round amounts.
- **Money orders**: postal, money-service, bank, credit-union and retailer issuers with their face-value
  limits ($500 to $3,000) and agents selling only up to $500; serial numbers of 8 to 12 digits by issuer
  and series, printed plain, grouped or with a dash; rent in round figures and at the limit; amounts in
  words imprinted, handwritten or absent.
- **Bank statements**: personal, savings and business accounts; pay, benefits and gig deposits, rent,
  bills, subscriptions, card purchases, ATM cash and fees, Zelle and Venmo, transfers, checks, interest,
  maintenance fees, overdrafts with their fees, a few dormant accounts; oldest or newest first; running
  balances on every line, once a day or not at all; masked account numbers.
- **Every type**: amounts and dates in every spelling the API reads (numbers, "$1,234.56", "1,234.56 USD",
  ISO dates, MM/DD/YYYY, timestamps), one house style per document; OCR dropping a field in about 6% of
  documents (key fields included; left out, null or ""), misreading one in 2% (a look-alike character),
  and a text_quality that follows.
- **Fraud** (30%): a genuine draft with one pattern applied (a second one in 15%), subtle or obvious,
  half and half. OCR noise never removes a pattern's evidence. Patterns are listed in each type's table.

Budgets, per type: ROC-AUC >= 0.97; genuine REJECTed <= 1%; genuine ESCALATEd <= 10%; fraud caught
(REJECT or ESCALATE) >= 95%; genuine flagged anomalous <= 10%.
"""


def markdown(report: dict) -> str:
    lines = ["# Quality on independent documents", ""]
    lines += [
        f"Last run {report.get('when', 'n/a')}: `{report.get('command', 'n/a')}`, "
        f"{report.get('total_seconds', 'n/a')} s in all; documents dated against {report['today']}. "
        f"{report['n_per_type']} documents per type, seed {report['seed']}, fraud rate {report['fraud_rate']}. "
        f"Server: {report.get('server', 'n/a')}.",
        "",
        ABOUT,
        "## Summary",
        "",
    ]
    names = [b[0] for b in BUDGETS]
    header = ["type", *[f"{title} ({_limit(n, op, limit)})" for n, op, limit, _, title in BUDGETS], "budgets met"]
    rows = []
    for doc_type, section in report["types"].items():
        measured = {b["metric"]: b for b in section["budgets"]}
        cells = [
            _fmt(measured[n]["measured"], percent=n != "roc_auc") + ("" if measured[n]["met"] else " ✗") for n in names
        ]
        met = sum(bool(b["met"]) for b in section["budgets"])
        rows.append([doc_type, *cells, f"{met} of {len(names)}"])
    lines += markdown_table(header, rows)
    verdict = "All budgets are met." if report["budgets_met"] else "Budgets are missed (✗ above)."
    lines += [verdict, "", "## Per type", ""]
    for doc_type, section in report["types"].items():
        lines += type_section(doc_type, section)
    lines += [
        "## Reproducing",
        "",
        "```bash",
        ".venv/bin/python bench/quality/run_quality.py            # trains baselines, starts the server, ~ minutes",
        ".venv/bin/python bench/quality/run_quality.py --url http://127.0.0.1:5001 --no-docs   # a running server",
        "```",
        "",
        "`--check` exits 1 when a budget is missed. The raw figures are in `bench/results/quality.json`.",
        "",
    ]
    return "\n".join(lines)


# command line ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="documents per type (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed (default %(default)s)")
    parser.add_argument("--fraud-rate", type=float, default=DEFAULT_FRAUD_RATE, help="default %(default)s")
    parser.add_argument("--types", default=",".join(TYPES), help="comma-separated document types (default: all four)")
    parser.add_argument("--url", help="score on the server at this URL instead of starting one")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/quality.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is missed")
    args = parser.parse_args(argv)
    args.types = [t.strip() for t in args.types.split(",") if t.strip()]
    unknown = [t for t in args.types if t not in TYPES]
    if unknown:
        parser.error(f"unknown types {unknown}; expected among {list(TYPES)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    today = date.today()
    if args.url:
        report = run_report(args.types, args.n, args.seed, args.fraud_rate, http_poster(args.url), today)
        report["server"] = f"the server at {args.url}"
    else:
        with Service(workers=2) as service:
            print("training baselines ...", flush=True)
            trained = service.train_baselines()
            service.start()
            print(f"baselines trained in {trained} s; server up on port {service.port}", flush=True)
            report = run_report(
                args.types, args.n, args.seed, args.fraud_rate, http_poster(f"http://127.0.0.1:{service.port}"), today
            )
            report["server"] = (
                f"`python Backend/api_server.py` (granian, 2 workers) on loopback, temporary database and models, "
                f"baselines trained in {trained} s"
            )
    report["when"] = utc_now()
    report["command"] = "python bench/quality/run_quality.py " + " ".join(sys.argv[1:] if argv is None else argv)
    report["command"] = report["command"].strip()
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    report["machine"] = machine()
    text = markdown(report)
    print(text)
    path = write_json(RESULTS_NAME, report)
    print(f"wrote {path}")
    if not args.no_docs:
        DOCS_PATH.write_text(text)
        print(f"wrote {DOCS_PATH}")
    if args.check and not report["budgets_met"]:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
