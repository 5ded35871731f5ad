"""The Temporal Web UI's remote codec: decodes case data for authenticated staff (and, in the
embedded development set-up only, for its own Web UI on this machine)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from lifecycle.app import access
from lifecycle.app.codec import transcode
from lifecycle.gateway.core import Gateway, Parts, principal

router = APIRouter()


async def codec_caller(gateway: Gateway, request: Request) -> None:
    if gateway.trust_loopback_ui and not request.headers.get("authorization"):
        host = request.client.host if request.client else ""
        origin = request.headers.get("origin", "")
        if host in ("127.0.0.1", "::1") and origin in gateway.ui_origins:
            return  # the embedded development set-up's own Web UI (engine rule)
    access.decode(await principal(request))


async def _codec(gateway: Gateway, request: Request, decode: bool) -> JSONResponse:
    await codec_caller(gateway, request)
    body = await request.body()
    return JSONResponse(await transcode(gateway.system.codec, body, decode))


@router.post("/codec/decode", tags=["codec"])
async def codec_decode(gateway: Parts, request: Request) -> JSONResponse:
    return await _codec(gateway, request, decode=True)


@router.post("/codec/encode", tags=["codec"])
async def codec_encode(gateway: Parts, request: Request) -> JSONResponse:
    return await _codec(gateway, request, decode=False)
