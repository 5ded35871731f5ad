"""The gateway answers every error in one JSON sentence: what it did not expect (500, never a
stack trace; here Temporal, outside the project, fails in a way no refusal names), what the
framework refuses (no such route, a wrong method, a body it cannot read), a body over the limit
however it is sent (413), and a token whose algorithm does not fit its key (401)."""

from __future__ import annotations

import datetime as dt

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from lifecycle.app import keys
from lifecycle.app.identity import OidcSettings
from lifecycle.app.system import System
from lifecycle.config import Settings
from lifecycle.gateway.app import create_app
from lifecycle.gateway.core import Gateway
from lifecycle.store.repo import Store
from tests.helpers.oidc import AUDIENCE, ISSUER, Issuer


async def test_an_unexpected_failure_is_one_json_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_VAR_DIR", str(tmp_path))
    settings = Settings.from_env()
    store = Store.from_url(settings.db_url)

    async def broken_temporal():  # the SDK failing in a way it never should
        raise RuntimeError("socket closed mid-frame")

    system = System(settings, store, connect=broken_temporal)
    key = keys.create(system, "li", "bureau_officer", ("read",)).key
    gateway = Gateway(system)
    app = create_app(gateway)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        answer = await client.get(
            "/cases/case:qingdao-2024:r1:91370212MA3QD0001N",
            headers={"Authorization": f"Bearer {key}"},
        )
    assert answer.status_code == 500
    assert answer.json() == {
        "error": "The gateway stopped on an unexpected RuntimeError; nothing more was done, and "
        "its log has the details.",
        "clause": "engine rule",
    }


@pytest.fixture
async def gateway_client(tmp_path, monkeypatch):
    """The gateway's app in this process, with a sign-in stand-in and one staff API key."""
    issuer = Issuer()
    monkeypatch.setenv("LIFECYCLE_VAR_DIR", str(tmp_path))
    for name, value in issuer.env().items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    store = Store.from_url(settings.db_url)

    async def no_temporal():
        raise AssertionError("these requests never reach Temporal")

    system = System(settings, store, connect=no_temporal)
    key = keys.create(system, "li", "bureau_officer", ("read", "act")).key
    app = create_app(Gateway(system, OidcSettings.from_env()))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        client.headers["Authorization"] = f"Bearer {key}"
        yield client, issuer
    issuer.close()


def one_sentence(answer: httpx.Response, status: int, says: str) -> None:
    body = answer.json()
    assert answer.status_code == status, body
    assert set(body) == {"error", "clause"} and says in body["error"], body
    assert body["error"].count(". ") == 0 and body["error"].endswith("."), body


async def test_what_the_framework_refuses_is_one_sentence_too(gateway_client):
    client, _ = gateway_client
    one_sentence(await client.get("/nowhere"), 404, "There is no route GET /nowhere")
    one_sentence(await client.delete("/cases"), 405, "DELETE is not a method of /cases")
    headers = {"content-type": "application/json"}
    broken = await client.post("/cases", content=b'{"policy": "\xff\xfe"}', headers=headers)
    assert broken.status_code == 400 and set(broken.json()) == {"error", "clause"}
    deep = b'{"policy": "qingdao-2024", "application": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001
    nested = await client.post("/cases", content=deep, headers=headers)
    assert nested.status_code == 400 and set(nested.json()) == {"error", "clause"}


async def test_a_body_over_the_limit_is_413_however_it_is_sent(gateway_client):
    client, _ = gateway_client

    async def chunks():
        for _ in range(20):
            yield b" " * (64 * 1024)  # 1.25 MiB in chunks, no length declared

    streamed = await client.post(
        "/cases", content=chunks(), headers={"content-type": "application/json"}
    )
    one_sentence(streamed, 413, "over 1024 KiB")
    declared = await client.post("/cases", content=b" " * (1024 * 1024 + 1))
    one_sentence(declared, 413, "over 1024 KiB")


async def test_a_token_whose_algorithm_does_not_fit_its_key_is_401(gateway_client):
    client, issuer = gateway_client
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "iat": now,
              "realm_access": {"roles": ["bureau_officer"]}}  # fmt: skip
    forged = jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256",
                        headers={"kid": issuer.kid})  # fmt: skip
    answer = await client.get("/cases", headers={"Authorization": f"Bearer {forged}"})
    one_sentence(answer, 401, "The token is not valid")
    assert answer.headers["www-authenticate"] == "Bearer"
