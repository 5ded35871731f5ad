"""The Temporal Web UI's remote codec: decodes case data for authenticated staff, and in the
embedded development set-up for its own Web UI through the link made for this run
(``/codec/ui/SECRET``, known to the dev server `lifecycle up` started): no header any process
can send (an ``Origin``, a loopback address) opens it."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from lifecycle.app import Unauthenticated, access
from lifecycle.app.codec import transcode
from lifecycle.gateway.core import Gateway, Parts, principal

router = APIRouter()


async def _codec(gateway: Gateway, request: Request, decode: bool) -> JSONResponse:
    body = await request.body()
    return JSONResponse(await transcode(gateway.system.codec, body, decode))


def _ui(gateway: Gateway, link: str) -> None:
    if not gateway.ui_link or not hmac.compare_digest(link.encode(), gateway.ui_link.encode()):
        raise Unauthenticated(
            "This codec link is not this system's: the embedded Web UI's link is made anew at "
            "each start (engine rule); staff send their token or API key to /codec instead."
        )


@router.post("/codec/decode", tags=["codec"])
async def codec_decode(gateway: Parts, request: Request) -> JSONResponse:
    access.decode(await principal(request))
    return await _codec(gateway, request, decode=True)


@router.post("/codec/encode", tags=["codec"])
async def codec_encode(gateway: Parts, request: Request) -> JSONResponse:
    access.decode(await principal(request))
    return await _codec(gateway, request, decode=False)


@router.post("/codec/ui/{link}/decode", tags=["codec"], include_in_schema=False)
async def ui_decode(gateway: Parts, link: str, request: Request) -> JSONResponse:
    _ui(gateway, link)
    return await _codec(gateway, request, decode=True)


@router.post("/codec/ui/{link}/encode", tags=["codec"], include_in_schema=False)
async def ui_encode(gateway: Parts, link: str, request: Request) -> JSONResponse:
    _ui(gateway, link)
    return await _codec(gateway, request, decode=False)
