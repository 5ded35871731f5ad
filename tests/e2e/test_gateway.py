"""The HTTP gateway on the real system (`lifecycle up`: dev server, worker and gateway), through
HTTP on a real port: people known by tokens from a local OpenID Connect stand-in, systems by API
keys made with the real command; spoofed actors, cross-provider reads, the public trying an
officer's action, oversize bodies; signed events good, forged, stale and replayed."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import standardwebhooks

from lifecycle.domain.credit_code import complete
from tests.helpers import BIN, cli, free_port, lifecycle, wait_until
from tests.helpers.oidc import Issuer

pytestmark = pytest.mark.e2e
APPLICATION = json.loads(Path("examples/qingdao-2024/application.json").read_text("utf-8"))
CODE = APPLICATION["credit_code"]


@pytest.fixture
def issuer():
    made = Issuer()
    yield made
    made.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def made_key(system, *args: str) -> list[str]:
    """`lifecycle api-key create …`: the key (and a system's signing secret) it shows once."""
    out = cli(system, "api-key", "create", *args).stdout
    return re.findall(r"^(?:lk_|whsec_)\S+$", out, re.M)


def send_event(api: str, key: str, secret: str, event: dict, stamp: int | None = None):
    body = json.dumps(event, ensure_ascii=False).encode()
    stamp = int(time.time()) if stamp is None else stamp
    headers = {
        **bearer(key),
        "content-type": "application/json",
        "webhook-id": event["event_id"],
        "webhook-timestamp": str(stamp),
        "webhook-signature": standardwebhooks.Webhook(secret).sign(
            event["event_id"], dt.datetime.fromtimestamp(stamp, dt.UTC), body.decode()
        ),
    }
    return httpx.post(f"{api}/events", content=body, headers=headers, timeout=30)


def test_identity_decides_who_acts_and_events_are_signed_and_applied_once(new_system, issuer):
    system = new_system(**issuer.env())
    system.start()
    api = system.api
    cli(system, "round", "set", "qingdao-2024", "g1")
    officer = bearer(issuer.token("li.officer", ["offline_access", "bureau_officer"]))
    mine = bearer(issuer.token("u-301", ["provider"], credit_code=CODE))
    other = bearer(issuer.token("u-302", ["provider"], credit_code=complete("91370212MA3QD0002")))
    public = bearer(issuer.token("citizen-9", ["public"]))
    district = bearer(issuer.token("wang", ["district_officer"], district=APPLICATION["district"]))

    def post(path: str, body: dict, headers: dict) -> httpx.Response:
        return httpx.post(f"{api}{path}", json=body, headers=headers, timeout=60)

    def get(path: str, headers: dict) -> httpx.Response:
        return httpx.get(f"{api}{path}", headers=headers, timeout=60)

    # Who is asking: none, forged, expired, another issuer's, another audience's, another key's.
    good = issuer.token("li.officer", ["bureau_officer"])
    head, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "director"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    stranger = Issuer(kid=issuer.kid)  # same key id, another key: not the bureau's
    refused = {
        "no credentials": {},
        "tampered": bearer(f"{head}.{forged}.{signature}"),
        "expired": bearer(issuer.token("li.officer", ["bureau_officer"], expires_in=-120)),
        "issuer": bearer(issuer.token("li", ["bureau_officer"], iss="https://evil.test")),
        "audience": bearer(issuer.token("li", ["bureau_officer"], aud="another-app")),
        "foreign key": bearer(stranger.token("li", ["bureau_officer"])),
        "not a key": bearer("lk_000000000000_nope"),
    }
    stranger.close()
    for what, headers in refused.items():
        answer = get("/cases", headers)
        assert answer.status_code == 401, (what, answer.text)
        assert set(answer.json()) == {"error", "clause"}
    assert "expired" in get("/cases", refused["expired"]).json()["error"]
    assert "not issued by" in get("/cases", refused["issuer"]).json()["error"]
    assert "not meant for this gateway" in get("/cases", refused["audience"]).json()["error"]

    # A provider applies for itself only; the second application is a duplicate.
    body = {"policy": "qingdao-2024", "round": "g1", "application": APPLICATION}
    assert post("/cases", body, other).status_code == 403
    applied = post("/cases", body, mine)
    assert applied.status_code == 201, applied.text
    case_id = applied.json()["case_id"]
    again = post("/cases", body, mine)
    assert again.status_code == 409 and "already has a case" in again.json()["error"]
    bad = post("/cases", {**body, "application": {**APPLICATION, "credit_code": 7}}, mine)
    assert bad.status_code == 400
    assert bad.json()["error"] == "application: credit_code is 7; it must be text."

    # Reading: own case, staff; not another provider, not the public.
    assert get(f"/cases/{case_id}", mine).status_code == 200
    assert get(f"/cases/{case_id}", other).status_code == 403
    assert get(f"/cases/{case_id}", public).status_code == 403
    assert get(f"/cases/{case_id}/history", other).status_code == 403
    assert [c["case_id"] for c in get("/cases", other).json()] == []
    assert [c["case_id"] for c in get("/cases", officer).json()] == [case_id]
    missing = get(f"/cases/case:qingdao-2024:g1:{complete('91370212MA3QD0009')}", officer)
    assert missing.status_code == 404 and missing.json()["error"].startswith("There is no case")
    assert get("/cases/not-a-case", officer).status_code == 400

    # Acting: as oneself only; the public may not take an officer's action.
    spoofed = post(
        f"/cases/{case_id}/actions", {"action": "begin_review", "actor": "bureau_officer:zhao"},
        officer,
    )  # fmt: skip
    assert (
        spoofed.status_code == 403
        and "authenticated as bureau_officer:li.officer" in (spoofed.json()["error"])
    )
    by_public = post(f"/cases/{case_id}/actions", {"action": "begin_review"}, public)
    assert by_public.status_code == 403
    assert by_public.json()["clause"].startswith("qingdao-2024 §")
    by_other = post(f"/cases/{case_id}/actions", {"action": "withdraw"}, other)
    assert by_other.status_code == 403
    acted = post(f"/cases/{case_id}/actions", {"action": "begin_review"}, officer)
    assert acted.status_code == 200 and acted.json()["state"] == "preliminary_review"
    refused_now = post(f"/cases/{case_id}/actions", {"action": "publicise"}, officer)
    assert refused_now.status_code == 409 and "not allowed while" in refused_now.json()["error"]
    unknown = post(f"/cases/{case_id}/actions", {"action": "admit"}, officer)
    assert unknown.status_code == 400 and "not an action of qingdao-2024" in unknown.json()["error"]
    passed = post(f"/cases/{case_id}/actions", {"action": "pass_preliminary"}, district)
    assert passed.status_code == 200, passed.text
    big = {"action": "score", "reason": "x" * (1024 * 1024 + 10)}
    assert post(f"/cases/{case_id}/actions", big, officer).status_code == 413
    cli(
        system, "case", "act", case_id, "score", "--as", "expert:panel",
        "--data", '{"score": 90, "rank": 1, "recommended": true}',
    )  # fmt: skip

    # During the notice the public objects, and reads the directory; nothing else.
    assert post(f"/cases/{case_id}/actions", {"action": "publicise"}, officer).status_code == 200
    objected = post(f"/cases/{case_id}/actions", {"action": "object", "reason": "材料不实"}, public)
    assert objected.status_code == 200, objected.text
    assert httpx.get(f"{api}/directory/qingdao-2024").status_code == 200
    assert get(f"/cases/{case_id}/history", public).status_code == 403

    # The trail names the authenticated subject, and how it was known.
    trail = get(f"/cases/{case_id}/history", officer).json()
    assert [(e["actor_role"], e["actor_id"], e["assurance"]) for e in trail[1:]] == [
        ("bureau_officer", "li.officer", "oidc"),
        ("district_officer", "wang", "oidc"),
        ("expert", "panel", "asserted"),  # the development set-up's direct command
        ("bureau_officer", "li.officer", "oidc"),
        ("public", "citizen-9", "oidc"),
    ]
    assert "every chain holds" in cli(system, "audit", "verify").stdout

    # Events from another system: signed, once per event id, for running cases only.
    key, secret = made_key(system, "--name", "hub", "--role", "system")
    [officer_key] = made_key(system, "--name", "zhou", "--role", "bureau_officer")
    event = {
        "event_id": "hub-0001",
        "case_id": case_id,
        "action": "withdraw",
        "actor": f"provider:{CODE}",
        "reason": "withdrawn on the provider portal",
    }
    assert send_event(api, key, "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY", event).status_code == 401
    stale = send_event(api, key, secret, event, stamp=int(time.time()) - 600)
    assert stale.status_code == 401 and "5 minutes" in stale.json()["error"]
    assert send_event(api, officer_key, secret, event).status_code == 403  # not a system key
    as_officer = {**event, "event_id": "hub-0000", "actor": "bureau_officer:hub"}
    assert send_event(api, key, secret, as_officer).status_code == 403
    first = send_event(api, key, secret, event)
    assert first.status_code == 202 and first.json()["status"] == "received"
    replayed = send_event(api, key, secret, event)
    assert replayed.status_code == 200 and replayed.json()["status"] == "already received"
    wait_until(lambda: get(f"/cases/{case_id}/history", officer).json()[-1]["action"] == "withdraw")
    assert send_event(api, key, secret, event).json()["status"] == "already received"
    closed = send_event(api, key, secret, {**event, "event_id": "hub-0002"})
    assert closed.status_code == 409 and "kept nowhere" in closed.json()["error"]
    nowhere = {**event, "event_id": "hub-0003", "case_id": f"case:qingdao-2024:g1:{CODE}x"}
    assert send_event(api, key, secret, nowhere).status_code == 409
    trail = get(f"/cases/{case_id}/history", officer).json()
    withdrawals = [e for e in trail if e["action"] == "withdraw"]
    assert [(e["event_id"], e["assurance"]) for e in withdrawals] == [("hub:hub-0001", "api-key")]
    rejected = cli(system, "events", "rejected").stdout
    assert "hub-0002" not in rejected and "hub-0003" not in rejected

    # A revoked key is refused from the next request on.
    cli(system, "api-key", "revoke", "zhou")
    assert get("/cases", bearer(officer_key)).status_code == 401
    assert system.stop() == 0


def test_the_command_goes_through_the_gateway_with_a_token(new_system):
    system = new_system()
    system.start()
    try:
        cli(system, "round", "set", "qingdao-2024", "g2")
        [officer_key] = made_key(system, "--name", "chen", "--role", "bureau_officer")
        through = {**system.env, "LIFECYCLE_API_URL": system.api, "LIFECYCLE_TOKEN": officer_key}

        def run(*args: str):
            return lifecycle(*args, env=through)

        applied = run("case", "apply", "qingdao-2024", "examples/qingdao-2024/application.json",
                      "--round", "g2")  # fmt: skip
        assert applied.returncode == 0, applied.stderr
        case_id = applied.stdout.strip()
        spoofed = run("case", "act", case_id, "begin_review", "--as", "bureau_officer:li")
        assert spoofed.returncode == 2
        assert "authenticated as bureau_officer:chen" in spoofed.stderr
        acted = run("case", "act", case_id, "begin_review")
        assert acted.returncode == 0, acted.stderr
        assert acted.stdout.strip() == f"{case_id}: preliminary_review (#2 begin_review)"
        shown = run("case", "show", case_id)
        assert "state: preliminary_review" in shown.stdout
        assert "bureau_officer:chen begin_review" in shown.stdout
        as_json = json.loads(run("case", "show", case_id, "--json").stdout)
        assert as_json["history"][-1]["assurance"] == "api-key"
        assert case_id in run("case", "list", "--state", "preliminary_review").stdout
        history = run("case", "history", case_id).stdout
        assert "#2" in history and "bureau_officer:chen" in history
        listed = json.loads(run("case", "list", "--json").stdout)
        assert [c["case_id"] for c in listed] == [case_id]
        # A programme as a whole: a call's round set over HTTP, what is published (open to
        # everyone), the ban registry (staff), refused events (their senders), no closure here.
        key = bearer(officer_key)
        dates = {"applications_close": "2031-12-31"}
        put = httpx.put(f"{system.api}/calls/qingdao-2024/rounds/g9", json=dates, headers=key)
        assert put.status_code == 200, put.text
        bad = httpx.put(f"{system.api}/calls/qingdao-2024/rounds/g9", json={"x": 1}, headers=key)
        assert bad.status_code == 400 and "x" in bad.json()["error"]
        docs = httpx.get(f"{system.api}/published/qingdao-2024").json()
        assert {d["kind"] for d in docs} >= {"directory"}
        assert httpx.get(f"{system.api}/bans", headers=key).json() == []
        assert httpx.get(f"{system.api}/bans").status_code == 401
        assert httpx.get(f"{system.api}/events/rejected", headers=key).json() == []
        closure = httpx.post(
            f"{system.api}/programmes/qingdao-2024/close", json={"reason": "done"}, headers=key
        )
        assert closure.status_code == 409 and "no closing clause" in closure.json()["error"]
        revoked = cli(system, "api-key", "revoke", "chen")
        assert revoked.returncode == 0
        refused = run("case", "list")
        assert refused.returncode == 2 and "not valid" in refused.stderr
    finally:
        assert system.stop() == 0
    down = lifecycle("case", "list", env=through)
    assert down.returncode == 1 and f"The gateway at {system.api} did not answer" in down.stderr
    half = lifecycle("case", "list", env={**system.env, "LIFECYCLE_API_URL": system.api})
    assert half.returncode == 2 and "must be set together" in half.stderr


def test_the_gateway_alone_says_what_is_down(tmp_path):
    """`lifecycle api` with no Temporal behind it: what needs only the store answers, what
    needs a case answers 503 in one sentence naming what is down."""
    port = free_port()
    env = {
        "LIFECYCLE_VAR_DIR": str(tmp_path),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",  # nothing listens there
        "LIFECYCLE_API_PORT": str(port),
    }
    made = lifecycle("api-key", "create", "--name", "ops", "--role", "bureau_officer", env=env)
    key = made.stdout.splitlines()[1].strip()
    api = subprocess.Popen(
        [str(BIN / "lifecycle"), "api"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{url}/health"), timeout=60, interval=0.3)
        assert httpx.get(f"{url}/cases", headers=bearer(key)).json() == []
        down = httpx.get(f"{url}/cases/case:qingdao-2024:g1:{CODE}", headers=bearer(key))
        assert down.status_code == 503
        assert down.json()["error"] == (
            f"Temporal at {env['TEMPORAL_ADDRESS']} (namespace default) did not answer "
            "(connection refused); check that it runs and TEMPORAL_ADDRESS."
        )
    finally:
        api.send_signal(signal.SIGINT)
        assert api.wait(30) == 0


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
