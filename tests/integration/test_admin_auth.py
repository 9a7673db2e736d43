"""Every admin route, found in Flask's URL map, refuses a request without the right token.

The routes are enumerated from the `admin` blueprint, so a new admin route is covered
without editing this file. The token comparison is checked structurally (both sides hashed
to fixed-length digests, compared with hmac.compare_digest) and by a coarse timing test
whose own sensitivity is shown on a deliberately leaky comparison.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import statistics
import string
import time

import pytest

from support.app import make_config
from support.held_retraining import hold_retraining_processes

# This file's own token, built at random on purpose (not support.app.TOKEN).
TOKEN = "Adm1n-" + "".join(random.Random(8).choices(string.ascii_letters + string.digits, k=40))
SLUGS = ["paystubs", "checks", "money-orders", "bank-statements"]


def admin_routes(app) -> list[tuple[str, str]]:
    """(method, concrete path) of every route of the admin blueprint, for every document type."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "admin":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths = (
                [rule.rule.replace("<doctype:doc_type>", slug) for slug in SLUGS]
                if "<doctype" in rule.rule
                else [rule.rule]
            )
            routes += [(method, re.sub(r"<(?:\w+:)?(\w+)>", r"some-\1", path)) for path in paths]
    return routes


@pytest.fixture
def admin_app(models_dir, tmp_path, monkeypatch):
    from api_server import create_app

    release = hold_retraining_processes(monkeypatch)
    app = create_app(make_config(models_dir, f"sqlite:///{tmp_path}/docs.db", ADMIN_API_TOKEN=TOKEN))
    yield app
    release.set()
    app.extensions["fraud_detection"].store.close()


WRONG = [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer wrong"},
    {"Authorization": TOKEN},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": f"Token {TOKEN}"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Bearer {TOKEN[1:]}"},
    {"Authorization": f"Bearer {TOKEN.upper()}"},
    {"Authorization": f"Bearer {TOKEN[:1]}"},
    {"Authorization": "Bearer " + "x" * 100_000},
    {"Authorization": f"Bearer {TOKEN} {TOKEN}"},
    {"Authorization": f"Bearer\t{TOKEN}"},
    {"X-Admin-Token": TOKEN},
    {"Cookie": f"token={TOKEN}"},
]


def test_the_admin_blueprint_is_found(admin_app):
    routes = admin_routes(admin_app)
    assert {
        ("POST", "/api/paystubs/retrain-model"),
        ("POST", "/api/checks/rollback"),
        ("GET", "/api/retraining/status"),
        ("GET", "/api/retraining/jobs/some-job_id"),
    } <= set(routes)


def test_every_admin_route_refuses_a_missing_or_wrong_token(admin_app):
    client = admin_app.test_client()
    routes = admin_routes(admin_app)
    for method, path in routes:
        for headers in WRONG:
            response = client.open(path, method=method, headers=headers, json={"version": "20000101_000000"})
            assert response.status_code == 401, (method, path, headers)
            assert response.is_json and response.json["details"][0]["field"] == "Authorization"
            assert response.json["request_id"] == response.headers["X-Request-ID"]
            assert TOKEN not in response.get_data(as_text=True)
    # The right token gets past the check (the route then answers for itself; retrains are held, not run).
    for method, path in routes:
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code not in (401, 503, 500), (method, path, response.json)
        response = client.open(path, method=method, headers={"Authorization": f"bearer   {TOKEN}  "})
        assert response.status_code not in (401, 503, 500), (method, path, response.json)


@pytest.mark.parametrize("token", ["", None])
def test_every_admin_route_is_503_without_a_configured_token(models_dir, tmp_path, monkeypatch, token):
    from api_server import create_app

    overrides = {} if token is None else {"ADMIN_API_TOKEN": token}
    app = create_app(make_config(models_dir, f"sqlite:///{tmp_path}/docs.db", **overrides))
    client = app.test_client()
    try:
        for method, path in admin_routes(app):
            for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": f"Bearer {TOKEN}"}):
                response = client.open(path, method=method, headers=headers)
                assert response.status_code == 503, (method, path, headers)
                assert "ADMIN_API_TOKEN" in response.json["error"]
        assert client.get("/api/paystubs/models").status_code == 200  # the other routes need no token
    finally:
        app.extensions["fraud_detection"].store.close()


def test_the_comparison_is_of_fixed_length_digests_with_compare_digest(admin_app, monkeypatch):
    """Structural: every supplied token, whatever its length or shared prefix, costs one compare_digest
    of two 32-byte SHA-256 digests, so the time taken cannot follow how much of the token matched."""
    import web.auth

    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(web.auth.hmac, "compare_digest", spy)
    client = admin_app.test_client()
    expected = hashlib.sha256(TOKEN.encode()).digest()
    supplied = [
        "",
        "x",
        TOKEN[:1],
        TOKEN[: len(TOKEN) // 2],
        TOKEN[:-1],
        TOKEN[:-1] + "?",
        TOKEN + "x",
        "x" * 100_000,
        "é" * 50,
        TOKEN,
    ]
    for value in supplied:
        calls.clear()
        response = client.get("/api/retraining/status", headers={"Authorization": f"Bearer {value}"})
        assert response.status_code == (200 if value == TOKEN else 401)
        assert len(calls) == 1, value
        given, configured = calls[0]
        assert isinstance(given, bytes) and isinstance(configured, bytes)
        assert len(given) == len(configured) == 32
        assert configured == expected and given == hashlib.sha256(value.encode()).digest()
    # The raw token never reaches a comparison (a plain `==` on the strings would stop at the first difference).
    assert all(TOKEN.encode() not in a + b for a, b in calls)


def _median_check_time(view, headers_a, headers_b, app, rounds=300):
    """Median time of the admin check for two headers, measured interleaved so drift hits both alike."""
    times = {0: [], 1: []}
    for i in range(rounds):
        for which in (0, 1) if i % 2 else (1, 0):
            headers = headers_a if which == 0 else headers_b
            with app.test_request_context(headers=headers):
                start = time.perf_counter()
                try:
                    view()
                except Exception:
                    pass
                times[which].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def test_check_time_does_not_follow_the_matched_prefix(models_dir, tmp_path, monkeypatch):
    """Coarse timing: wrong at the first character vs wrong at the last, with a long token so a leak would
    be large. The same measurement on a deliberately leaky comparison shows that it can see a leak."""
    import web.auth
    from api_server import create_app

    long_token = "".join(random.Random(1).choices(string.ascii_letters, k=20_000))
    app = create_app(make_config(models_dir, f"sqlite:///{tmp_path}/docs.db", ADMIN_API_TOKEN=long_token))
    view = web.auth.require_admin(lambda: "ok")
    early = {"Authorization": "Bearer " + ("?" + long_token[1:])}
    late = {"Authorization": "Bearer " + (long_token[:-1] + "?")}
    try:

        def ratio():
            a, b = _median_check_time(view, early, late, app)
            return b / a

        # The real check: within a generous band, best of three tries against a noisy shared machine.
        ratios = []
        for _ in range(3):
            ratios.append(ratio())
            if 0.7 < ratios[-1] < 1.4:
                break
        assert 0.7 < ratios[-1] < 1.4, ratios

        # Control: a comparison that stops at the first difference, on the raw strings.
        def leaky(a, b):
            for x, y in zip(a, b):
                if x != y:
                    return False
            return len(a) == len(b)

        monkeypatch.setattr(web.auth, "_digest", lambda value: value)
        monkeypatch.setattr(web.auth.hmac, "compare_digest", leaky)
        control = ratio()
        print(f"\nadmin token check, time wrong-at-last / wrong-at-first: {ratios}; leaky control: {control:.1f}")
        assert control > 3, "the timing measurement cannot see even a gross leak"
    finally:
        app.extensions["fraud_detection"].store.close()
