"""The gateway answers even what it did not expect in one JSON sentence (500), never a stack
trace; here Temporal (outside the project) fails in a way no refusal names."""

from __future__ import annotations

import datetime as dt

import httpx

from lifecycle.app.system import System
from lifecycle.config import Settings
from lifecycle.gateway.app import create_app
from lifecycle.gateway.core import Gateway
from lifecycle.store.repo import Store


async def test_an_unexpected_failure_is_one_json_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_VAR_DIR", str(tmp_path))
    settings = Settings.from_env()
    store = Store.from_url(settings.db_url)
    made = store.keys.create("li", "bureau_officer", ["read"], dt.datetime.now(dt.UTC))
    assert made is not None
    key = made[0]

    async def broken_temporal():  # the SDK failing in a way it never should
        raise RuntimeError("socket closed mid-frame")

    gateway = Gateway(System(settings, store, connect=broken_temporal))
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
