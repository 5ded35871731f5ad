"""Case data for the Temporal Web UI (and the temporal CLI) of staff: payloads sealed with the
system's keys, opened for those allowed to read them (the face decides who is)."""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from lifecycle.errors import Invalid
from lifecycle.temporal.codec import EncryptionCodec


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
