"""Straight to Temporal's port on the real dev server, around the command and the gateway: an
Update over the engine's input limit (a 2.1 MB reason), a Signal over it, and payloads that
claim the case's encryption but do not open. Each is refused at once (a Signal kept as a
rejected event with its reason, never its content); the case answers throughout, none of its
workflow tasks fails, and the next person's action goes through."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import PayloadCodec
from temporalio.exceptions import ApplicationError

from lifecycle.contracts import ActRequest
from lifecycle.temporal.codec import ENCODING, KEY_ID, EncryptionCodec, KeyRing
from tests.helpers import cli, show

pytestmark = pytest.mark.e2e
EX = Path("examples")


class Outsider(PayloadCodec):
    """Sends what it is given as it is (it has no keys); reads the answers with the system's
    keys only so the test can read the sentence it was refused with."""

    def __init__(self, ring: KeyRing) -> None:
        self.reader = EncryptionCodec(ring)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return await self.reader.decode(payloads)


def plain(value: object) -> RawValue:
    data = json.dumps(value, ensure_ascii=False).encode()
    return RawValue(Payload(metadata={"encoding": b"json/plain"}, data=data))


def forged() -> RawValue:
    metadata = {"encoding": ENCODING, KEY_ID: b"k1", "cipher": b"AES-256-GCM"}
    return RawValue(Payload(metadata=metadata, data=os.urandom(96)))


def test_inputs_over_the_limit_or_unopenable_never_stop_a_case(new_system):
    system = new_system()
    system.start()
    try:
        cli(system, "round", "set", "qingdao-2024", "sdk")
        application = str(EX / "qingdao-2024" / "application.json")
        case_id = cli(
            system, "case", "apply", "qingdao-2024", application, "--round", "sdk"
        ).stdout.strip()
        ring = KeyRing.read(system.var_dir / "codec-keys.json")

        async def send() -> dict[str, str]:
            converter = dataclasses.replace(pydantic_data_converter, payload_codec=Outsider(ring))
            client = await Client.connect(system.address, data_converter=converter)
            handle = client.get_workflow_handle(case_id)
            said: dict[str, str] = {}
            huge = {
                "action": "begin_review",
                "actor": "bureau_officer:li",
                "reason": "异" * 700_000,
            }
            for what, value in (("huge", plain(huge)), ("forged", forged())):
                started = time.monotonic()
                with pytest.raises(WorkflowUpdateFailedError) as refused:
                    await asyncio.wait_for(handle.execute_update("act", value), 30)
                cause = refused.value.cause
                assert isinstance(cause, ApplicationError) and cause.type == "Invalid", cause
                assert time.monotonic() - started < 15, f"the {what} update took long"
                said[what] = cause.message
            await handle.signal("event", plain({"event_id": "big", "reason": "异" * 700_000}))
            await handle.signal("event", forged())
            failed = [
                e
                async for e in handle.fetch_history_events()
                if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
            ]
            assert failed == [], failed
            return said

        said = asyncio.run(send())
        assert "bytes; a case takes at most 1048576 bytes (1 MiB)" in said["huge"], said
        assert said["forged"].startswith("The request cannot be opened: it claims to be sealed")
        started = time.monotonic()
        assert show(system, case_id)["state"] == "submitted"

        async def claim() -> None:  # with the system's own keys, but not through the gateway
            sealed = dataclasses.replace(
                pydantic_data_converter, payload_codec=EncryptionCodec(ring)
            )
            client = await Client.connect(system.address, data_converter=sealed)
            request = ActRequest(
                action="begin_review", actor="bureau_officer:li", assurance="oidc", request_id="c1"
            )
            await client.get_workflow_handle(case_id).execute_update("act", request)

        asyncio.run(claim())
        assert time.monotonic() - started < 20
        # How the actor was known is the gateway's to prove: claimed, it is recorded as asserted.
        entry = show(system, case_id)["history"][-1]
        assert (entry["action"], entry["assurance"]) == ("begin_review", "asserted"), entry
        rejected = {
            r["event_id"]: r["reason"]
            for r in json.loads(cli(system, "events", "rejected", "--json").stdout)
        }
        assert "bytes; a case takes at most 1048576 (engine rule)" in rejected["big"], rejected
        assert any("cannot be opened" in r for r in rejected.values()), rejected
        assert "异" not in "".join(rejected.values())
    finally:
        assert system.stop() == 0
