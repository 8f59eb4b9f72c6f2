"""Curation in the web application (solidarity_atlas.web.auth, .signin, .curate; store.curation): signing in with
a password or the admin token, sessions, CSRF, the sign-in limit, read-only mode, the six corrections as API calls
and forms, that they write the CLI's judgements and survive re-extraction, and the audit log."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from solidarity_atlas import kb
from solidarity_atlas.cli import app as cli_app
from solidarity_atlas.extract.pipeline import extract
from solidarity_atlas.ingest.reader import page_from_bytes
from solidarity_atlas.resolve import judgements, orgs
from solidarity_atlas.store.db import connect
from solidarity_atlas.web import auth, cache, curate
from solidarity_atlas.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx in its test client
    from fastapi.testclient import TestClient

from test_web import HOSTILE, assert_no_inline_code, assert_secure  # noqa: E402 - after the test client's import

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
TOKEN = "test-admin-token-0123456789abcdef"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
KKE = "communist-party-of-greece-gr"
TURKEY = "communist-party-of-turkey-tr"
DKP = "german-communist-party-de"
DKP_BERLIN = "dkp-berlin-landesvorstand-xx"
SPAIN = "communist-party-of-spain-es"
USER, PASSWORD = "maria", "a long enough password"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
runner = CliRunner()

# One valid body per write endpoint of the API (the ids exist in the example corpus).
WRITES: dict[str, tuple[str, dict[str, Any]]] = {
    "merge": ("/api/v1/organizations/merge", {"ids": [KKE, TURKEY]}),
    "split": (f"/api/v1/organizations/{KKE}/split", {"raw": "Greece: Communist Party of Greece", "name": "X",
                                                     "country": "GR"}),
    "alias": (f"/api/v1/organizations/{KKE}/aliases", {"alias": "Partito Comunista di Grecia"}),
    "rename": (f"/api/v1/organizations/{KKE}/rename", {"name": "KKE"}),
    "signatory": ("/api/v1/documents/6/signatories", {"raw": "Communist Party of Greece (Greece)", "org_id": None}),
    "not_statement": ("/api/v1/documents/6/not-a-statement", {}),
}
# The same, as the forms of the pages send them.
FORMS: dict[str, tuple[str, dict[str, str]]] = {
    "merge": (f"/organizations/{KKE}/merge", {"other": TURKEY}),
    "split": (f"/organizations/{KKE}/split", {"raw": "Greece: Communist Party of Greece", "name": "X"}),
    "alias": (f"/organizations/{KKE}/aliases", {"alias": "Partito Comunista di Grecia"}),
    "rename": (f"/organizations/{KKE}/rename", {"name": "KKE"}),
    "signatory": ("/documents/6/signatories", {"raw": "Communist Party of Greece (Greece)", "action": "remove"}),
    "not_statement": ("/documents/6/not-a-statement", {}),
    "logout": ("/logout", {}),
}


# -- fixtures ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example corpus ingested once; each test works on a copy of its own."""
    folder = tmp_path_factory.mktemp("curation")
    path = folder / "atlas.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOLIDARITY_JUDGEMENTS", str(folder / "none.jsonl"))
        counts = kb.ingest([str(EXAMPLES)], connect(str(path)))
    assert counts.stored == 13
    return path


@pytest.fixture()
def judgements_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "judgements.jsonl"
    monkeypatch.setenv("SOLIDARITY_JUDGEMENTS", str(path))
    for name in (auth.ADMIN_TOKEN_ENV, auth.SECURE_COOKIES_ENV):
        monkeypatch.delenv(name, raising=False)
    orgs._resolver.cache_clear()
    return path


@pytest.fixture()
def db(template: Path, tmp_path: Path, judgements_file: Path) -> str:
    path = tmp_path / "atlas.db"
    source, copy = sqlite3.connect(template), sqlite3.connect(path)
    source.backup(copy)  # a consistent copy, whatever is still in the write-ahead log
    source.close()
    copy.close()
    return str(path)


def make_client(db: str, **options: Any) -> TestClient:
    return TestClient(create_app(db, rate_per_second=0, **options), follow_redirects=False)


@pytest.fixture()
def admin(db: str) -> Iterator[TestClient]:
    with make_client(db, admin_token=TOKEN) as client:
        yield client


@pytest.fixture()
def user(db: str) -> str:
    result = runner.invoke(cli_app, ["user", "add", USER, "--db", db, "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return USER


@pytest.fixture()
def signed_in(db: str, user: str) -> Iterator[tuple[TestClient, str]]:
    """A client signed in as the user, and its session's CSRF token."""
    with make_client(db) as client:
        yield client, sign_in(client, USER, PASSWORD)


def login_token(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    found = CSRF_INPUT.search(page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str) -> str:
    """Sign in through the login form; the session's CSRF token, read from a page's forms."""
    answer = client.post("/login", data={"username": name, "password": password, "csrf_token": login_token(client),
                                         "next": "/organizations"})
    assert answer.status_code == 303 and answer.headers["location"] == "/organizations", answer.text
    page = client.get(f"/organizations/{KKE}")
    found = CSRF_INPUT.search(page.text)
    assert found and f"Signed in as <strong>{name if name != 'admin' else 'admin-token'}</strong>" in page.text
    return found.group(1)


def rows(db: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def snapshot(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """What extraction and curation both write: the signatures and the tables derived from them, organisations,
    documents' kinds and the counts of what else was read from each document."""
    return {
        "signatures": sorted(rows(db, 'SELECT document_id, org_id, role, raw, position, start, "end" FROM signatures')),
        "statement_signers": sorted(rows(db, "SELECT * FROM statement_signers")),
        "cosignatures": sorted(rows(db, "SELECT * FROM cosignatures")),
        "org_statements": sorted(rows(db, "SELECT * FROM org_statements")),
        "organizations": sorted(rows(db, "SELECT * FROM organizations")),
        "documents": sorted(rows(db, "SELECT id, statement_id, doc_type FROM documents")),
        "extracted": sorted(rows(db, "SELECT d.id, (SELECT count(*) FROM mentions m WHERE m.document_id = d.id), "
                                     "(SELECT count(*) FROM demands x WHERE x.document_id = d.id), "
                                     "(SELECT count(*) FROM claims c WHERE c.document_id = d.id) FROM documents d")),
    }


def reextract(db: str) -> None:
    orgs._resolver.cache_clear()  # as a new run of 'solidarity reextract' starts
    result = runner.invoke(cli_app, ["reextract", "--db", db])
    assert result.exit_code == 0 and "13 documents extracted again" in result.output, result.output


def ingest_anew(db: str) -> str:
    """The example corpus ingested into a new knowledge base beside ``db``, with the same judgements file."""
    fresh = str(Path(db).with_name("fresh.db"))
    orgs._resolver.cache_clear()
    result = runner.invoke(cli_app, ["ingest", str(EXAMPLES), "--db", fresh])
    assert result.exit_code == 0 and "13 stored" in result.output, result.output
    return fresh


def judgement_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def statement_of_document(client: TestClient, document_id: int) -> dict[str, Any]:
    for item in client.get("/api/v1/statements", params={"limit": 200}).json()["items"]:
        detail = client.get(f"/api/v1/statements/{item['id']}").json()
        if any(d["id"] == document_id for d in detail["documents"]):
            return detail
    raise AssertionError(f"no statement with document {document_id}")


# -- read-only mode ----------------------------------------------------------------------------------------------


def test_read_only_when_neither_token_nor_users(db: str, judgements_file: Path) -> None:
    with make_client(db) as client:
        for op, (url, body) in WRITES.items():
            answer = client.post(url, json=body, headers=BEARER)
            assert answer.status_code == 403, op
            assert "read-only" in answer.json()["detail"], op
        assert client.get("/api/v1/audit").status_code == 403
        for url, fields in FORMS.values():
            answer = client.post(url, data=fields)
            assert answer.status_code == 403 and "read-only" in answer.text, url
        page = client.get(f"/organizations/{KKE}").text
        assert "<form method=\"post\"" not in page and "Sign in" not in page and "csrf_token" not in page
        login = client.get("/login")
        assert login.status_code == 200 and "read-only" in login.text and "<form class=\"login\"" not in login.text
        assert "set-cookie" not in login.headers
    assert not judgement_lines(judgements_file)
    assert rows(db, "SELECT count(*) FROM audit_log") == [(0,)]


# -- refusals: every write endpoint --------------------------------------------------------------------------------


@pytest.mark.parametrize("op", list(WRITES))
def test_api_write_refuses_anonymous_and_wrong_credentials(admin: TestClient, db: str, judgements_file: Path,
                                                           op: str) -> None:
    url, body = WRITES[op]
    before = snapshot(db)
    anonymous = admin.post(url, json=body)
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
    assert "sign in first" in anonymous.json()["detail"]
    wrong = admin.post(url, json=body, headers={"Authorization": f"Bearer {TOKEN[:-1]}x"})
    assert wrong.status_code == 401 and "wrong credentials" in wrong.json()["detail"]
    basic = admin.post(url, json=body, headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 401
    forged = admin.post(url, json=body, headers={"Cookie": f"{auth.SESSION_COOKIE}=made-up-session"})
    assert forged.status_code == 401
    for answer in (anonymous, wrong, basic, forged):
        assert_secure(answer)
    assert snapshot(db) == before and not judgement_lines(judgements_file)
    failures = rows(db, "SELECT who, operation FROM audit_log")
    assert failures == [("admin-token", "auth_failed")] * 2  # the wrong token and the Basic header


@pytest.mark.parametrize("form", list(FORMS))
def test_forms_refuse_anonymous_and_a_missing_or_wrong_csrf_token(signed_in: tuple[TestClient, str], db: str,
                                                                  judgements_file: Path, form: str) -> None:
    client, csrf = signed_in
    url, fields = FORMS[form]
    before = snapshot(db)
    with make_client(db) as anonymous:
        refused = anonymous.post(url, data={**fields, "csrf_token": csrf})
        assert refused.status_code == 403 and "Sign in" in refused.text
    missing = client.post(url, data=fields)
    wrong = client.post(url, data={**fields, "csrf_token": csrf[:-2] + "xx"})
    from_another_session = client.post(url, data={**fields, "csrf_token": "A" * len(csrf)})
    for answer in (missing, wrong, from_another_session):
        assert answer.status_code == 403 and "security token" in answer.text
        assert_secure(answer)
        assert answer.headers["content-type"].startswith("text/html")
    assert snapshot(db) == before and not judgement_lines(judgements_file)
    assert client.get("/audit").status_code == 200  # still signed in: logout was refused too


def test_a_session_api_call_needs_its_csrf_header(signed_in: tuple[TestClient, str], db: str) -> None:
    client, csrf = signed_in
    url, body = WRITES["rename"]
    refused = client.post(url, json=body)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    assert client.post(url, json=body, headers={"X-CSRF-Token": "nope"}).status_code == 403
    done = client.post(url, json=body, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200 and done.json()["judgement"]["who"] == USER
    assert client.get("/api/v1/audit").status_code == 200  # reading needs no CSRF token


def test_bad_input_is_a_clear_error(admin: TestClient, judgements_file: Path) -> None:
    for url, body, status, message in (
        ("/api/v1/organizations/merge", {"ids": [KKE, "no-such-org"]}, 404, "no organisation 'no-such-org'"),
        ("/api/v1/organizations/merge", {"ids": [KKE, KKE]}, 422, "two different organisations"),
        ("/api/v1/organizations/merge", {"ids": [KKE, TURKEY], "into": SPAIN}, 422, "is not one of"),
        (f"/api/v1/organizations/{KKE}/split", {"raw": "Nobody"}, 422, "was never written as 'Nobody'"),
        (f"/api/v1/organizations/{KKE}/rename", {"name": "  "}, 422, "the name is empty"),
        ("/api/v1/organizations/no-such-org/aliases", {"alias": "x"}, 404, "no organisation"),
        ("/api/v1/documents/999/not-a-statement", {}, 404, "no document 999"),
        ("/api/v1/documents/6/signatories", {"raw": "Not there", "org_id": None}, 422, "no signature written as"),
        ("/api/v1/documents/6/signatories", {"raw": "Communist Party of Greece (Greece)", "org_id": "nobody-xx"},
         404, "no organisation 'nobody-xx'"),
    ):
        answer = admin.post(url, json=body, headers=BEARER)
        assert answer.status_code == status, (url, answer.text)
        assert message in answer.json()["detail"], answer.json()
    assert admin.post(f"/api/v1/organizations/{KKE}/rename", json={"name": "x", "country": "GRC"},
                      headers=BEARER).status_code == 422
    assert not judgement_lines(judgements_file)


@pytest.mark.parametrize("document", ["9223372036854775808", "99999999999999999999999"])
def test_a_document_id_past_64_bits_is_not_found(signed_in: tuple[TestClient, str], document: str,
                                                 judgements_file: Path) -> None:
    client, csrf = signed_in
    for url, body in ((f"/api/v1/documents/{document}/signatories", {"raw": "x", "org_id": None}),
                      (f"/api/v1/documents/{document}/not-a-statement", {})):
        answer = client.post(url, json=body, headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 404, answer.text  # was a 500: the driver cannot bind such a number
        assert answer.json() == {"detail": f"no document {document}"}
    for url, form in ((f"/documents/{document}/signatories", {"raw": "x", "action": "remove"}),
                      (f"/documents/{document}/not-a-statement", {})):
        answer = client.post(url, data={**form, "csrf_token": csrf})
        assert answer.status_code == 404 and f"No document {document}." in answer.text
        assert_secure(answer)
    assert not judgement_lines(judgements_file)


def test_several_worker_processes_show_a_correction_made_by_one(db: str, judgements_file: Path) -> None:
    """'solidarity serve --workers 2': every process's cache notices a correction made through another, within the
    time a read of the data's version is trusted (cache.VERSION_TTL)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    log = Path(db).with_name("serve.log")
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "solidarity_atlas", "serve", "--db", db, "--port", str(port),
                                   "--workers", "2", "--threads", "2"], stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, auth.ADMIN_TOKEN_ENV: TOKEN}, start_new_session=True)

    def get(path: str) -> str:  # a new connection each time: the processes take turns accepting them
        with urllib.request.urlopen(url + path, timeout=30) as answer:
            return str(answer.read().decode("utf-8"))

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get("/static/style.css")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        while log.read_text().count("Application startup complete") < 2:  # the second process may still start
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert "with 2 processes of 2 threads" in log.read_text()
        for _ in range(12):  # in the caches of both processes
            assert "<h1>Communist Party of Spain</h1>" in get(f"/organizations/{SPAIN}")
        request = urllib.request.Request(url + f"/api/v1/organizations/{SPAIN}/rename", method="POST",
                                         data=json.dumps({"name": "PCE"}).encode(),
                                         headers={**BEARER, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
        time.sleep(cache.VERSION_TTL + 0.5)
        for _ in range(12):
            assert "<h1>PCE</h1>" in get(f"/organizations/{SPAIN}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_corrections_hold_the_judgements_file_locked(judgements_file: Path) -> None:
    """While a correction is written and applied, another process (another worker of the server) cannot take the
    lock on the judgements file, so the file and the database take the corrections in one order."""
    try_lock = ("import fcntl, sys\nwith open(sys.argv[1], 'a') as f:\n    try:\n"
                "        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)\n    except OSError:\n"
                "        print('held')\n    else:\n        print('free')\n")

    def other_process() -> str:
        return subprocess.run([sys.executable, "-c", try_lock, str(judgements_file)], capture_output=True, text=True,
                              check=True).stdout.strip()

    with curate._one_at_a_time():
        assert other_process() == "held"
    assert other_process() == "free"


# -- signing in ----------------------------------------------------------------------------------------------------


def test_login_with_a_good_and_a_bad_password(db: str, user: str) -> None:
    with make_client(db) as client:
        token = login_token(client)
        bad = client.post("/login", data={"username": USER, "password": "wrong password", "csrf_token": token})
        assert bad.status_code == 401 and "Wrong name or password." in bad.text
        assert auth.SESSION_COOKIE not in bad.headers.get("set-cookie", "")
        unknown = client.post("/login", data={"username": "nobody", "password": PASSWORD, "csrf_token": token})
        assert unknown.status_code == 401
        assert client.get("/audit").status_code == 303  # not signed in
        good = client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
        assert good.status_code == 303 and good.headers["location"] == "/"
        cookie = next(c for c in good.headers.get_list("set-cookie") if c.startswith(auth.SESSION_COOKIE + "="))
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "max-age", "path"} <= attributes and "secure" not in attributes  # plain HTTP here
        assert "samesite=strict" in cookie.lower() and "path=/" in cookie.lower()
        value = cookie.split(";")[0].split("=", 1)[1]
        stored = rows(db, "SELECT id, who FROM sessions")
        assert len(stored) == 1 and stored[0][1] == USER and stored[0][0] != value  # only the value's hash is kept
        page = client.get(f"/organizations/{KKE}")
        assert f"Signed in as <strong>{USER}</strong>" in page.text and page.headers["cache-control"] == "no-store"
        csrf = CSRF_INPUT.search(page.text)
        assert csrf
        out = client.post("/logout", data={"csrf_token": csrf.group(1)})
        assert out.status_code == 303 and rows(db, "SELECT count(*) FROM sessions") == [(0,)]
        assert client.get("/audit").status_code == 303
    with make_client(db) as replay:  # the old cookie opens nothing once signed out
        replay.cookies.set(auth.SESSION_COOKIE, value)
        assert replay.get("/api/v1/audit").status_code == 401
    log = rows(db, "SELECT who, operation FROM audit_log ORDER BY id")
    assert log == [(USER, "login_failed"), ("nobody", "login_failed"), (USER, "login"), (USER, "logout")]


def test_login_form_needs_its_own_csrf_token(db: str, user: str) -> None:
    with make_client(db) as client:
        token = login_token(client)
        no_field = client.post("/login", data={"username": USER, "password": PASSWORD})
        wrong_field = client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": "x" * 43})
        client.cookies.clear()
        no_cookie = client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
        for answer in (no_field, wrong_field, no_cookie):
            assert answer.status_code == 403 and "security token" in answer.text
        assert client.post("/login", content=b"username=maria", headers={"content-type": "text/plain"}
                           ).status_code == 415
    assert rows(db, "SELECT count(*) FROM sessions") == [(0,)]


def test_the_admin_token_signs_in_on_the_login_page(db: str) -> None:
    with make_client(db, admin_token=TOKEN) as client:
        token = login_token(client)
        bad = client.post("/login", data={"username": "admin", "password": TOKEN + "x", "csrf_token": token})
        assert bad.status_code == 401
        csrf = sign_in(client, "admin", TOKEN)
        done = client.post(*WRITES["rename"][:1], json=WRITES["rename"][1], headers={"X-CSRF-Token": csrf})
        assert done.status_code == 200 and done.json()["judgement"]["who"] == "admin-token"
    with make_client(db, admin_token=TOKEN.upper()) as restarted:  # a new token ends the old token's sessions
        restarted.cookies.update(client.cookies)
        assert restarted.get("/api/v1/audit").status_code == 401


def test_login_rate_limit_per_client_address(db: str, user: str) -> None:
    with make_client(db, admin_token=TOKEN) as client:
        token = login_token(client)
        for _ in range(auth.LOGIN_FAILURES):
            failed = client.post("/login", data={"username": USER, "password": "wrong password", "csrf_token": token})
            assert failed.status_code == 401
        limited = client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
        assert limited.status_code == 429 and "Too many failed sign-ins" in limited.text
        assert 1 <= int(limited.headers["retry-after"]) <= auth.LOGIN_WINDOW
        assert auth.SESSION_COOKIE not in limited.headers.get("set-cookie", "")
        api = client.post(WRITES["rename"][0], json=WRITES["rename"][1], headers=BEARER)
        assert api.status_code == 429  # the same address, even with the right token
    assert rows(db, "SELECT count(*) FROM audit_log WHERE operation = 'login_failed'") == [(auth.LOGIN_FAILURES,)]
    # Another application over the same database, as another worker process of 'solidarity serve --workers N' (or
    # the server restarted): the failures are counted from the audit log, so the address is refused there too.
    with make_client(db, admin_token=TOKEN) as other_app:
        other = other_app.post(WRITES["rename"][0], json=WRITES["rename"][1], headers=BEARER)
        assert other.status_code == 429 and 1 <= int(other.headers["retry-after"]) <= auth.LOGIN_WINDOW
    connection = sqlite3.connect(db)  # a minute later (the failures' times moved back): the address may try again
    with connection:
        connection.execute("UPDATE audit_log SET at = '2000-01-01T00:00:00Z' WHERE operation = 'login_failed'")
    connection.close()
    with make_client(db, admin_token=TOKEN) as other_app:
        assert other_app.post(WRITES["rename"][0], json=WRITES["rename"][1], headers=BEARER).status_code == 200


def test_failure_limiter_forgets_old_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    limiter = auth.FailureLimiter(failures=2, window=60, clients=2)
    limiter.fail("a")
    limiter.fail("a")
    assert limiter.wait("a") == 60 and limiter.wait("b") == 0
    clock[0] += 59
    assert limiter.wait("a") == pytest.approx(1)
    clock[0] += 1
    assert limiter.wait("a") == 0
    limiter.fail("b")
    limiter.fail("c")
    limiter.fail("d")  # only two addresses are remembered: the least recently failing goes
    assert set(limiter._seen) == {"c", "d"}


def test_secure_cookie_on_https_and_when_forced(db: str, user: str) -> None:
    with TestClient(create_app(db, rate_per_second=0), base_url="https://testserver", follow_redirects=False) as https:
        answer = https.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": login_token(https)})
        assert answer.status_code == 303 and "secure" in answer.headers["set-cookie"].lower()
    with make_client(db, secure_cookies=True) as forced:
        page = forced.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()


def test_passwords_are_stored_hashed_and_users_managed_by_the_cli(db: str, user: str) -> None:
    [(stored,)] = rows(db, f"SELECT password_hash FROM users WHERE name = '{USER}'")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert auth.verify_user(connect(db), USER, PASSWORD) and not auth.verify_user(connect(db), USER, PASSWORD + "!")
    listed = runner.invoke(cli_app, ["user", "list", "--db", db, "--json"])
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["name"] == USER
    for name, password, message in ((USER, PASSWORD, "already a user"), ("admin", PASSWORD, "reserved"),
                                    ("bob", "short", "at least 8"), ("no spaces", PASSWORD, "not a user name")):
        result = runner.invoke(cli_app, ["user", "add", name, "--db", db, "--password-stdin"], input=password + "\n")
        assert result.exit_code == 1 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1  # one line, no traceback
    asked = runner.invoke(cli_app, ["user", "add", "bob", "--db", db], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert asked.exit_code == 0, asked.output
    assert PASSWORD not in asked.output
    with make_client(db) as client:
        sign_in(client, "bob", PASSWORD)
        assert rows(db, "SELECT count(*) FROM sessions WHERE who = 'bob'") == [(1,)]
        removed = runner.invoke(cli_app, ["user", "remove", "bob", "--db", db])
        assert removed.exit_code == 0
        assert rows(db, "SELECT count(*) FROM sessions WHERE who = 'bob'") == [(0,)]  # signed out at once
        assert client.get("/audit").status_code == 303
    assert runner.invoke(cli_app, ["user", "remove", "bob", "--db", db]).exit_code == 1


def test_serve_refuses_a_bad_admin_token_file(db: str, tmp_path: Path) -> None:
    short = tmp_path / "short"
    short.write_text("tiny\n", encoding="utf-8")
    for path, message in ((short, "at least 16 characters"), (tmp_path / "missing", "cannot read the admin token")):
        result = runner.invoke(cli_app, ["serve", "--db", db, "--admin-token-file", str(path)])
        assert result.exit_code == 2 and message in result.output, result.output
    assert "--admin-token-file" in runner.invoke(cli_app, ["serve", "--help"]).output


# -- the corrections -----------------------------------------------------------------------------------------------


def test_merge_via_the_api_shows_at_once_and_survives_reextract(admin: TestClient, db: str,
                                                               judgements_file: Path) -> None:
    kke, turkey = (admin.get(f"/api/v1/organizations/{i}").json() for i in (KKE, TURKEY))
    organisations = admin.get("/api/v1/stats").json()["organizations"]
    together = {s["id"] for s in kke["latest"]} | {s["id"] for s in turkey["latest"]}
    merged = admin.post("/api/v1/organizations/merge", json={"ids": [KKE, TURKEY], "why": "a test"}, headers=BEARER)
    assert merged.status_code == 200, merged.text
    answer = merged.json()
    assert answer["url"] == f"/organizations/{KKE}" and answer["changed"]["organizations"] == 1
    [line] = judgement_lines(judgements_file)
    assert {k: line[k] for k in ("op", "ids", "into", "who", "why")} == {
        "op": "merge", "ids": [KKE, TURKEY], "into": KKE, "who": "admin-token", "why": "a test"}
    assert line == answer["judgement"]
    assert admin.get(f"/api/v1/organizations/{TURKEY}").status_code == 404
    after = admin.get(f"/api/v1/organizations/{KKE}").json()
    assert {s["id"] for s in after["latest"]} == together and after["statements"] == len(together)
    assert TURKEY not in {c["org_id"] for c in after["co_signers"]}
    assert "Communist Party of Turkey (Turkey)" in after["aliases"]  # its names as written came along
    moved = admin.get(f"/organizations/{TURKEY}")
    assert moved.status_code == 307 and moved.headers["location"] == f"/organizations/{KKE}"
    network = admin.get("/api/v1/network").json()
    assert TURKEY not in {n["id"] for n in network["nodes"]}
    assert all(TURKEY not in (e["source"], e["target"]) for e in network["edges"])
    assert admin.get("/api/v1/stats").json()["organizations"] == organisations - 1  # the cached counts were dropped
    curated = snapshot(db)
    assert not [r for r in curated["signatures"] if r[1] == TURKEY]
    reextract(db)
    assert snapshot(db) == curated  # the rows curation wrote are the rows extraction writes with the judgement
    assert snapshot(ingest_anew(db)) == curated


def test_signatory_fixes_and_not_a_statement_survive_reextract(signed_in: tuple[TestClient, str], db: str,
                                                              judgements_file: Path) -> None:
    client, csrf = signed_in
    statement = statement_of_document(client, 6)
    raws = [r for (r,) in rows(db, "SELECT raw FROM signatures WHERE document_id = 6 AND role = 'signatory' "
                                   "ORDER BY position")]
    gone, repointed = raws[2], raws[3]
    page = client.get(f"/statements/{statement['id']}").text
    assert 'action="/documents/6/signatories"' in page and f'<option value="{gone}">' in page
    removed = client.post("/documents/6/signatories", data={"raw": gone, "action": "remove", "org": "",
                                                            "csrf_token": csrf})
    assert removed.status_code == 303
    assert removed.headers["location"] == f"/statements/{statement['id']}?document=6&done=signatory"
    assert "The signatory was corrected." in client.get(removed.headers["location"]).text
    pointed = client.post("/api/v1/documents/6/signatories", json={"raw": repointed, "org_id": SPAIN},
                          headers={"X-CSRF-Token": csrf})
    assert pointed.status_code == 200, pointed.text
    after = client.get(f"/api/v1/statements/{statement['id']}").json()
    assert len(after["signatories"]) == len(statement["signatories"]) - 1
    assert gone not in {s["raw"] for s in after["signatories"]}
    assert {"org_id": SPAIN, "name": "Communist Party of Spain", "country": "ES", "raw": repointed} in after[
        "signatories"]
    assert rows(db, "SELECT org_id FROM signatures WHERE document_id = 6 AND raw = ?", repointed) == [(SPAIN,)] * 2
    document = next(d for d in rows(db, "SELECT id, content_hash FROM documents") if d[0] == 11)
    marked = client.post("/documents/11/not-a-statement", data={"why": "a letter", "csrf_token": csrf})
    assert marked.status_code == 303
    other = statement_of_document(client, 11)
    assert other["doc_type"] == "other" and other["signatories"] == [] and other["persons"] == []
    lines = judgement_lines(judgements_file)
    assert [(x["op"], x["who"]) for x in lines] == [("signatory", USER)] * 2 + [("not_statement", USER)]
    assert lines[0]["org_id"] is None and lines[1]["org_id"] == SPAIN and lines[2]["document"] == document[1]
    assert all(len(x["document"]) == 64 for x in lines)  # the document's content hash, not its row id
    curated = snapshot(db)
    reextract(db)
    assert snapshot(db) == curated
    assert snapshot(ingest_anew(db)) == curated  # the judgements find the same files by the hash of their bytes


def test_split_alias_and_rename_through_the_forms(signed_in: tuple[TestClient, str], db: str,
                                                  judgements_file: Path) -> None:
    client, csrf = signed_in
    page = client.get(f"/organizations/{KKE}")
    text = page.text
    for action in ("merge", "aliases", "rename", "split"):
        assert f'action="/organizations/{KKE}/{action}"' in text
    assert '<button type="submit">Merge</button>' in text and 'name="other"' in text
    assert_no_inline_code(text)
    # (Not "Greece: Communist Party of Greece": its document also writes the party in Russian, an issuer that
    # extraction kept once and that only a re-extraction brings back as a second issuer once the two are apart.)
    split = client.post(f"/organizations/{KKE}/split", data={
        "raw": "Communist Party of Greece – Greece", "name": "Greek Communists", "country": "gr", "csrf_token": csrf})
    assert split.status_code == 303 and split.headers["location"] == "/organizations/greek-communists-gr?done=split"
    new = client.get("/api/v1/organizations/greek-communists-gr").json()
    # Names are compared as the resolver compares them, punctuation aside: "(Greece)" goes with "– Greece".
    assert new["aliases"] == ["Communist Party of Greece (Greece)", "Communist Party of Greece – Greece"]
    assert new["country"] == "GR" and new["statements"] == 2
    assert "Communist Party of Greece – Greece" not in client.get(f"/api/v1/organizations/{KKE}").json()["aliases"]
    alias = client.post(f"/organizations/{DKP}/aliases", data={"alias": "DKP Berlin, Landesvorstand",
                                                               "csrf_token": csrf})
    assert alias.status_code == 303
    assert client.get(f"/api/v1/organizations/{DKP_BERLIN}").status_code == 404  # its one signature moved
    assert "DKP Berlin, Landesvorstand" in client.get(f"/api/v1/organizations/{DKP}").json()["aliases"]
    rename = client.post(f"/organizations/{SPAIN}/rename", data={"name": "PCE", "country": "", "csrf_token": csrf})
    assert rename.status_code == 303
    shown = client.get(rename.headers["location"]).text
    assert "<h1>PCE</h1>" in shown and "The organisation was renamed." in shown
    bad = client.post(f"/organizations/{KKE}/merge", data={"other": "no-such-org", "csrf_token": csrf})
    assert bad.status_code == 404 and "No organisation &#39;no-such-org&#39;." in bad.text
    assert_secure(bad)
    ops = [(x["op"], x["who"]) for x in judgement_lines(judgements_file)]
    assert ops == [("split", USER), ("alias", USER), ("rename", USER)]  # the refused merge wrote nothing
    curated = snapshot(db)
    reextract(db)
    assert snapshot(db) == curated


def test_merge_form_on_the_organisation_page(signed_in: tuple[TestClient, str], db: str) -> None:
    client, csrf = signed_in
    answer = client.post(f"/organizations/{KKE}/merge", data={"other": TURKEY, "keep": "other", "csrf_token": csrf})
    assert answer.status_code == 303 and answer.headers["location"] == f"/organizations/{TURKEY}?done=merge"
    page = client.get(answer.headers["location"]).text
    assert "The organisations were merged." in page
    assert rows(db, f"SELECT count(*) FROM organizations WHERE id = '{KKE}'") == [(0,)]


# -- the audit log -------------------------------------------------------------------------------------------------


def test_audit_log_records_every_write_and_sign_in(db: str, user: str, judgements_file: Path) -> None:
    with make_client(db, admin_token=TOKEN) as client:
        assert client.post(*WRITES["alias"][:1], json=WRITES["alias"][1], headers=BEARER).status_code == 200
        login_token(client)
        client.post("/login", data={"username": USER, "password": "nope nope", "csrf_token": login_token(client)})
        csrf = sign_in(client, USER, PASSWORD)
        assert client.post("/documents/6/not-a-statement", data={"csrf_token": csrf}).status_code == 303
        assert client.get("/api/v1/audit", headers={"Authorization": ""}).status_code == 401  # a blank header counts
    with make_client(db, admin_token=TOKEN) as reader:
        assert reader.get("/api/v1/audit").status_code == 401
        assert reader.get("/audit").headers["location"] == "/login?next=/audit"
        log = reader.get("/api/v1/audit", headers=BEARER)
        assert log.status_code == 200 and log.headers["cache-control"] == "private, no-store"
        entries = log.json()["items"]
    assert [(e["who"], e["operation"]) for e in entries] == [
        ("admin-token", "auth_failed"), (USER, "not_statement"), (USER, "login"), (USER, "login_failed"),
        ("admin-token", "alias")]
    assert all(e["client"] == "testclient" and e["at"].endswith("Z") for e in entries)
    alias = entries[-1]["judgement"]
    assert alias == judgement_lines(judgements_file)[0] and alias["alias"] == "Partito Comunista di Grecia"
    with make_client(db) as client:
        sign_in(client, USER, PASSWORD)
        page = client.get("/audit")
        assert page.status_code == 200 and "Partito Comunista di Grecia" in page.text and "not statement" in page.text
        assert_secure(page)
        assert_no_inline_code(page.text)


# -- pages and API description ---------------------------------------------------------------------------------------


def test_new_pages_keep_the_security_headers(signed_in: tuple[TestClient, str], db: str) -> None:
    client, csrf = signed_in
    statement = statement_of_document(client, 6)["id"]
    for url in ("/login", "/audit", f"/organizations/{KKE}", f"/statements/{statement}"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert_secure(page)
        assert_no_inline_code(page.text)
        assert page.headers["cache-control"] == "no-store"
    for answer in (client.post("/logout", data={}), client.post("/login", data={"username": "x"}),
                   client.post("/documents/6/not-a-statement", data={"csrf_token": csrf}),
                   client.post(f"/organizations/{KKE}")):
        assert_secure(answer)
        assert "Traceback" not in answer.text
    with make_client(db) as anonymous:
        login = anonymous.get("/login")
        assert_secure(login)
        assert_no_inline_code(login.text)
        assert '<form class="login" method="post" action="/login">' in login.text
        assert 'name="username"' in login.text and 'name="password"' in login.text
        assert "<form method=\"post\"" not in anonymous.get(f"/organizations/{KKE}").text  # no forms to strangers


def test_hostile_names_are_escaped_in_the_forms(tmp_path: Path, judgements_file: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    path = str(tmp_path / "hostile.db")
    kb.ingest([str(tmp_path / "in")], connect(path))
    auth.add_user(connect(path), USER, PASSWORD)
    with make_client(path) as client:
        sign_in(client, USER, PASSWORD)
        statement = client.get("/api/v1/statements").json()["items"][0]["id"]
        detail = client.get(f"/api/v1/statements/{statement}").json()
        hostile = [s["org_id"] for s in detail["signatories"] if "<" in s["name"]]
        assert hostile
        for url in (f"/statements/{statement}", *(f"/organizations/{org}" for org in hostile)):
            text = client.get(url).text
            assert 'name="csrf_token"' in text, url
            assert "<script>alert" not in text and "<img" not in text, url
            assert_no_inline_code(text)
        assert "&lt;img src=x onerror=alert(1)&gt;" in client.get(f"/statements/{statement}").text
    with make_client(path) as stranger:  # after signing in, only a path of this site is followed
        for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\\evil.example"):
            page = stranger.get("/login", params={"next": target}).text
            assert 'name="next" value="/"' in page, target
        assert 'name="next" value="/audit?offset=50"' in stranger.get("/login?next=/audit%3Foffset%3D50").text


def test_openapi_documents_the_write_endpoints(admin: TestClient) -> None:
    spec = admin.get("/openapi.json").json()
    for url, _ in WRITES.values():
        path = re.sub(r"/organizations/[^/]+/", "/organizations/{org_id}/", url).replace("/documents/6/",
                                                                                          "/documents/{document_id}/")
        operation = spec["paths"][path]["post"]
        assert operation["tags"] == ["curation"] and operation["requestBody"]
        assert {"401", "403", "422"} <= set(operation["responses"])
        assert operation["security"] == [{"HTTPBearer": []}]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert set(spec["paths"]["/api/v1/audit"]) == {"get"}


# -- judgements and extraction ---------------------------------------------------------------------------------------


def test_document_judgements_are_applied_by_extraction(judgements_file: Path) -> None:
    text = ("Solidarity with the dockers\n\nThe undersigned parties salute the dock workers of Valparaíso, on "
            "strike for three weeks, and demand the release of the arrested delegates.\n\nSigned by:\n"
            "1. Communist Party of Greece\n2. Portuguese Communist Party\n3. Communist Party of Turkey\n")
    page = page_from_bytes("statement.txt", text.encode("utf-8"), is_html=False)
    assert [o.org_id for o in extract(page).signatories] == [KKE, "portuguese-communist-party-pt", TURKEY]
    judgements.record(judgements_file, "signatory", document=page.sha256, raw="COMMUNIST PARTY OF GREECE",
                      org_id=None, who="test")
    judgements.record(judgements_file, "signatory", document=page.sha256, raw="Communist Party of Turkey",
                      org_id=SPAIN, name="Communist Party of Spain", country="ES")
    judgements.record(judgements_file, "signatory", document="0" * 64, raw="Portuguese Communist Party", org_id=None)
    fixed = extract(page)
    assert [(o.raw, o.org_id) for o in fixed.signatories] == [
        ("Portuguese Communist Party", "portuguese-communist-party-pt"), ("Communist Party of Turkey", SPAIN)]
    assert fixed.evidence["signatories.0"].text == "Portuguese Communist Party"
    assert judgement_lines(judgements_file)[0]["who"] == "test"
    judgements.record(judgements_file, "not_statement", document=page.sha256)
    ignored = extract(page)
    assert ignored.doc_type == "other" and not ignored.signatories and not ignored.demands
    with pytest.raises(judgements.JudgementError, match="org_id"):
        judgements.record(judgements_file, "signatory", document=page.sha256, raw="x")
    with pytest.raises(judgements.JudgementError, match="document"):
        judgements.record(judgements_file, "not_statement", document="")
    assert len(judgement_lines(judgements_file)) == 4  # the malformed ones were never written
