"""The Temporal Web UI's remote codec: decodes case data for authenticated staff (and, in the
embedded development set-up only, for its own Web UI on this machine)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from lifecycle.gateway.auth import CODEC, AuthError
from lifecycle.gateway.core import ApiError, Gateway, Parts, principal

router = APIRouter()


async def codec_caller(gateway: Gateway, request: Request) -> None:
    if gateway.trust_loopback_ui and not request.headers.get("authorization"):
        host = request.client.host if request.client else ""
        origin = request.headers.get("origin", "")
        if host in ("127.0.0.1", "::1") and origin in gateway.ui_origins:
            return  # the embedded development set-up's own Web UI (engine rule)
    who = await principal(request)
    if not (who.staff and who.may(CODEC)):
        raise AuthError(f"{who.actor} may not decode case data; staff only.", 403)


async def _codec(gateway: Gateway, request: Request, decode: bool) -> JSONResponse:
    await codec_caller(gateway, request)
    try:
        payloads = json_format.Parse(await request.body(), Payloads())
    except json_format.ParseError as exc:
        raise ApiError(400, f"The body is not a Payloads JSON object ({exc}).") from None
    try:
        if decode:
            done = await gateway.codec.decode(payloads.payloads)
        else:
            done = await gateway.codec.encode(payloads.payloads)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    return JSONResponse(json.loads(json_format.MessageToJson(Payloads(payloads=done))))


@router.post("/codec/decode", tags=["codec"])
async def codec_decode(gateway: Parts, request: Request) -> JSONResponse:
    return await _codec(gateway, request, decode=True)


@router.post("/codec/encode", tags=["codec"])
async def codec_encode(gateway: Parts, request: Request) -> JSONResponse:
    return await _codec(gateway, request, decode=False)
