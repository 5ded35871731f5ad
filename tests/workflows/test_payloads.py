"""Payloads no case can take, sent through the SDK by a client without the system's keys (anyone
who reaches Temporal's port): one that claims the case's encryption but does not open, one over
the engine's input limit, one that is not what the handler takes. Each is refused (an Update) or
kept as a rejected event with its reason (a Signal); the case answers throughout and none of its
workflow tasks fails. The system here seals every payload, as the running system does."""

import dataclasses
import datetime as dt
import os
from collections.abc import Sequence

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import PayloadCodec
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from lifecycle.app.rounds import RoundService
from lifecycle.contracts import ACT, EVENT
from lifecycle.contracts.case import CALENDAR_CHANGED, MOVE_RULES
from lifecycle.contracts.rounds import SCORE
from lifecycle.domain.states import CaseState
from lifecycle.temporal.client import sealing
from lifecycle.temporal.codec import ENCODING, KEY_ID, EncryptionCodec, KeyRing
from tests.helpers import BIN, assert_eventually
from tests.workflows.cases import req
from tests.workflows.test_inputs import publicised

KEYS = KeyRing.new()


@pytest.fixture
async def env():
    """The time-skipping server, with every payload sealed by the system's keys."""
    sealed = sealing(KEYS)
    environment = await WorkflowEnvironment.start_time_skipping(
        data_converter=sealed, test_server_existing_path=str(BIN / "temporal-test-server")
    )
    yield environment
    await environment.shutdown()


class SendsUnsealed(PayloadCodec):
    """What an outsider sends goes as it is (no keys); the answers are read with the system's
    keys, so the test can read the sentence the case refused it with."""

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return await EncryptionCodec(KEYS).decode(payloads)


def outsider(client: Client) -> Client:
    """A client on the same server without the system's keys."""
    config = client.config()
    config["data_converter"] = dataclasses.replace(
        pydantic_data_converter, payload_codec=SendsUnsealed()
    )
    return Client(**config)


def forged(key_id: str = "k1") -> RawValue:
    """A payload that says it is sealed with the system's key, and is not."""
    metadata = {"encoding": ENCODING, KEY_ID: key_id.encode(), "cipher": b"AES-256-GCM"}
    return RawValue(Payload(metadata=metadata, data=os.urandom(80)))


def plain(text: str) -> RawValue:
    return RawValue(Payload(metadata={"encoding": b"json/plain"}, data=text.encode()))


async def refused(handle: WorkflowHandle, name: str, value: RawValue) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await handle.execute_update(name, value, result_type=dict)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "Invalid", cause
    assert cause.message.count(". ") == 0 and cause.message.endswith("."), cause.message
    return cause


async def no_task_failed(handle: WorkflowHandle) -> None:
    async for event in handle.fetch_history_events():
        assert event.event_type != EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, event


async def test_unopenable_oversized_and_misshapen_inputs_leave_the_case_answering(
    service, env, store
):
    case_id = await publicised(service, store)
    stranger = outsider(env.client).get_workflow_handle(case_id)
    rows = len(store.audit(case_id))

    # Updates: refused in one sentence each, nothing recorded.
    for key_id in ("k1", "k-unknown"):
        cause = await refused(stranger, ACT, forged(key_id))
        assert cause.message.startswith("The request cannot be opened: it claims to be sealed")
        assert f"codec key '{key_id}'" in cause.message
    cause = await refused(stranger, MOVE_RULES, forged())
    assert cause.message.startswith("The move cannot be opened")
    cause = await refused(stranger, ACT, plain('{"action": 5, "actor": "public:p"}'))
    assert "is not what the case takes: action: Input should be a valid string" in cause.message
    big = req("object", "public:p", "异" * 400_000)  # 1.2 MB, sealed by the system itself
    cause = await refused(service.handle(case_id), ACT, RawValue(_json(big)))
    assert "bytes; a case takes at most 1048576 bytes (1 MiB)" in cause.message
    assert (await service.view(case_id)).case.state == CaseState.PUBLICITY
    assert len(store.audit(case_id)) == rows

    # Signals: an event kept as rejected with its reason; a calendar notice changes nothing.
    await stranger.signal(EVENT, forged())
    await stranger.signal(CALENDAR_CHANGED, forged())
    await stranger.signal(CALENDAR_CHANGED, plain('{"year": "soon"}'))
    result = await service.act(case_id, req("object", "public:q", "材料不实"))
    assert result.state == CaseState.PUBLICITY and len(store.audit(case_id)) == rows + 1

    async def kept_one() -> bool:
        return len(store.rejected()) == 1

    await assert_eventually(kept_one, timeout=30)
    [kept] = store.rejected()
    assert kept.event_id.startswith("unreadable-")
    assert kept.reason.startswith("the event cannot be opened: it claims to be sealed with codec")
    await no_task_failed(service.handle(case_id))


async def test_an_evaluation_round_refuses_what_it_cannot_open(service, env, store):
    rounds = RoundService(env.client, store, task_queue=service.task_queue, indexed=False)
    rid = await rounds.start("wuhan-2021", "2026", today=dt.date(2026, 12, 1))
    await rounds.opened(rid)
    stranger = outsider(env.client).get_workflow_handle(rid)
    cause = await refused(stranger, SCORE, forged())
    assert cause.message.startswith("The score cannot be opened")
    assert (await rounds.view(rid)).status == "open"
    await no_task_failed(env.client.get_workflow_handle(rid))


def _json(model) -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([model])[0]
