"""Case data for the Temporal Web UI (and the temporal CLI) of staff: payloads sealed with the
system's keys, opened for those allowed to read them (the face decides who is)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payloads
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.service import RPCError

from lifecycle.app.system import System
from lifecycle.contracts import RESEAL
from lifecycle.errors import Invalid
from lifecycle.temporal.codec import ENCODINGS, EncryptionCodec


async def transcode(codec: EncryptionCodec, body: bytes, decode: bool) -> dict[str, Any]:
    """The Web UI's remote codec exchange: a Payloads JSON object in, the same opened (or
    sealed) out."""
    try:
        payloads = json_format.Parse(body, Payloads())
    except json_format.ParseError as exc:
        raise Invalid(f"The body is not a Payloads JSON object ({exc}).") from None
    try:
        if decode:
            done = await codec.decode(payloads.payloads)
        else:
            done = await codec.encode(payloads.payloads)
    except ValueError as exc:  # sealed with keys this system does not hold, or altered
        raise Invalid(str(exc)) from None
    return json.loads(json_format.MessageToJson(Payloads(payloads=done)))  # type: ignore[no-any-return]


# --- plaintext written before encryption ------------------------------------------------------

# Payloads Temporal itself reads are never sealed (the search attributes): not case data.
_UNSEALABLE = {"search_attributes"}
_PAYLOAD = "temporal.api.common.v1.Payload"


def payloads_of(message: Message) -> Iterator[Message]:
    """Every payload a history event holds, however deep."""
    if message.DESCRIPTOR.full_name == _PAYLOAD:
        yield message
        return
    for field, value in message.ListFields():
        if field.type != field.TYPE_MESSAGE or field.name in _UNSEALABLE:
            continue
        if not field.is_repeated:
            yield from payloads_of(value)
            continue
        entry = field.message_type is not None and field.message_type.GetOptions().map_entry
        items = value.values() if entry else value
        for item in items:
            if isinstance(item, Message):
                yield from payloads_of(item)


def unsealed(history: WorkflowHistory) -> int:
    """How many payloads with data in ``history`` are not sealed by the codec."""
    count = 0
    for event in history.events:
        for p in payloads_of(event):
            meta: Any = p
            count += bool(meta.data) and meta.metadata.get("encoding") not in ENCODINGS
    return count


@dataclass(frozen=True)
class Retired:
    moved: list[tuple[str, int]]  # case id, the plaintext payloads its closed run holds
    sealed: int  # open cases whose run held none
    left: list[tuple[str, str]]  # case id, why it was not moved


async def retire_plaintext(system: System, dry_run: bool = False, wait: float = 30.0) -> Retired:
    """Every open case whose current run holds payloads written unsealed (by a version before
    the codec) is continued as a new, sealed run; the old run closes and leaves with the
    namespace's retention."""
    client = await system.client()
    moved, left, sealed = [], [], 0
    for case_id in system.store.open_case_ids():
        handle = client.get_workflow_handle(case_id)
        try:
            history = await handle.fetch_history()
        except RPCError as exc:
            left.append((case_id, f"Temporal did not give its history ({exc.message})"))
            continue
        count = unsealed(history)
        if not count:
            sealed += 1
            continue
        if dry_run:
            left.append((case_id, f"{count} unsealed payloads (not moved: --dry-run)"))
            continue
        try:
            run_id = (await handle.describe()).run_id
            await handle.signal(RESEAL)
            await _new_run(handle, run_id, wait)
        except (RPCError, TimeoutError) as exc:
            why = getattr(exc, "message", "") or f"no new run within {wait:g} s"
            left.append((case_id, f"{count} unsealed payloads; not moved: {why}"))
            continue
        moved.append((case_id, count))
    return Retired(moved, sealed, left)


async def _new_run(handle: WorkflowHandle[Any, Any], old: str, wait: float) -> None:
    async def moved() -> None:
        while (await handle.describe()).run_id == old:
            await asyncio.sleep(0.2)

    await asyncio.wait_for(moved(), wait)


def retired_lines(done: Retired) -> list[str]:
    lines = [
        f"moved {case_id} to a new, sealed run (its closed run holds {n} unsealed payloads "
        "until the namespace's retention removes it)"
        for case_id, n in done.moved
    ]
    lines += [f"left {case_id}: {why}" for case_id, why in done.left]
    lines.append(
        f"{len(done.moved)} moved, {done.sealed} already sealed, {len(done.left)} left; closed "
        "runs keep what they hold until the namespace's retention removes them "
        "('temporal operator namespace describe' shows it)."
    )
    return lines
