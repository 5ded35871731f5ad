"""Straight to Temporal's port on the real dev server, around the command and the gateway: an
Update just over the engine's input limit (refused by the case's validator), one far over it
(a 2.1 MB reason: refused by the server as it arrives), a Signal over it (refused by the
server), and payloads that claim the case's encryption but do not open (an Update refused, a
Signal kept as a rejected event with its reason, never its content). Nothing larger than the
case takes reaches its history; the case answers throughout, none of its workflow tasks fails,
and the next person's action goes through."""

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
from temporalio.service import RPCError, RPCStatusCode

from lifecycle.contracts import ActRequest
from lifecycle.temporal.codec import ENCODING, KEY_ID, EncryptionCodec, KeyRing
from lifecycle.temporal.payloads import INPUT_BYTES
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
            act = {"action": "begin_review", "actor": "bureau_officer:li"}
            # Just over the engine's limit: the case's validator refuses it (nothing in history).
            over = {**act, "reason": "x" * (INPUT_BYTES - 50)}
            # Far over it (a 2.1 MB reason): the server refuses it as it arrives, before any
            # worker sees it.
            huge = {**act, "reason": "异" * 700_000}
            for what, value in (("over", plain(over)), ("forged", forged())):
                started = time.monotonic()
                with pytest.raises(WorkflowUpdateFailedError) as refused:
                    await asyncio.wait_for(handle.execute_update("act", value), 30)
                cause = refused.value.cause
                assert isinstance(cause, ApplicationError) and cause.type == "Invalid", cause
                assert time.monotonic() - started < 15, f"the {what} update took long"
                said[what] = cause.message
            # (the client tries a refusal of this kind again for a while before it gives up;
            # the case answers meanwhile)
            with pytest.raises(RPCError) as refused_by_server:
                await asyncio.wait_for(handle.execute_update("act", plain(huge)), 60)
            assert refused_by_server.value.status == RPCStatusCode.RESOURCE_EXHAUSTED
            with pytest.raises(RPCError) as big_signal:
                await handle.signal("event", plain({"event_id": "big", "reason": "异" * 700_000}))
            assert big_signal.value.status == RPCStatusCode.INVALID_ARGUMENT, big_signal.value
            await handle.signal("event", forged())
            events = [e async for e in handle.fetch_history_events()]
            failed = [
                e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
            ]
            assert failed == [], failed
            # Nothing larger than a case takes is in its history.
            assert max(e.ByteSize() for e in events) < INPUT_BYTES
            return said

        said = asyncio.run(send())
        assert "bytes; a case takes at most 1048576 bytes (1 MiB)" in said["over"], said
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
        assert "big" not in rejected  # refused by the server: it never reached the case
        assert any("cannot be opened" in r for r in rejected.values()), rejected
        assert "异" not in "".join(rejected.values())
    finally:
        assert system.stop() == 0
